// The one escaping path for every document we write (XML feeds, OPML, and the HTML pages).
// Text passes through `escapeXml`/`escapeAttr` exactly once, where it is placed; HTML bodies go in CDATA via `cdataContent`.
import { languageTag } from '../patterns';

/**
 * Code points XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF), plus the
 * C1 controls it discourages (they are never meaningful in feed text and some clients choke on them).
 * The `u` flag makes a valid surrogate pair one code point, so only lone halves match.
 */
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu;

/** Cheap pre-check (no `u` flag, so any surrogate matches): most strings need no stripping. */
const NEEDS_STRIP = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Removes characters XML 1.0 forbids (https://www.w3.org/TR/xml/#charsets) and C1 controls; keeps valid surrogate pairs (emoji). */
export function stripInvalidXmlChars(text: string): string {
  if (!NEEDS_STRIP.test(text)) return text;
  return text.replace(INVALID_XML_CHARS, '');
}

// Native regex scans beat a JS loop several times over; most titles and URLs need no change at all.
const TEXT_NEEDS_WORK = /[&<>"\r\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF\uFFFE\uFFFF]/;
const TEXT_NEEDS_MORE_THAN_AMP = /[<>"\r\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF\uFFFE\uFFFF]/;
const ATTR_NEEDS_WORK = /[&<>"\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF\uFFFE\uFFFF]/;

/**
 * Escapes and strips in one pass over the UTF-16 units (faster than regex replaces on long Thai/Vietnamese text).
 * Same character classes as INVALID_XML_CHARS; in attributes tab and LF become references so they survive
 * attribute-value normalization.
 */
function escapeMarkup(text: string, attribute: boolean): string {
  let out = '';
  let last = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    let replacement: string;
    if (c > 0x3e) {
      if (c < 0x7f || (c > 0x9f && c < 0xd800) || (c > 0xdfff && c < 0xfffe)) continue;
      if (c <= 0xdbff && c >= 0xd800 && i + 1 < length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          i++;
          continue;
        }
      }
      replacement = ''; // C1 control, lone surrogate, U+FFFE/U+FFFF
    } else if (c >= 0x20) {
      if (c === 0x26) replacement = '&amp;';
      else if (c === 0x3c) replacement = '&lt;';
      else if (c === 0x3e) replacement = '&gt;';
      else if (c === 0x22) replacement = '&quot;';
      else continue;
    } else if (c === 0x0a || c === 0x09) {
      if (!attribute) continue;
      replacement = c === 0x0a ? '&#10;' : '&#9;';
    } else if (c === 0x0d) {
      replacement = '&#13;';
    } else {
      replacement = ''; // C0 control
    }
    if (i > last) out += text.slice(last, i);
    out += replacement;
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * Escapes text for element content (also safe in a double-quoted attribute).
 * `>` is always escaped, so `]]>` can never appear in output; `\r` is kept as a reference so parsers keep it.
 */
export function escapeXml(text: string): string {
  if (!TEXT_NEEDS_WORK.test(text)) return text;
  // Links with a query string: `&` is often all there is to escape, and one native replace does it.
  return TEXT_NEEDS_MORE_THAN_AMP.test(text) ? escapeMarkup(text, false) : text.replaceAll('&', '&amp;');
}

/** Escapes a double-quoted attribute value; tab/LF/CR become references so attribute normalization (https://www.w3.org/TR/xml/#AVNormalize) keeps them. */
export function escapeAttr(text: string): string {
  return ATTR_NEEDS_WORK.test(text) ? escapeMarkup(text, true) : text;
}

/**
 * A CDATA section that is always well-formed: `]]>` inside the text is split across two sections, and
 * characters XML forbids are dropped. Used for HTML bodies: no per-character escaping of long markup.
 * https://www.w3.org/TR/xml/#sec-cdata-sect
 */
export function cdata(text: string): string {
  return `<![CDATA[${cdataContent(text)}]]>`;
}

/**
 * What breaks XML in a body: C0 controls but tab/LF/CR, and surrogates (a valid pair, an emoji, sends the body to the
 * exact strip, which keeps it). U+FFFE/U+FFFF and DEL (which ingest keeps, and we drop as before) are looked for apart:
 * a literal search is many times cheaper than a wider class on long Thai/Vietnamese text.
 */
const BODY_SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF]/;

/**
 * Whether a long body may hold a character stripInvalidXmlChars removes.
 * Invariant relied on: bodies come from ingest, whose cleanCharacters mapped C1 controls to windows-1252, so those
 * are not looked for (they are legal XML anyway); anything else found takes the exact strip.
 */
export function bodyNeedsStrip(text: string, suspect: RegExp = BODY_SUSPECT): boolean {
  return suspect.test(text) || text.includes('\uFFFE') || text.includes('\uFFFF') || text.includes('\u007F');
}

/** What goes between `<![CDATA[` and `]]>`; renderers push the three pieces so a long body is copied once, by join. */
export function cdataContent(text: string): string {
  const clean = bodyNeedsStrip(text) ? stripInvalidXmlChars(text) : text;
  return clean.includes(']]>') ? clean.replaceAll(']]>', ']]]]><![CDATA[>') : clean;
}

/** `name="value"` with the value escaped, or '' when the value is absent or empty. */
export function attr(name: string, value: string | number | undefined | null): string {
  if (value === undefined || value === null || value === '') return '';
  return ` ${name}="${escapeAttr(String(value))}"`;
}

/** languageTag remembering its last answer: a river's items repeat a handful of languages, often in runs. */
export function languageTagger(): (value: string | undefined) => string | undefined {
  let lastValue: string | undefined;
  let lastTag: string | undefined;
  return (value) => {
    if (value !== lastValue) {
      lastValue = value;
      lastTag = languageTag(value);
    }
    return lastTag;
  };
}

/** A media type usable in type="" (Atom requires `x/y`: https://www.rfc-editor.org/rfc/rfc4287#section-4.2.7.3), or undefined. */
export function mediaType(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const type = value.trim();
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*;.*)?$/.test(type) ? type : undefined;
}
