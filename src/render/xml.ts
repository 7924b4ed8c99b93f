// The one escaping path for every document we write (XML feeds, OPML, and the HTML pages).
// Text passes through `escapeXml`/`escapeAttr` exactly once, at the moment it is placed in markup.

/**
 * Code points XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF), plus the
 * C1 controls it discourages (they are never meaningful in feed text and some clients choke on them).
 * The `u` flag makes a valid surrogate pair one code point, so only lone halves match.
 */
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu;

/** Cheap pre-check (no `u` flag, so any surrogate matches): most strings need neither stripping nor escaping. */
const NEEDS_STRIP = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF\uFFFE\uFFFF]/;
const NEEDS_TEXT_WORK = /[&<>"\r\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF\uFFFE\uFFFF]/;
const NEEDS_ATTR_WORK = /[&<>"\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF\uFFFE\uFFFF]/;

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;' };
const ATTR_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '\t': '&#9;', '\n': '&#10;' };

/** Removes characters XML 1.0 forbids (and C1 controls); keeps valid surrogate pairs (emoji). */
export function stripInvalidXmlChars(text: string): string {
  if (!NEEDS_STRIP.test(text)) return text;
  return text.replace(INVALID_XML_CHARS, '');
}

/**
 * Escapes text for element content (also safe in a double-quoted attribute).
 * `>` is always escaped, so `]]>` can never appear in output; `\r` is kept as a reference so parsers keep it.
 */
export function escapeXml(text: string): string {
  if (!NEEDS_TEXT_WORK.test(text)) return text;
  return stripInvalidXmlChars(text).replace(/[&<>"\r]/g, (ch) => TEXT_ESCAPES[ch]);
}

/** Escapes a double-quoted attribute value; tab/LF/CR become references so attribute normalization keeps them. */
export function escapeAttr(text: string): string {
  if (!NEEDS_ATTR_WORK.test(text)) return text;
  return stripInvalidXmlChars(text).replace(/[&<>"\t\n\r]/g, (ch) => ATTR_ESCAPES[ch]);
}

/**
 * A CDATA section that is always well-formed: `]]>` inside the text is split across two sections.
 * The renderers escape instead; this is for callers that want CDATA for readability.
 */
export function cdata(text: string): string {
  return `<![CDATA[${stripInvalidXmlChars(text).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** `name="value"` with the value escaped, or '' when the value is absent or empty. */
export function attr(name: string, value: string | number | undefined | null): string {
  if (value === undefined || value === null || value === '') return '';
  return ` ${name}="${escapeAttr(String(value))}"`;
}

/** `<name attrs>text</name>` with the text escaped, or '' when the text is absent or empty. */
export function textElement(name: string, text: string | undefined | null, attrs = ''): string {
  if (text === undefined || text === null || text === '') return '';
  return `<${name}${attrs}>${escapeXml(text)}</${name}>`;
}

/**
 * A language tag usable in xml:lang / <language> / lang (RFC 3066 shape, as the Atom schema wants),
 * or undefined. Accepts "th_TH" and "en-us"; rejects empty strings and junk.
 */
export function languageTag(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const tag = value.trim().replaceAll('_', '-');
  return /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(tag) ? tag : undefined;
}

/** A media type usable in type="" (Atom requires `x/y`), or undefined. */
export function mediaType(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const type = value.trim();
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*;.*)?$/.test(type) ? type : undefined;
}
