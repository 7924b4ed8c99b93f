// Which charset a body is in when its declaration does not fit the bytes, or it has none: each candidate reads a sample
// and the reading that looks most like text in one script wins. Our own scorer, not a library: jschardet 4 detects as
// well but keeps ~50 MB of models and spends ~130 ms on its first call; ICU's (the chardet package) reads Thai as Big5.
// The rules are what a reader of each script would notice: a Thai tone mark needs a consonant before it, Vietnamese
// tone marks sit on vowels, a capital does not follow a small letter, mojibake puts symbols right after letters, and
// the common characters of GB2312, Big5, KS X 1001 and JIS X 0208 sit in rows those standards set apart for them.

/** A candidate's reading of the sample: points per non-ASCII byte (about 1 for clean text, below 0 for mojibake). */
export interface CharsetScore {
  name: string;
  score: number;
  /** Non-ASCII bytes in the sample the score is per. */
  nonAscii: number;
}

// windows-1255 before windows-1251: Hebrew reads as plausible lower-case Cyrillic, but Cyrillic text always has letters
// (ы ь э ю я, і ї є, ђ ј љ) on bytes windows-1255 leaves undefined or gives to punctuation.
const SINGLE_BYTE = ['windows-1252', 'windows-874', 'windows-1258', 'windows-1255', 'windows-1251', 'koi8-r'];
const MULTI_BYTE = ['gbk', 'big5', 'shift_jis', 'euc-jp', 'euc-kr'];
/** Every charset the detector can name, UTF-8 (with stray bytes read as windows-1252) first. */
export const CANDIDATES = ['utf-8', ...SINGLE_BYTE, ...MULTI_BYTE];

// Enough text to tell scripts apart (two thousand non-ASCII bytes); scoring more costs time and changes nothing.
const SAMPLE_NON_ASCII = 2048;
const SAMPLE_MAX_BYTES = 64 * 1024;

/** From the first non-ASCII byte until 2,048 of them (or 64 KB), cut where no multi-byte character can be split. */
export function sampleOf(bytes: Uint8Array): Uint8Array {
  const first = bytes.findIndex((b) => b > 0x7f);
  if (first < 0) return bytes.subarray(0, 0);
  const start = afterBoundary(bytes, first);
  let end = first;
  for (let seen = 0; end < bytes.length && seen < SAMPLE_NON_ASCII && end - start < SAMPLE_MAX_BYTES; end++) if (bytes[end] > 0x7f) seen++;
  return bytes.subarray(start, end < bytes.length ? Math.max(afterBoundary(bytes, end), first + 1) : end);
}

/** `i`, moved back (at most 256 bytes) to just after a byte that is never part of a multi-byte character. */
function afterBoundary(bytes: Uint8Array, i: number): number {
  for (let j = i; j > 0 && j > i - 256; j--) if (isBoundary(bytes[j - 1])) return j;
  return i;
}

// '<', '>', newline and space: below 0x40, so never the second byte of a GBK, Big5 or Shift_JIS character.
function isBoundary(b: number): boolean {
  return b === 0x3c || b === 0x3e || b === 0x0a || b === 0x20;
}

// ───────────────────────────── character classes ─────────────────────────────

const Kind = { Upper: 1, Lower: 2, Letter: 3 /* uncased */, Mark: 4, Symbol: 5, Space: 6, Control: 7 } as const;
// Scripts by their Unicode blocks (only a letter's script is ever asked): 1 Latin … 10 Arabic, 0 any other.
const SCRIPT_BLOCKS: [number, number, number][] = [
  [0x0041, 0x024f, 1],
  [0x1e00, 0x1eff, 1],
  [0x0400, 0x052f, 2],
  [0x0370, 0x03ff, 3],
  [0x0e00, 0x0e7f, 4],
  [0x3400, 0x4dbf, 5],
  [0x4e00, 0x9fff, 5],
  [0xf900, 0xfaff, 5],
  [0x3040, 0x309f, 6],
  [0x30a0, 0x30ff, 7],
  [0xff66, 0xff9f, 7],
  [0xac00, 0xd7af, 8],
  [0x1100, 0x11ff, 8],
  [0x3130, 0x318f, 8],
  [0x0590, 0x05ff, 9],
  [0x0600, 0x06ff, 10],
];
const LATIN = 1;
const HAN = 5; // Han, Hiragana, Katakana, Hangul: 5–8
const HEBREW = 9; // and 10 Arabic
const isCjk = (script: number): boolean => script >= HAN && script <= HAN + 3;
const UPPER = /\p{Lu}/u;
const LOWER = /\p{Ll}/u;
const LETTER = /\p{L}/u;
const MARK = /\p{M}/u;
const SPACE = /\s/u;
const CONTROL = /\p{Cc}/u;
// kind | script << 4, computed once per code point (the BMP is all that real feed text uses).
const classes = new Uint16Array(0x10000);

function classOf(cp: number): number {
  if (cp > 0xffff) return Kind.Letter;
  const known = classes[cp];
  if (known) return known;
  const ch = String.fromCharCode(cp);
  const kind = UPPER.test(ch)
    ? Kind.Upper
    : LOWER.test(ch)
      ? Kind.Lower
      : LETTER.test(ch)
        ? Kind.Letter
        : MARK.test(ch)
          ? Kind.Mark
          : SPACE.test(ch)
            ? Kind.Space
            : CONTROL.test(ch)
              ? Kind.Control
              : Kind.Symbol;
  const script = SCRIPT_BLOCKS.find(([from, to]) => cp >= from && cp <= to)?.[2] ?? 0;
  return (classes[cp] = kind | (script << 4));
}

const kindOf = (c: number): number => c & 0xf;
const isLetter = (c: number): boolean => kindOf(c) >= Kind.Upper && kindOf(c) <= Kind.Letter;

// Punctuation feeds use everywhere: a little evidence for a reading wherever it stands.
const COMMON_SYMBOLS = new Set([...'\u00a0–—‘’‚“”„…•«»·©®°€£¥™№'].map((c) => c.charCodeAt(0)));
const LATIN_VOWELS = new Set([...'aeiouyâêôơưăAEIOUYÂÊÔƠƯĂ'].map((c) => c.charCodeAt(0)));

// ───────────────────────────── scoring decoded text ─────────────────────────────

/**
 * Points for one non-ASCII character given the one before it (`prev` is its code point, 0 at the start). A CJK character
 * earns half a point in a legacy reading, where the common rows add the rest, and a whole one in UTF-8, where a valid
 * three-byte sequence is evidence enough.
 */
function charPoints(cp: number, prev: number, utf8: boolean): number {
  if (cp === 0xfffd) return -4;
  const c = classOf(cp);
  const p = prev > 0x7f ? classOf(prev) : prev === 0 ? 0 : asciiClass(prev);
  if (cp >= 0x0e00 && cp <= 0x0e7f) return thaiPoints(cp, prev);
  // Vietnamese tones sit on vowels; Hebrew and Arabic vowel points on letters of their script.
  if (kindOf(c) === Kind.Mark) return LATIN_VOWELS.has(prev) ? 1.5 : p >> 4 === HEBREW || p >> 4 === HEBREW + 1 ? 1 : -3;
  if (kindOf(c) === Kind.Control) return -4;
  if (kindOf(c) === Kind.Space) return 0;
  if (COMMON_SYMBOLS.has(cp)) return 0.5;
  if (kindOf(c) === Kind.Symbol) return prev > 0x7f && isLetter(p) ? -2 : -0.5; // "Ã©", "à¸": mojibake's mark
  if (cp >= 0xff61 && cp <= 0xff9f) return -1; // half-width katakana: rare in feeds, common in misreadings
  const script = c >> 4;
  // Chinese and Japanese put no space between words (Korean does): a Han character after one is a doubtful reading.
  if (isCjk(script)) return prev === 0x20 && script === HAN ? 0 : utf8 ? 1 : 0.5;
  let points = 1;
  if (isLetter(p) && p >> 4 !== script && p >> 4 !== 0) points -= 3; // two scripts inside one word
  // Latin letters with diacritics rarely stand two in a row (ção, Vietnamese ươ); text read in the wrong charset does.
  if (script === LATIN && prev > 0x7f && p >> 4 === LATIN) points -= 0.75;
  if (kindOf(c) === Kind.Upper && kindOf(p) === Kind.Lower) points -= 2;
  else if (kindOf(c) === Kind.Upper && kindOf(p) === Kind.Upper) points -= 0.75;
  return points;
}

function asciiClass(b: number): number {
  if (b >= 0x41 && b <= 0x5a) return Kind.Upper | (LATIN << 4);
  if (b >= 0x61 && b <= 0x7a) return Kind.Lower | (LATIN << 4);
  return b <= 0x20 ? Kind.Space : Kind.Symbol;
}

const isThaiConsonant = (cp: number): boolean => cp >= 0x0e01 && cp <= 0x0e2e;
const isThaiLeadingVowel = (cp: number): boolean => cp >= 0x0e40 && cp <= 0x0e44;
const isThaiAboveBelowVowel = (cp: number): boolean => cp === 0x0e31 || (cp >= 0x0e34 && cp <= 0x0e3a);
const isThaiToneMark = (cp: number): boolean => cp >= 0x0e47 && cp <= 0x0e4e;
// Letters modern Thai no longer writes (ฃ ฅ ฦ, ๏ ๚ ๛) and ones it rarely does (ฆ ฌ ฎ ฏ ฐ ฑ ฒ ฬ, phinthu, nikhahit).
const OBSOLETE_THAI = new Set([0x0e03, 0x0e05, 0x0e26, 0x0e4f, 0x0e5a, 0x0e5b]);
const RARE_THAI = new Set([0x0e06, 0x0e0c, 0x0e0e, 0x0e0f, 0x0e10, 0x0e11, 0x0e12, 0x0e2c, 0x0e3a, 0x0e4d]);

/** Thai spelling (WTT 2.0): marks above and below need a consonant (a tone may sit on a vowel mark), a leading vowel a consonant after it. */
function thaiPoints(cp: number, prev: number): number {
  if (OBSOLETE_THAI.has(cp)) return -2;
  if (RARE_THAI.has(cp)) return 0;
  if (isThaiLeadingVowel(prev) && !isThaiConsonant(cp)) return -3;
  if (isThaiAboveBelowVowel(cp)) return isThaiConsonant(prev) ? 1.5 : -3;
  if (isThaiToneMark(cp)) return isThaiConsonant(prev) || isThaiAboveBelowVowel(prev) ? 1.5 : -3;
  if (prev > 0x7f && !(prev >= 0x0e00 && prev <= 0x0e7f) && isLetter(classOf(prev))) return -2;
  return 1;
}

/** The sum of every non-ASCII character's points; `utf8` weighs each by its UTF-8 length (points stay per byte). */
export function textPoints(text: string, utf8 = false): number {
  let points = 0;
  let prev = 0;
  for (let i = 0; i < text.length; i++) {
    const cp = text.charCodeAt(i);
    if (cp > 0x7f) points += charPoints(cp, prev, utf8) * (utf8 ? (cp < 0x800 ? 2 : 3) : 1);
    prev = cp;
  }
  return points;
}

// ───────────────────────────── multi-byte charsets: the rows of common characters ─────────────────────────────

type CommonRows = (lead: number, trail: number) => boolean;
const punctuation = (lead: number): boolean => lead >= 0xa1 && lead <= 0xa3;
// Each standard set its most used characters apart: GB2312 level 1 (B0–D7), Big5's frequent hanzi (A4–C6), KS X 1001's
// 2,350 Hangul (B0–C8), JIS X 0208 kana and level-1 kanji. Kana are what make a reading Japanese, not Chinese.
const COMMON: Record<string, CommonRows> = {
  gbk: (l, t) => (l >= 0xb0 && l <= 0xd7 && t >= 0xa1) || punctuation(l),
  big5: (l) => (l >= 0xa4 && l <= 0xc6) || punctuation(l),
  'euc-kr': (l, t) => (l >= 0xb0 && l <= 0xc8 && t >= 0xa1) || punctuation(l),
  'euc-jp': (l) => l === 0xa4 || l === 0xa5 || l === 0xa1 || (l >= 0xb0 && l <= 0xcf),
  shift_jis: (l) => (l >= 0x81 && l <= 0x83) || (l >= 0x88 && l <= 0x98),
};

/** Characters of the sample (two bytes from a lead byte on) that lie in the charset's common rows. */
function commonCharacters(bytes: Uint8Array, common: CommonRows, name: string): number {
  let count = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b < 0x81) continue;
    if (name === 'shift_jis' && b >= 0xa1 && b <= 0xdf) continue; // one-byte katakana
    if (common(b, bytes[i + 1] ?? 0)) count++;
    i++;
  }
  return count;
}

// ───────────────────────────── readings ─────────────────────────────

/** UTF-8 where it is well-formed (https://www.rfc-editor.org/rfc/rfc3629#section-4), each stray byte as windows-1252 (a few pasted bytes). */
export function decodeUtf8Leniently(bytes: Uint8Array): { text: string; stray: number } {
  const parts: string[] = [];
  const w1252 = decoderFor('windows-1252');
  const utf8 = decoderFor('utf-8');
  let stray = 0;
  let from = 0;
  for (let i = 0; i < bytes.length; ) {
    const n = utf8SequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    parts.push(utf8.decode(bytes.subarray(from, i)), w1252.decode(bytes.subarray(i, i + 1)));
    stray++;
    from = ++i;
  }
  parts.push(utf8.decode(bytes.subarray(from)));
  return { text: parts.join(''), stray };
}

function strayBytes(bytes: Uint8Array): number {
  let stray = 0;
  for (let i = 0; i < bytes.length; ) {
    const n = utf8SequenceLength(bytes, i);
    if (n === 0) stray++;
    i += n || 1;
  }
  return stray;
}

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629), or 0. */
function utf8SequenceLength(b: Uint8Array, i: number): number {
  const x = b[i];
  if (x < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => b[i + k] >= lo && b[i + k] <= hi;
  if (x >= 0xc2 && x <= 0xdf) return cont(1) ? 2 : 0;
  if (x >= 0xe0 && x <= 0xef) return cont(1, x === 0xe0 ? 0xa0 : 0x80, x === 0xed ? 0x9f : 0xbf) && cont(2) ? 3 : 0;
  if (x >= 0xf0 && x <= 0xf4) return cont(1, x === 0xf0 ? 0x90 : 0x80, x === 0xf4 ? 0x8f : 0xbf) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

const decoders = new Map<string, TextDecoder>();
// Opening a decoder costs more than decoding a sample with it; one each, kept (decode() without stream keeps no state).
function decoderFor(name: string): TextDecoder {
  let d = decoders.get(name);
  if (!d) decoders.set(name, (d = new TextDecoder(name)));
  return d;
}

/** Points per non-ASCII byte for one candidate's reading of the sample. */
function scoreReading(sample: Uint8Array, name: string, nonAscii: number): number {
  if (name === 'utf-8') {
    // More than one stray byte in eight is not UTF-8 with a few pasted bytes: not worth decoding.
    if (strayBytes(sample) * 8 > nonAscii) return -2;
    const { text, stray } = decodeUtf8Leniently(sample);
    return (textPoints(text, true) - 2 * stray) / nonAscii;
  }
  const text = decoderFor(name).decode(sample);
  const common = COMMON[name];
  return (textPoints(text) + (common ? 1.5 * commonCharacters(sample, common, name) : 0)) / nonAscii;
}

/** Every candidate's score for these bytes, best first (ties keep the candidates' order). */
export function rankCharsets(bytes: Uint8Array, candidates: string[] = CANDIDATES): CharsetScore[] {
  const sample = sampleOf(bytes);
  let nonAscii = 0;
  for (const b of sample) if (b > 0x7f) nonAscii++;
  if (nonAscii === 0) return [];
  return candidates.map((name) => ({ name, score: scoreReading(sample, name, nonAscii), nonAscii })).sort((a, b) => b.score - a.score);
}

// ───────────────────────────── UTF-8 encoded twice ─────────────────────────────

let w1252Bytes: Map<number, number> | undefined;

/** windows-1252's byte for each character it decodes to (the inverse of the WHATWG decoder, all 256 bytes). */
function windows1252Bytes(): Map<number, number> {
  if (w1252Bytes) return w1252Bytes;
  const decoder = new TextDecoder('windows-1252');
  w1252Bytes = new Map();
  for (let b = 0; b < 256; b++) w1252Bytes.set(decoder.decode(new Uint8Array([b])).charCodeAt(0), b);
  return w1252Bytes;
}

// A lead byte's character (Â–ô) right before a continuation byte's (0x80–0xBF, or what windows-1252 puts there).
const DOUBLE_UTF8 =
  /[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]/;

/**
 * The text decoded once more when it is UTF-8 that was read as windows-1252 and encoded again ("BrÃ¸ndby",
 * "à¸‚à¹ˆà¸²à¸§"): every character maps back to one windows-1252 byte and those bytes are valid UTF-8. Else undefined.
 */
export function undoDoubleUtf8(text: string): string | undefined {
  if (!DOUBLE_UTF8.test(text)) return undefined;
  const table = windows1252Bytes();
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const b = c < 0x80 ? c : table.get(c);
    if (b === undefined) return undefined;
    bytes[i] = b;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
