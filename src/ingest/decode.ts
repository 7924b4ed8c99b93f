// Bytes → text. Order: BOM, HTTP charset, XML declaration / JSON, then a sniff.
// Bytes that are valid UTF-8 win over a prolog that names a single-byte charset (Miniflux does the
// same: such prologs are usually copied from a template). Decoding uses the runtime's TextDecoder,
// which knows every WHATWG label (windows-874, windows-1258, GBK, Big5, Shift_JIS, EUC-KR, KOI8-R…).

export type DecodeResult =
  | { ok: true; text: string; encoding: string; warnings: string[] }
  | { ok: false; error: string };

/** The charset parameter of a Content-Type header. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*charset\s*=\s*(["']?)([^"';\s]+)\1/i.exec(contentType);
  return m ? m[2].trim() : undefined;
}

/** The canonical WHATWG name for a label, or undefined when the runtime does not know it. */
export function encodingName(label: string): string | undefined {
  let l = label.trim().toLowerCase();
  // Labels real feeds use that WHATWG spells differently.
  if (l === 'tis-620' || l === 'tis620' || l === 'x-tis-620') l = 'windows-874';
  else if (l === 'cp1252') l = 'windows-1252';
  else if (l === 'utf8') l = 'utf-8';
  else if (l === 'ms932' || l === 'cp932') l = 'shift_jis';
  else if (l === 'cp936' || l === 'ms936') l = 'gbk';
  else if (l === 'utf-32' || l === 'utf-32le' || l === 'utf-32be' || l === 'ucs-4') return l.startsWith('utf-32') ? l.replace(/^utf-32$/, 'utf-32le') : 'utf-32le';
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

/** Decodes a response body; never throws. Invalid bytes become U+FFFD. */
export function decodeBody(body: Uint8Array, contentType?: string): DecodeResult {
  const warnings: string[] = [];
  if (body.length === 0) return { ok: false, error: 'empty body' };
  let encoding: string | undefined;
  let start = 0;
  const bom = bomEncoding(body);
  if (bom) {
    encoding = bom.encoding;
    start = bom.length;
  }
  const wide = bom ? undefined : sniffWide(body);
  if (!encoding) {
    const httpLabel = charsetFromContentType(contentType);
    const http = httpLabel ? encodingName(httpLabel) : undefined;
    if (httpLabel && !http) warnings.push(`unknown charset "${httpLabel}" in Content-Type`);
    // A UTF-16/32 body labelled with an 8-bit charset cannot be that charset.
    if (http && !(wide && !http.startsWith('utf-16') && !http.startsWith('utf-32'))) encoding = http;
  }
  if (!encoding && wide) {
    encoding = wide;
  }
  if (!encoding) {
    const declared = declaredEncoding(body);
    if (declared !== undefined) {
      const name = encodingName(declared);
      if (!name) warnings.push(`unknown encoding "${declared}" in the XML declaration`);
      // utf-16 declared in a document whose bytes are ASCII-compatible is a lie.
      else if (!name.startsWith('utf-16') && !name.startsWith('utf-32')) encoding = name;
      else warnings.push(`declared ${declared} but the bytes are 8-bit`);
    }
  }
  const bytes = start ? body.subarray(start) : body;
  let text: string | undefined;
  if (!bom && encoding && !UNICODE.has(encoding) && hasNonAscii(bytes)) {
    // Valid UTF-8 with non-ASCII bytes is almost never a legacy charset by accident.
    text = strictUtf8(bytes);
    if (text !== undefined) {
      warnings.push(`declared ${encoding} but the bytes are UTF-8`);
      encoding = 'utf-8';
    }
  }
  if (text === undefined && (!encoding || encoding === 'utf-8')) {
    text = strictUtf8(bytes);
    if (text === undefined) {
      if (encoding) warnings.push('invalid UTF-8 bytes replaced');
      else {
        // Undeclared and not UTF-8: windows-1252 is what most such feeds are (and what iso-8859-1 means).
        warnings.push('no declared encoding and the bytes are not UTF-8; read as windows-1252');
        encoding = 'windows-1252';
      }
    } else encoding = 'utf-8';
  }
  const finalEncoding = encoding ?? 'utf-8';
  if (text === undefined) {
    try {
      text = decodeWith(bytes, finalEncoding);
    } catch (e) {
      return { ok: false, error: `cannot decode body as ${finalEncoding}: ${(e as Error).message}` };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { ok: true, text, encoding: finalEncoding, warnings };
}
