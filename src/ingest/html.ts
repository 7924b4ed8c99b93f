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

/** Index just past the next `s` at or after `from`; the end of `html` if there is none. */
function pastNext(html: string, s: string, from: number): number {
  const i = html.indexOf(s, from);
  return i === -1 ? html.length : i + s.length;
}

/** End of a tag name starting at `p`: the first space, '/' or '>'. */
function tagNameEnd(html: string, p: number): number {
  const len = html.length;
  for (; p < len; p++) {
    const c = html.charCodeAt(p);
    if (isHtmlSpace(c) || c === 47 || c === 62) break;
  }
  return p;
}

/** End of an attribute name starting at `p`: its first character belongs to it even if it is '='. */
function attributeNameEnd(html: string, p: number): number {
  const len = html.length;
  for (p++; p < len; p++) {
    const c = html.charCodeAt(p);
    if (isHtmlSpace(c) || c === 47 || c === 62 || c === 61) break;
  }
  return p;
}

/** End of an unquoted attribute value starting at `p`: the first space or '>'. */
function unquotedValueEnd(html: string, p: number): number {
  const len = html.length;
  for (; p < len; p++) {
    const c = html.charCodeAt(p);
    if (isHtmlSpace(c) || c === 62) break;
  }
  return p;
}

function skipSpaces(html: string, p: number): number {
  const len = html.length;
  while (p < len && isHtmlSpace(html.charCodeAt(p))) p++;
  return p;
}

/** Where a comment, doctype or processing instruction at `lt` ends: all of it is dropped. */
function skipDeclaration(html: string, lt: number): number {
  return html.startsWith('<!--', lt) ? pastNext(html, '-->', lt + 4) : pastNext(html, '>', lt + 2);
}

/**
 * One tokenizeHtml call: the input, its consumer, and the state the steps share. Each step reads from a '<' and
 * returns where the tokenizer goes on; one object per call, so nothing is allocated per character.
 */
class TokenizerRun {
  readonly html: string;
  readonly emit: (t: HtmlToken) => void;
  readonly rawText: ReadonlySet<string>;
  readonly decodedText: (raw: string) => string;
  readonly decodedValue: (raw: string) => string;
  /** Start of the text run being gathered, and whether a literal '<' was passed over in it. */
  textStart = 0;
  literalLt = false;
  // Next '&' and '>' at or after the current text run, found lazily (each stretch of the input is searched once):
  // a run with none of them, and no literal '<', is its own decoded text.
  nextAmp = -2;
  nextGt = -2;
  /** Next ']]>' after a '<![CDATA[', found lazily as well: many unclosed ones must not each search to the end. */
  nextCdataEnd = -2;
  /** The names of the tag being read, once it has too many attributes for a loop to find a repeat (see addAttribute). */
  attrNames: Set<string> | undefined = undefined;

  constructor(html: string, emit: (t: HtmlToken) => void, rawText: ReadonlySet<string>, cleaned: boolean) {
    this.html = html;
    this.emit = emit;
    this.rawText = rawText;
    this.decodedText = cleaned ? decodedCleanText : decodedAnyText;
    this.decodedValue = cleaned ? decodedCleanValue : decodedAnyValue;
  }

  /** Emits the text run from textStart to `end` (if any), verbatim and marked plain when it holds no '&', '<' or '>'. */
  flushText(end: number): void {
    const { html, emit, textStart } = this;
    if (end > textStart) {
      if (this.nextAmp !== -1 && this.nextAmp < textStart) this.nextAmp = html.indexOf('&', textStart);
      if (this.nextGt !== -1 && this.nextGt < textStart) this.nextGt = html.indexOf('>', textStart);
      const raw = html.slice(textStart, end);
      const { nextAmp, nextGt } = this;
      if (!this.literalLt && (nextAmp === -1 || nextAmp >= end) && (nextGt === -1 || nextGt >= end)) emit({ kind: 'text', text: raw, plain: true });
      else emit({ kind: 'text', text: this.decodedText(raw) });
    }
    this.literalLt = false;
  }

  /** Index of the ']]>' closing a '<![CDATA[' at `lt`, -1 if none follows. */
  cdataEnd(lt: number): number {
    if (this.nextCdataEnd !== -1 && this.nextCdataEnd < lt + 9) this.nextCdataEnd = this.html.indexOf(']]>', lt + 9);
    return this.nextCdataEnd;
  }

  /** CDATA inside HTML (xhtml content copied raw), closed at `close`: its text is text. */
  readCdata(lt: number, close: number): number {
    const text = this.html.slice(lt + 9, close);
    const emit = this.emit;
    if (text) emit({ kind: 'text', text });
    return close + 3;
  }

  /** An end tag at `lt`: "</>" is nothing and "</ x>" a bogus comment, both dropped. */
  readEndTag(lt: number): number {
    const html = this.html;
    if (!isAsciiAlpha(html.charCodeAt(lt + 2))) return pastNext(html, '>', lt + 2);
    const p = tagNameEnd(html, lt + 2);
    const emit = this.emit;
    emit({ kind: 'end', name: asciiLower(html.slice(lt + 2, p)) });
    return pastNext(html, '>', p);
  }

  /** A start tag at `lt`, with its attributes; for a raw-text element, its raw text and end tag as well. */
  readStartTag(lt: number): number {
    const html = this.html;
    const len = html.length;
    let p = tagNameEnd(html, lt + 1);
    const name = asciiLower(html.slice(lt + 1, p));
    const attrs: [string, string][] = [];
    let selfClosing = false;
    this.attrNames = undefined;
    while (p < len) {
      const ch = html.charCodeAt(p);
      if (isHtmlSpace(ch)) {
        p++;
      } else if (ch === 62 /* > */) {
        p++;
        break;
      } else if (ch !== 47 /* / */) {
        p = this.readAttribute(p, attrs);
      } else if (html.charCodeAt(++p) === 62) {
        selfClosing = true;
        p++;
        break;
      }
    }
    const end = Math.min(p, len);
    const emit = this.emit;
    emit({ kind: 'start', name, attrs, selfClosing });
    // The self-closing flag means nothing on these: their raw text still follows.
    return this.rawText.has(name) ? this.readRawText(name, end) : end;
  }

  /** One attribute at `start` (a name, maybe '=' and a value, quoted or not), added to `attrs`; returns where it ends. */
  readAttribute(start: number, attrs: [string, string][]): number {
    const html = this.html;
    let p = attributeNameEnd(html, start);
    const name = asciiLower(html.slice(start, p));
    p = skipSpaces(html, p);
    let value = '';
    if (html.charCodeAt(p) === 61 /* = */) {
      p = skipSpaces(html, p + 1);
      const q = html.charCodeAt(p);
      if (q === 34 || q === 39) {
        let close = html.indexOf(q === 34 ? '"' : "'", p + 1);
        if (close === -1) close = html.length;
        value = this.decodedValue(html.slice(p + 1, close));
        p = close + 1;
      } else {
        const vs = p;
        p = unquotedValueEnd(html, p);
        value = this.decodedValue(html.slice(vs, p));
      }
    }
    this.addAttribute(attrs, name, value);
    return p;
  }

  /**
   * The first of a repeated name wins, as in HTML. A loop over the usual few; past those a Set, so a tag with
   * 20,000 attributes costs what it is long.
   */
  addAttribute(attrs: [string, string][], name: string, value: string): void {
    if (attrs.length < 8 ? !hasAttribute(attrs, name) : !(this.attrNames ??= new Set(attrs.map(([n]) => n))).has(name)) {
      attrs.push([name, value]);
      this.attrNames?.add(name);
    }
  }

  /** Raw text from `from` up to "</name", emitted as one text token the consumer may drop, then the end tag. */
  readRawText(name: string, from: number): number {
    const html = this.html;
    const emit = this.emit;
    const close = rawTextEnd(html, name, from);
    const stop = close === -1 ? html.length : close;
    if (stop > from) emit({ kind: 'text', text: name === 'textarea' || name === 'title' ? this.decodedText(html.slice(from, stop)) : html.slice(from, stop) });
    if (close === -1) return html.length;
    const end = pastNext(html, '>', close);
    emit({ kind: 'end', name });
    return end;
  }
}

/**
 * Calls `emit` for every token of `html`, in order. Never throws; malformed markup becomes text or is skipped.
 * `cleaned`: `html` has been through cleanCharacters, so decoded text needs it again only where a numeric reference
 * (&#1;) could bring back a character XML forbids. https://html.spec.whatwg.org/multipage/parsing.html#tokenization
 */
export function tokenizeHtml(html: string, emit: (t: HtmlToken) => void, rawText: ReadonlySet<string> = RAW_TEXT, cleaned = false): void {
  const run = new TokenizerRun(html, emit, rawText, cleaned);
  const len = html.length;
  let pos = 0;
  while (pos < len) {
    const lt = html.indexOf('<', pos);
    if (lt === -1) break;
    const c = html.charCodeAt(lt + 1);
    let end: number;
    if (c === 33 /* ! */ && html.startsWith('<![CDATA[', lt)) {
      const close = run.cdataEnd(lt);
      if (close === -1) {
        // No ']]>' follows, so not CDATA copied from xhtml (XML refuses that) but text naming it ("the <![CDATA[ trick"),
        // kept as text with what follows still markup, where a browser would hide all up to the next '>'.
        pos = lt + 1;
        run.literalLt = true;
        continue;
      }
      run.flushText(lt);
      end = run.readCdata(lt, close);
    } else if (c === 33 || c === 63 /* ? */) {
      run.flushText(lt);
      end = skipDeclaration(html, lt);
    } else if (c === 47 /* / */) {
      run.flushText(lt);
      end = run.readEndTag(lt);
    } else if (isAsciiAlpha(c)) {
      run.flushText(lt);
      end = run.readStartTag(lt);
    } else {
      pos = lt + 1; // a literal '<' stays in the text
      run.literalLt = true;
      continue;
    }
    pos = run.textStart = end;
  }
  run.flushText(len);
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
