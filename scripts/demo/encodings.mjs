// Encoders for the legacy single-byte charsets the demo feeds use, built by decoding all 256 bytes with
// TextDecoder (Node 22 has full ICU) and reversing the table: no encoding library needed.

/** Vietnamese tone marks; windows-1258 text typed on Windows carries them as separate combining characters. */
const VIETNAMESE_TONE_MARKS = new Set(['\u0300', '\u0301', '\u0303', '\u0309', '\u0323']);

/**
 * @param {string} label a WHATWG encoding label ('windows-874', 'windows-1258', …)
 * @param {{ separateToneMarks?: boolean }} options separateToneMarks: write á as a + U+0301 (windows-1258 style)
 * @returns {{ label: string, encodeChar(ch: string): number[] | null, encode(text: string): Buffer }}
 */
export function singleByteEncoder(label, { separateToneMarks = false } = {}) {
  const decoder = new TextDecoder(label);
  const byteOf = new Map();
  for (let b = 0; b < 256; b++) {
    const ch = decoder.decode(Uint8Array.of(b));
    if (ch !== '\uFFFD' && !byteOf.has(ch)) byteOf.set(ch, b);
  }

  /** Bytes for one code point, or null when the charset cannot write it. */
  function encodeChar(ch) {
    const decomposed = ch.normalize('NFD');
    const marks = [...decomposed].slice(1);
    const tones = separateToneMarks ? marks.filter((m) => VIETNAMESE_TONE_MARKS.has(m)) : [];
    if (tones.length === 0 && byteOf.has(ch)) return [byteOf.get(ch)];
    // Compose the letter with its other marks (â, ơ, ư…), then append the remaining marks one by one.
    const rest = marks.filter((m) => !tones.includes(m));
    for (let keep = rest.length; keep >= 0; keep--) {
      const base = (decomposed[0] + rest.slice(0, keep).join('')).normalize('NFC');
      const trailing = [...rest.slice(keep), ...tones];
      if (byteOf.has(base) && trailing.every((m) => byteOf.has(m))) {
        return [byteOf.get(base), ...trailing.map((m) => byteOf.get(m))];
      }
    }
    return null;
  }

  function encode(text) {
    const out = [];
    for (const ch of text.normalize('NFC')) {
      const bytes = encodeChar(ch);
      if (!bytes) throw new Error(`${label} cannot encode U+${ch.codePointAt(0).toString(16).toUpperCase()} (${ch})`);
      out.push(...bytes);
    }
    return Buffer.from(out);
  }

  return { label, encodeChar, encode };
}

/** UTF-8, for the same interface. */
export const utf8Encoder = {
  label: 'utf-8',
  encodeChar: (ch) => [...Buffer.from(ch, 'utf8')],
  encode: (text) => Buffer.from(text, 'utf8'),
};
