// URL resolution for links and resources found in feeds.

export type UrlUse = 'link' | 'resource';

/** Schemes a reader may follow: links may also be mailto:, resources (img, media) only http(s). */
const ALLOWED: Record<UrlUse, Set<string>> = {
  link: new Set(['http:', 'https:', 'mailto:']),
  resource: new Set(['http:', 'https:']),
};

/**
 * How the scanner treats each ASCII character after the host. 1: copied verbatim by a WHATWG URL parser in an
 * http(s) path, query and fragment (unreserved, sub-delims, ':', '@', '/'); 2: needs a look ('.' may start a dot
 * segment, '%' needs two hex digits and must not spell a dot, "'" is percent-encoded in a query, '?' and '#'
 * change part); 0: anything else (the parser would encode, drop or reinterpret it).
 */
const CHAR_CLASS = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~!$&()*+,;=:@/') CHAR_CLASS[c.charCodeAt(0)] = 1;
for (const c of ".%'?#") CHAR_CLASS[c.charCodeAt(0)] = 2;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** After a '/', is the '.' at `i` a "." or ".." segment (which the parser resolves)? */
function isDotSegment(s: string, i: number): boolean {
  let c = s.charCodeAt(i + 1);
  if (c === 46) c = s.charCodeAt(i + 2);
  return Number.isNaN(c) || c === 47 || c === 63 || c === 35;
}

/**
 * `s` as `new URL(s).href` would write it, when `s` is an absolute http(s) URL that the parser provably leaves
 * as it is (or only adds the root '/'): lower-case scheme and host of [a-z0-9.-] labels (no port, no userinfo,
 * no IPv4/IPv6, no punycode), then only characters the parser copies verbatim, no dot segments, no '%2e'.
 * undefined means "not sure": the caller asks `new URL`. This skips the parser for the common case only.
 * https://url.spec.whatwg.org/#concept-url-serializer
 */
export function cleanAbsoluteHref(s: string): string | undefined {
  let i: number;
  if (s.startsWith('https://')) i = 8;
  else if (s.startsWith('http://')) i = 7;
  else return undefined;
  const len = s.length;
  const hostStart = i;
  let labelStart = i;
  // Host: labels of [a-z0-9-], the last one starting with a letter (a digit there would make it an IPv4 number).
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45) {
      if (c === 120 && i === labelStart && s.startsWith('xn--', i)) return undefined; // punycode: validated by the parser
      continue;
    }
    if (c === 46) {
      if (i === labelStart) return undefined; // empty label
      labelStart = i + 1;
      continue;
    }
    if (c === 47 || c === 63 || c === 35) break;
    return undefined; // port, userinfo, upper case, IPv6, non-ASCII, backslash, whitespace…
  }
  if (i === labelStart || i - hostStart > 253) return undefined; // empty or trailing-dot host, or over-long
  const first = s.charCodeAt(labelStart);
  if (first < 97 || first > 122) return undefined;
  if (i === len) return s + '/';
  if (s.charCodeAt(i) !== 47) return undefined; // "http://host?q" gets a '/' inserted: let the parser do it
  let part = 0; // 0 path, 1 query, 2 fragment
  for (i = i + 1; i < len; i++) {
    const c = s.charCodeAt(i);
    const kind = c < 128 ? CHAR_CLASS[c] : 0;
    if (kind === 1) continue;
    if (kind === 0) return undefined;
    if (c === 46) {
      if (part === 0 && s.charCodeAt(i - 1) === 47 && isDotSegment(s, i)) return undefined;
    } else if (c === 37) {
      // "%2e" may be a dot segment; a '%' without two hex digits is left to the parser.
      const h1 = s.charCodeAt(i + 1);
      const h2 = s.charCodeAt(i + 2);
      if (!isHex(h1) || !isHex(h2) || (h1 === 50 && (h2 | 32) === 101)) return undefined;
    } else if (c === 39) {
      if (part === 1) return undefined;
    } else if (c === 63) {
      if (part === 0) part = 1;
    } else if (part === 2) {
      return undefined; // a second '#': kept by the parser, but not worth proving here
    } else part = 2;
  }
  return s;
}

// One entry is enough: a feed item resolves all its URLs against the same base.
let lastBase = '';
let lastBaseParses = false;

function baseParses(base: string): boolean {
  if (base === lastBase) return lastBaseParses;
  let ok = cleanAbsoluteHref(base) !== undefined;
  if (!ok) {
    try {
      new URL(base);
      ok = true;
    } catch {
      ok = false;
    }
  }
  lastBase = base;
  lastBaseParses = ok;
  return ok;
}

/**
 * Resolves `ref` against the first absolute base and returns it when its scheme is allowed for `use`;
 * undefined when it is empty, unparseable, or of a forbidden scheme (javascript:, data:, vbscript:, file:…).
 * https://url.spec.whatwg.org/#concept-basic-url-parser
 */
export function resolveUrl(ref: string | undefined, base: string | undefined, use: UrlUse = 'link'): string | undefined {
  if (ref === undefined) return undefined;
  const trimmed = ref.trim();
  if (trimmed === '') return undefined;
  // Most feed URLs are already absolute and clean: no parser needed (http(s) is allowed for every use).
  // The URL constructor throws on an unparseable base even for an absolute ref, so the base must parse too.
  if (!base || baseParses(base)) {
    const clean = cleanAbsoluteHref(trimmed);
    if (clean !== undefined) return clean;
  }
  let url: URL;
  try {
    url = base ? new URL(trimmed, base) : new URL(trimmed);
  } catch {
    return undefined;
  }
  if (!ALLOWED[use].has(url.protocol)) return undefined;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.hostname) return undefined;
  return url.href;
}

/** The first base that is an absolute http(s) URL. */
export function firstAbsolute(...bases: (string | undefined)[]): string | undefined {
  for (const b of bases) {
    if (!b) continue;
    const trimmed = b.trim();
    const clean = cleanAbsoluteHref(trimmed);
    if (clean !== undefined) return clean;
    try {
      const u = new URL(trimmed);
      if (u.protocol === 'http:' || u.protocol === 'https:') return u.href;
    } catch {
      // not absolute: try the next
    }
  }
  return undefined;
}

/** The hostname of an href that resolveUrl returned (the parser only when the authority is not plain). */
export function hostnameOf(href: string): string {
  const start = href.startsWith('https://') ? 8 : href.startsWith('http://') ? 7 : -1;
  if (start !== -1) {
    let end = start;
    for (; end < href.length; end++) {
      const c = href.charCodeAt(end);
      if (c === 47 || c === 63 || c === 35) break;
      if (c === 58 || c === 64 || c === 91 || c === 92 || c === 37) {
        end = -1; // port, userinfo, IPv6, backslash, percent: ask the parser
        break;
      }
    }
    if (end !== -1) return href.slice(start, end);
  }
  try {
    return new URL(href).hostname;
  } catch {
    return '';
  }
}
