// A small HTML tokenizer (the WHATWG tokenizer's states that matter for feed fragments):
// text, start/end tags with attributes, comments, doctype, and raw-text elements.
// The sanitizer and the HTML-to-text path both read HTML through it, so they agree on what a tag is.
import { decodeHTML, decodeHTMLAttribute } from 'entities';

export type HtmlToken =
  /** `plain`: the text holds no '&', '<' or '>' (it is its source, verbatim): nothing to decode or escape. */
  | { kind: 'text'; text: string; plain?: boolean }
  | { kind: 'start'; name: string; attrs: [string, string][]; selfClosing: boolean }
  | { kind: 'end'; name: string };

/** Elements whose content is raw text up to the matching end tag (never markup). */
export const RAW_TEXT = new Set(['script', 'style', 'iframe', 'noscript', 'xmp', 'noembed', 'noframes', 'textarea', 'title', 'plaintext']);

function isAsciiAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isHtmlSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 12 || c === 13;
}

/** ASCII lower case, as HTML folds names: toLowerCase would turn U+212A (Kelvin) into 'k' and 'İ' into two units. */
function asciiLower(name: string): string {
  // A code loop, not a regex test: it runs for every tag and attribute name, nearly all lower-case already.
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return name.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return name;
}

function hasAttribute(attrs: [string, string][], name: string): boolean {
  for (let i = 0; i < attrs.length; i++) if (attrs[i][0] === name) return true;
  return false;
}

const RAW_TEXT_ENDS = new Map<string, RegExp>();

/** Index of the end tag `</name` (any ASCII case) that ends a raw-text element, searched from `from`; -1 if none. */
function rawTextEnd(html: string, name: string, from: number): number {
  // The i flag without u folds ASCII only, and the search runs on the input itself, so indexes never drift.
  let re = RAW_TEXT_ENDS.get(name);
  if (!re) RAW_TEXT_ENDS.set(name, (re = new RegExp(`</${name}(?=[\\t\\n\\f\\r />]|$)`, 'gi')));
  re.lastIndex = from;
  return re.exec(html)?.index ?? -1;
}

/**
 * Calls `emit` for every token of `html`, in order. Never throws; malformed markup becomes text or is skipped.
 * `cleaned`: `html` has been through cleanCharacters, so decoded text needs it again only where a numeric reference
 * (&#1;) could bring back a character XML forbids. https://html.spec.whatwg.org/multipage/parsing.html#tokenization
 */
export function tokenizeHtml(html: string, emit: (t: HtmlToken) => void, rawText: ReadonlySet<string> = RAW_TEXT, cleaned = false): void {
  const decodedText = cleaned ? decodedCleanText : decodedAnyText;
  const decodedValue = cleaned ? decodedCleanValue : decodedAnyValue;
  const len = html.length;
  let pos = 0;
  let textStart = 0;
  // Next '&' and '>' at or after the current text run, found lazily (each stretch of the input is searched once),
  // and whether a literal '<' was passed over in the run: a run with none of the three is its own decoded text.
  let nextAmp = -2;
  let nextGt = -2;
  let literalLt = false;
  // Next ']]>' after a '<![CDATA[', found lazily as well: many unclosed ones must not each search to the end.
  let nextCdataEnd = -2;
  const flushText = (end: number) => {
    if (end > textStart) {
      if (nextAmp !== -1 && nextAmp < textStart) nextAmp = html.indexOf('&', textStart);
      if (nextGt !== -1 && nextGt < textStart) nextGt = html.indexOf('>', textStart);
      const raw = html.slice(textStart, end);
      if (!literalLt && (nextAmp === -1 || nextAmp >= end) && (nextGt === -1 || nextGt >= end)) emit({ kind: 'text', text: raw, plain: true });
      else emit({ kind: 'text', text: decodedText(raw) });
    }
    literalLt = false;
  };
  while (pos < len) {
    const lt = html.indexOf('<', pos);
    if (lt === -1) break;
    const c = html.charCodeAt(lt + 1);
    const cdata = c === 33 && html.startsWith('<![CDATA[', lt);
    if (cdata && nextCdataEnd !== -1 && nextCdataEnd < lt + 9) nextCdataEnd = html.indexOf(']]>', lt + 9);
    if (cdata && nextCdataEnd === -1) {
      // No ']]>' follows, so not CDATA copied from xhtml (XML refuses that) but text naming it ("the <![CDATA[ trick"),
      // kept as text with what follows still markup, where a browser would hide all up to the next '>'.
      pos = lt + 1;
      literalLt = true;
      continue;
    }
    if (c === 33 /* ! */ || c === 63 /* ? */) {
      flushText(lt);
      // Comment, doctype, CDATA or processing instruction: dropped.
      let end: number;
      if (html.startsWith('<!--', lt)) {
        end = html.indexOf('-->', lt + 4);
        end = end === -1 ? len : end + 3;
      } else if (cdata) {
        // CDATA inside HTML (xhtml content copied raw): its text is text.
        const text = html.slice(lt + 9, nextCdataEnd);
        if (text) emit({ kind: 'text', text });
        end = nextCdataEnd + 3;
      } else {
        end = html.indexOf('>', lt + 2);
        end = end === -1 ? len : end + 1;
      }
      pos = textStart = end;
      continue;
    }
    if (c === 47 /* / */) {
      if (!isAsciiAlpha(html.charCodeAt(lt + 2))) {
        // "</>" is nothing; "</ x>" is a bogus comment.
        flushText(lt);
        const end = html.indexOf('>', lt + 2);
        pos = textStart = end === -1 ? len : end + 1;
        continue;
      }
      flushText(lt);
      let p = lt + 2;
      while (p < len && !isHtmlSpace(html.charCodeAt(p)) && html.charCodeAt(p) !== 47 && html.charCodeAt(p) !== 62) p++;
      const name = asciiLower(html.slice(lt + 2, p));
      const end = html.indexOf('>', p);
      pos = textStart = end === -1 ? len : end + 1;
      emit({ kind: 'end', name });
      continue;
    }
    if (!isAsciiAlpha(c)) {
      pos = lt + 1; // a literal '<' stays in the text
      literalLt = true;
      continue;
    }
    flushText(lt);
    let p = lt + 1;
    while (p < len && !isHtmlSpace(html.charCodeAt(p)) && html.charCodeAt(p) !== 47 && html.charCodeAt(p) !== 62) p++;
    const name = asciiLower(html.slice(lt + 1, p));
    const attrs: [string, string][] = [];
    let names: Set<string> | undefined;
    let selfClosing = false;
    while (p < len) {
      const ch = html.charCodeAt(p);
      if (isHtmlSpace(ch)) {
        p++;
        continue;
      }
      if (ch === 62) {
        p++;
        break;
      }
      if (ch === 47) {
        p++;
        if (html.charCodeAt(p) === 62) {
          selfClosing = true;
          p++;
          break;
        }
        continue;
      }
      const ns = p;
      p++; // the first character belongs to the name even if it is '='
      while (p < len) {
        const a = html.charCodeAt(p);
        if (isHtmlSpace(a) || a === 47 || a === 62 || a === 61) break;
        p++;
      }
      const attrName = asciiLower(html.slice(ns, p));
      while (p < len && isHtmlSpace(html.charCodeAt(p))) p++;
      let value = '';
      if (html.charCodeAt(p) === 61) {
        p++;
        while (p < len && isHtmlSpace(html.charCodeAt(p))) p++;
        const q = html.charCodeAt(p);
        if (q === 34 || q === 39) {
          let close = html.indexOf(q === 34 ? '"' : "'", p + 1);
          if (close === -1) close = len;
          value = decodedValue(html.slice(p + 1, close));
          p = close + 1;
        } else {
          const vs = p;
          while (p < len && !isHtmlSpace(html.charCodeAt(p)) && html.charCodeAt(p) !== 62) p++;
          value = decodedValue(html.slice(vs, p));
        }
      }
      // The first of a repeated name wins, as in HTML. A loop over the usual few; past those a Set, so a tag with
      // 20,000 attributes costs what it is long.
      if (attrs.length < 8 ? !hasAttribute(attrs, attrName) : !(names ??= new Set(attrs.map(([n]) => n))).has(attrName)) {
        attrs.push([attrName, value]);
        names?.add(attrName);
      }
    }
    pos = textStart = Math.min(p, len);
    emit({ kind: 'start', name, attrs, selfClosing });
    if (rawText.has(name)) {
      // The self-closing flag means nothing on these: their raw text still follows.
      // Raw text up to "</name": emitted as one text token the consumer may drop.
      const close = rawTextEnd(html, name, pos);
      const stop = close === -1 ? len : close;
      if (stop > pos) emit({ kind: 'text', text: name === 'textarea' || name === 'title' ? decodedText(html.slice(pos, stop)) : html.slice(pos, stop) });
      if (close === -1) {
        pos = textStart = len;
      } else {
        const gt = html.indexOf('>', close);
        pos = textStart = gt === -1 ? len : gt + 1;
        emit({ kind: 'end', name });
      }
    }
  }
  flushText(len);
}

/** Characters XML 1.0 forbids (C0 controls but tab/LF/CR, U+FFFE/U+FFFF), and C1 controls. */
// eslint-disable-next-line no-control-regex
const BAD_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u0080-\u009F\uFFFE\uFFFF]/g;
/** The same class without the g flag, for the test: no lastIndex to reset. */
// eslint-disable-next-line no-control-regex
const HAS_BAD_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u0080-\u009F\uFFFE\uFFFF]/;
const CP1252 = new TextDecoder('windows-1252');

/**
 * Removes what XML 1.0 forbids (lone surrogates become U+FFFD), and reads C1 controls (U+0080–U+009F)
 * as the windows-1252 characters they almost always are ("don\u0092t" → "don’t").
 * One plain character-class scan in the common case (no lookaround: it is on the hot path). https://www.w3.org/TR/xml/#charsets
 */
export function cleanCharacters(text: string): string {
  // ES2024 string methods (in workerd and Node 20+; the project's lib setting predates them).
  const s = text as string & { isWellFormed(): boolean; toWellFormed(): string };
  let out = s.isWellFormed() ? text : s.toWellFormed();
  if (!HAS_BAD_CHARS.test(out)) return out;
  out = out.replace(BAD_CHARS, (c: string) => {
    const code = c.charCodeAt(0);
    if (code >= 0x80 && code <= 0x9f) {
      const mapped = CP1252.decode(new Uint8Array([code]));
      return mapped.charCodeAt(0) >= 0x80 && mapped.charCodeAt(0) <= 0x9f ? '' : mapped;
    }
    return '';
  });
  return out;
}

const BLOCK_BREAKS = new Set(['br', 'p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'dt', 'dd', 'hr']);
const INVISIBLE = new Set(['script', 'style', 'noscript', 'iframe', 'template', 'head', 'title', 'textarea', 'xmp', 'noembed', 'noframes']);

/** Text with its character references decoded; a reference to a character XML forbids (&#1;) yields nothing. */
function decodedAnyText(raw: string): string {
  return cleanCharacters(decodeHTML(raw));
}

function decodedAnyValue(raw: string): string {
  return cleanCharacters(decodeHTMLAttribute(raw));
}

/** decodedAnyValue for clean text: most values (URLs, sizes) hold no reference at all. */
function decodedCleanValue(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.includes('&#') ? cleanCharacters(decodeHTMLAttribute(raw)) : decodeHTMLAttribute(raw);
}

/** decodedAnyText for clean text: named references never decode to a character cleanCharacters would change. */
function decodedCleanText(raw: string): string {
  return raw.includes('&#') ? cleanCharacters(decodeHTML(raw)) : decodeHTML(raw);
}

/** Plain text of an HTML fragment: tags dropped, entities decoded once, whitespace collapsed. */
export function htmlToText(html: string): string {
  let out = '';
  let hidden = 0;
  tokenizeHtml(html, (t) => {
    if (t.kind === 'text') {
      if (!hidden) out += t.text;
    } else if (t.kind === 'start') {
      if (INVISIBLE.has(t.name) && !t.selfClosing) hidden++;
      else if (BLOCK_BREAKS.has(t.name)) out += ' ';
    } else if (INVISIBLE.has(t.name)) {
      hidden = Math.max(0, hidden - 1);
    } else if (BLOCK_BREAKS.has(t.name)) out += ' ';
  });
  return out.replace(/[ \t\n\r\f]+/g, ' ').trim();
}

/** Looks like markup or an entity reference (feedparser's "looks like HTML" guess for RSS text). */
export function looksLikeHtml(text: string): boolean {
  return /<\/?[a-zA-Z][^>]*>/.test(text) || /&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);/.test(text);
}
