// Bytes → text. Order: BOM, HTTP charset, XML declaration / JSON, then what the bytes say (charset.ts).
// Bytes that are valid UTF-8 win over a prolog that names a single-byte charset (Miniflux does the
// same: such prologs are usually copied from a template). Bytes that are not are read in the declared
// charset unless another reads clearly better (TIS-620 behind a UTF-8 label, Big5 behind none).
// Decoding uses the runtime's TextDecoder, which knows every WHATWG label (windows-874, windows-1258,
// GBK, Big5, Shift_JIS, EUC-KR, KOI8-R…).
import { errorText, failed, type Result } from '../errors';
import type { CharsetReport } from '../model';
import { CANDIDATES, decodeUtf8Leniently, rankCharsets, undoDoubleUtf8 } from './charset';

/** The charset parameter of a Content-Type header (https://www.rfc-editor.org/rfc/rfc9110#section-8.3.2). */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*charset\s*=\s*(["']?)([^"';\s]+)\1/i.exec(contentType);
  return m ? m[2].trim() : undefined;
}

/** The canonical name for a label (https://encoding.spec.whatwg.org/#concept-encoding-get), or undefined when the runtime does not know it. */
export function encodingName(label: string): string | undefined {
  let l = label.trim().toLowerCase();
  // Labels real feeds use that WHATWG spells differently.
  if (l === 'tis-620' || l === 'tis620' || l === 'x-tis-620') l = 'windows-874';
  else if (l === 'cp1252') l = 'windows-1252';
  else if (l === 'utf8') l = 'utf-8';
  else if (l === 'ms932' || l === 'cp932') l = 'shift_jis';
  else if (l === 'cp936' || l === 'ms936') l = 'gbk';
  else if (l === 'utf-32' || l === 'utf-32le' || l === 'utf-32be' || l === 'ucs-4')
    return l.startsWith('utf-32') ? l.replace(/^utf-32$/, 'utf-32le') : 'utf-32le';
  else if (l === 'iso-10646-ucs-2' || l === 'ucs-2') l = 'utf-16le';
  try {
    return new TextDecoder(l).encoding;
  } catch {
    return undefined;
  }
}

function bomEncoding(b: Uint8Array): { encoding: string; length: number } | undefined {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (b[0] === 0x00 && b[1] === 0x00 && b[2] === 0xfe && b[3] === 0xff) return { encoding: 'utf-32be', length: 4 };
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0x00 && b[3] === 0x00) return { encoding: 'utf-32le', length: 4 };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  return undefined;
}

/** UTF-16/32 without a BOM, recognised by the zero bytes around the first '<' or '{'. */
function sniffWide(b: Uint8Array): string | undefined {
  if (b.length < 4) return undefined;
  if (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] !== 0) return 'utf-32be';
  if (b[0] !== 0 && b[1] === 0 && b[2] === 0 && b[3] === 0) return 'utf-32le';
  if (b[0] === 0 && b[1] !== 0 && b[2] === 0) return 'utf-16be';
  if (b[0] !== 0 && b[1] === 0 && b[2] !== 0 && b[3] === 0) return 'utf-16le';
  return undefined;
}

function decodeUtf32(b: Uint8Array, littleEndian: boolean): string {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let out = '';
  const chunk: number[] = [];
  for (let i = 0; i + 3 < b.length; i += 4) {
    const cp = view.getUint32(i, littleEndian);
    chunk.push(cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? cp : 0xfffd);
    if (chunk.length === 4096) {
      out += String.fromCodePoint(...chunk);
      chunk.length = 0;
    }
  }
  return out + String.fromCodePoint(...chunk);
}

function decodeWith(b: Uint8Array, encoding: string): string {
  if (encoding === 'utf-32le' || encoding === 'utf-32be') return decodeUtf32(b, encoding === 'utf-32le');
  return new TextDecoder(encoding).decode(b);
}

/** The text when `b` is valid UTF-8, else undefined (one pass either way). */
function strictUtf8(b: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(b);
  } catch {
    return undefined;
  }
}

function hasNonAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] > 0x7f) return true;
  return false;
}

/** The encoding named in `<?xml … encoding="…"?>` (read as ASCII from the first bytes). */
function declaredEncoding(b: Uint8Array): string | undefined {
  const head = String.fromCharCode(...b.subarray(0, Math.min(b.length, 512)));
  const m = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']/.exec(head);
  return m ? m[1] : undefined;
}

const UNICODE = new Set(['utf-8', 'utf-16le', 'utf-16be', 'utf-32le', 'utf-32be']);

export type DecodeResult = Result<{ text: string; encoding: string; charset: CharsetReport; warnings: string[] }, 'empty' | 'encoding'>;

/** What the source says its charset is: the HTTP charset, else the XML declaration (UTF-16/32 by its zero bytes). */
interface Declaration {
  name: string;
  label: string;
  how: 'http' | 'declared' | 'detected';
}

function declaration(body: Uint8Array, contentType: string | undefined, warnings: string[]): Declaration | undefined {
  const wide = sniffWide(body);
  const httpLabel = charsetFromContentType(contentType);
  const http = httpLabel ? encodingName(httpLabel) : undefined;
  if (httpLabel && !http) warnings.push(`unknown charset "${httpLabel}" in Content-Type`);
  // A UTF-16/32 body labelled with an 8-bit charset cannot be that charset.
  if (http && !(wide && !http.startsWith('utf-16') && !http.startsWith('utf-32'))) return { name: http, label: httpLabel!, how: 'http' };
  if (wide) return { name: wide, label: wide, how: 'detected' };
  const declared = declaredEncoding(body);
  if (declared === undefined) return undefined;
  const name = encodingName(declared);
  if (!name) warnings.push(`unknown encoding "${declared}" in the XML declaration`);
  // utf-16 declared in a document whose bytes are ASCII-compatible is a lie.
  else if (!name.startsWith('utf-16') && !name.startsWith('utf-32')) return { name, label: declared, how: 'declared' };
  else warnings.push(`declared ${declared} but the bytes are 8-bit`);
  return undefined;
}

function declaredReport(d: Declaration | undefined, name: string, reason: string): CharsetReport {
  return d ? { name, how: d.how, declared: d.label, reason } : { name, how: 'default', reason };
}

function said(d: Declaration): string {
  return d.how === 'http'
    ? `Content-Type charset=${d.label}`
    : d.how === 'declared'
      ? `encoding="${d.label}" in the XML declaration`
      : `no byte order mark, but zero bytes beside the markup show ${d.name}`;
}

/** A reading of the body: the text and how its charset was chosen. */
type Reading = { text: string; charset: CharsetReport };

/** Bytes that are valid UTF-8: UTF-8 (once or, when they say so, twice), whatever a single-byte label said. */
function readValidUtf8(text: string, d: Declaration | undefined, warnings: string[]): Reading {
  const twice = undoDoubleUtf8(text);
  if (twice !== undefined) {
    const reason = 'UTF-8 encoded twice (read as windows-1252 and encoded again): decoded twice';
    warnings.push(reason);
    return { text: twice, charset: { name: 'utf-8', how: 'detected', ...(d ? { declared: d.label } : {}), reason } };
  }
  if (d && !UNICODE.has(d.name)) {
    // Valid UTF-8 with non-ASCII bytes is almost never a legacy charset by accident.
    warnings.push(`declared ${d.name} but the bytes are UTF-8`);
    return { text, charset: { name: 'utf-8', how: 'detected', declared: d.label, reason: `${said(d)}, but the bytes are valid UTF-8` } };
  }
  return { text, charset: declaredReport(d, 'utf-8', d ? said(d) : 'nothing declared; the bytes are valid UTF-8') };
}

// Another charset than the declared one (windows-1252 when none is) must read clearly better, per byte and in all.
const MARGIN_PER_BYTE = 0.25;
const MARGIN_POINTS = 8;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Bytes that are not valid UTF-8: the declared charset unless another reads clearly better. */
function readLegacy(bytes: Uint8Array, d: Declaration | undefined, warnings: string[]): Reading {
  const reference = d?.name ?? 'windows-1252';
  const ranked = rankCharsets(bytes, CANDIDATES.includes(reference) ? CANDIDATES : [...CANDIDATES, reference]);
  const best = ranked[0];
  const ref = ranked.find((r) => r.name === reference)!;
  const gain = best.score - ref.score;
  if (best.name !== reference && gain >= MARGIN_PER_BYTE && gain * best.nonAscii >= MARGIN_POINTS) {
    const lenient = best.name === 'utf-8' ? decodeUtf8Leniently(bytes) : undefined;
    const reason = `${d ? `${said(d)}, but the bytes` : 'nothing declared; the bytes'} read best as ${best.name} (${best.score.toFixed(2)} points a byte, ${reference} ${ref.score.toFixed(2)})${lenient ? `; ${plural(lenient.stray, 'stray byte')} read as windows-1252` : ''}`;
    warnings.push(reason);
    return { text: lenient?.text ?? decodeWith(bytes, best.name), charset: { name: best.name, how: 'detected', ...(d ? { declared: d.label } : {}), reason } };
  }
  if (reference === 'utf-8') warnings.push('invalid UTF-8 bytes replaced');
  // Undeclared and not UTF-8: windows-1252 is what most such feeds are (and what iso-8859-1 means).
  else if (!d) warnings.push('no declared encoding and the bytes are not UTF-8; read as windows-1252');
  const reason = d ? said(d) : 'nothing declared, the bytes are not UTF-8 and no charset reads clearly better than windows-1252';
  return { text: decodeWith(bytes, reference), charset: declaredReport(d, reference, reason) };
}

/** Chooses the charset and decodes; BOM first, then the declaration checked against the bytes. */
function readBody(body: Uint8Array, contentType: string | undefined, warnings: string[]): Reading {
  const bom = bomEncoding(body);
  if (bom)
    return {
      text: decodeWith(body.subarray(bom.length), bom.encoding),
      charset: { name: bom.encoding, how: 'bom', reason: `byte order mark of ${bom.encoding}` },
    };
  const d = declaration(body, contentType, warnings);
  if (d && UNICODE.has(d.name) && d.name !== 'utf-8') return { text: decodeWith(body, d.name), charset: declaredReport(d, d.name, said(d)) };
  if (!hasNonAscii(body))
    return { text: decodeWith(body, d?.name ?? 'utf-8'), charset: declaredReport(d, d?.name ?? 'utf-8', d ? said(d) : 'nothing declared; ASCII only') };
  const utf8 = strictUtf8(body);
  return utf8 !== undefined ? readValidUtf8(utf8, d, warnings) : readLegacy(body, d, warnings);
}

/** Decodes a response body: a BOM first (https://encoding.spec.whatwg.org/#bom-sniff), then the declarations checked against the bytes; never throws. */
export function decodeBody(body: Uint8Array, contentType?: string): DecodeResult {
  if (body.length === 0) return failed('empty', 'empty body');
  const warnings: string[] = [];
  let reading: Reading;
  try {
    reading = readBody(body, contentType, warnings);
  } catch (e) {
    return failed('encoding', `cannot decode body: ${errorText(e)}`);
  }
  const text = reading.text.charCodeAt(0) === 0xfeff ? reading.text.slice(1) : reading.text;
  return { ok: true, text, encoding: reading.charset.name, charset: reading.charset, warnings };
}
