// A lenient, single-pass XML reader that builds a small element tree for the feed parsers.
// Why not fast-xml-parser: feeds need namespace URIs (any prefix may name content:, dc:, media:…),
// xml:base and xml:lang inherited per element, the raw source of Atom xhtml content, HTML named
// entities in RSS without a DTD, line numbers for "truncated XML at line N", and no entity
// expansion beyond literal internal entities within a budget linear in the document (the 2026
// fast-xml-parser advisories); doctype.ts refuses whatever else a DTD tries, and so does MAX_DEPTH.
import { decodeHTMLStrict } from 'entities';
import { failed, type Failure } from '../../errors';
import { entityTable, readDoctype, refuse, type EntityTable, type HostileXmlCode, type SubsetReader } from './doctype';

export type { HostileXmlCode } from './doctype';

/** Why a document gave no tree to read. */
export type XmlFailureCode = 'malformed' | 'not-a-feed' | HostileXmlCode;

export interface XmlElement {
  /** Canonical namespace key ('atom', 'dc', 'media', …), the namespace URI when unknown, '' for none. */
  ns: string;
  local: string;
  /** Name as written (prefix:local). */
  qname: string;
  /** Attributes by the name as written; namespaced ones also under `{nsKey}local` (no prototype: a missing name is undefined). */
  attrs: Record<string, string | undefined>;
  children: XmlNode[];
  parent?: XmlElement;
  /** xml:base in scope, resolved against the outer base and the document URL. */
  base?: string;
  /** xml:lang in scope. */
  lang?: string;
  /** Offsets into the source of the inner markup, for raw xhtml content. */
  innerStart: number;
  innerEnd: number;
  /** The document text the offsets point into. */
  source: string;
}

export type XmlNode = XmlElement | string;

export interface XmlDocument {
  root?: XmlElement;
  /** Recoverable problems (feedparser's bozo). */
  warnings: string[];
  /** Fatal: the document is cut short (`malformed`), has no element at all, or is refused as hostile — a shape only attacks produce (doctype.ts). */
  failure?: Failure<XmlFailureCode>;
  source: string;
}

/** Namespace URIs readers care about, mapped to one key each (real feeds spell them many ways). */
const NS_BY_URI = new Map<string, string>(
  Object.entries({
    'http://www.w3.org/2005/atom': 'atom',
    'http://purl.org/atom/ns#': 'atom03',
    'http://purl.org/rss/1.0/modules/content/': 'content',
    'http://purl.org/dc/elements/1.1/': 'dc',
    'http://purl.org/dc/terms/': 'dcterms',
    'http://search.yahoo.com/mrss/': 'media',
    'http://search.yahoo.com/mrss': 'media',
    'http://video.search.yahoo.com/mrss': 'media',
    'http://video.search.yahoo.com/mrss/': 'media',
    'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
    'http://example.com/dtds/podcast-1.0.dtd': 'itunes',
    'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
    'http://purl.org/rss/1.0/': 'rss10',
    'http://my.netscape.com/rdf/simple/0.9/': 'rss09',
    // The RSS 0.90 namespace as Netscape's own early documents spelled it.
    'http://channel.netscape.com/rdf/simple/0.9/': 'rss09',
    'http://backend.userland.com/rss2': '',
    'http://blogs.law.harvard.edu/tech/rss': '',
    'http://backend.userland.com/rss': '',
    'http://www.w3.org/1999/xhtml': 'xhtml',
    'http://rssnamespace.org/feedburner/ext/1.0': 'feedburner',
    'http://purl.org/rss/1.0/modules/slash/': 'slash',
    'http://wellformedweb.org/commentapi/': 'wfw',
    'http://www.w3.org/xml/1998/namespace': 'xml',
    'http://purl.org/syndication/thread/1.0': 'thr',
    'http://www.georss.org/georss': 'georss',
    'https://jsonfeed.org/version/1': 'json',
    'http://purl.org/dc/elements/1.0/': 'dc',
    'http://purl.org/rss/1.0/modules/syndication/': 'sy',
    'https://podcastindex.org/namespace/1.0': 'podcast',
    'http://podlove.org/simple-chapters': 'psc',
    'http://www.google.com/schemas/play-podcasts/1.0': 'googleplay',
  }),
);

/** Prefixes feeds use without declaring them; mapped as their usual namespace. Maps, not objects: a feed's `constructor` finds nothing. */
const CONVENTIONAL_PREFIX = new Map<string, string>(
  Object.entries({
    content: 'content',
    dc: 'dc',
    dcterms: 'dcterms',
    media: 'media',
    itunes: 'itunes',
    atom: 'atom',
    atom10: 'atom',
    rdf: 'rdf',
    feedburner: 'feedburner',
    xhtml: 'xhtml',
    slash: 'slash',
    wfw: 'wfw',
    thr: 'thr',
    xml: 'xml',
  }),
);

/** The key readers know a namespace URI by ('dc', 'media', …), else the URI itself (Namespaces in XML 1.0, https://www.w3.org/TR/xml-names/#sec-namespaces). */
export function namespaceKey(uri: string): string {
  const trimmed = uri.trim();
  const key = NS_BY_URI.get(trimmed.toLowerCase());
  if (key !== undefined) return key;
  // Many itunes/media spellings differ only in case or a trailing slash.
  const lower = trimmed.toLowerCase().replace(/\/$/, '');
  if (lower.endsWith('itunes.com/dtds/podcast-1.0.dtd')) return 'itunes';
  if (lower === 'http://search.yahoo.com/mrss') return 'media';
  if (lower === 'http://purl.org/dc/elements/1.1') return 'dc';
  if (lower === 'http://purl.org/rss/1.0/modules/content') return 'content';
  if (lower === 'http://www.w3.org/2005/atom') return 'atom';
  return trimmed;
}

const XML_ENTITIES = new Map(Object.entries({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }));

/** Elements open at once. libxml2 stops at 256; more room here, since an unclosed <br> in raw HTML nests in our lenient reader. */
export const MAX_DEPTH = 1_000;

function isNameChar(c: number): boolean {
  // Letters, digits, '-', '.', '_', ':' and everything non-ASCII.
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 58) || c === 45 || c === 46 || c === 95 || c > 127;
}

/** Tabs and line breaks in an attribute value as spaces (XML 1.0 §3.3.3, https://www.w3.org/TR/xml/#AVNormalize); most values have none, and this scan costs less than the regex. */
function spacesForBreaks(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13) return value.replace(/[\t\n\r]/g, ' ');
  }
  return value;
}

/** A tag's first character: a name character that is not '-', '.' or a digit. */
function startsTagName(c: number): boolean {
  return isNameChar(c) && c !== 45 && c !== 46 && !(c >= 48 && c <= 57);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/** The 1-based line of `offset` in `source` (lines counted by '\n'), for errors a person can find. */
export function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

/** Absolute URL of `ref` against `base`, or undefined when neither makes one. */
function resolveBase(ref: string, base: string | undefined): string | undefined {
  try {
    return new URL(ref.trim(), base).href;
  } catch {
    return base;
  }
}

/** Length of the reference each predefined entity is written with. */
const PREDEFINED_LENGTH: Record<string, number> = { '<': 4, '>': 4, '&': 5, '"': 6, "'": 6 };

/** '<', '>', '&', '"' or "'" when `raw` has &lt; &gt; &amp; &quot; or &apos; at `amp`. */
function predefinedEntityAt(raw: string, amp: number): string | undefined {
  const c1 = raw.charCodeAt(amp + 1);
  const c2 = raw.charCodeAt(amp + 2);
  const c3 = raw.charCodeAt(amp + 3);
  if (c2 === 116 /* t */ && c3 === 59 /* ; */) {
    if (c1 === 108 /* l */) return '<';
    if (c1 === 103 /* g */) return '>';
    return undefined;
  }
  if (c1 === 97 /* a */) {
    if (c2 === 109 /* m */ && c3 === 112 /* p */ && raw.charCodeAt(amp + 4) === 59) return '&';
    if (c2 === 112 /* p */ && c3 === 111 /* o */ && raw.charCodeAt(amp + 4) === 115 /* s */ && raw.charCodeAt(amp + 5) === 59) return "'";
    return undefined;
  }
  if (c1 === 113 /* q */ && c2 === 117 /* u */ && c3 === 111 /* o */ && raw.charCodeAt(amp + 4) === 116 /* t */ && raw.charCodeAt(amp + 5) === 59) return '"';
  return undefined;
}

/** `{nsKey}local` keys already spelled, so the same key is the same string object every time (bounded). */
const NAMESPACED_ATTR_KEYS = new Map<string, string>();

/**
 * The `{nsKey}local` key of a namespaced attribute. Reusing one string per key keeps the store into `attrs`
 * monomorphic: a fresh string on each element (xml:lang on every Atom entry) made V8 see that store change on every
 * element and never optimize parseXml, which then read Atom three times slower.
 */
function namespacedAttrKey(nsKey: string, local: string): string {
  const spelled = `{${nsKey}}${local}`;
  const known = NAMESPACED_ATTR_KEYS.get(spelled);
  if (known !== undefined) return known;
  if (NAMESPACED_ATTR_KEYS.size < 256) NAMESPACED_ATTR_KEYS.set(spelled, spelled);
  return spelled;
}

/**
 * Reads a document into an element tree, leniently: what it recovers from is listed in `warnings`, and only a document
 * cut short, without any element, or refused as hostile is an `error` (XML 1.0, https://www.w3.org/TR/xml/#sec-documents).
 */
export function parseXml(source: string, documentUrl?: string): XmlDocument {
  const reader = new XmlReader(source, documentUrl);
  reader.skipToFirstTag();
  const len = source.length;
  // The hot loop: text, then the markup it runs up to. End and start tags are nearly all of it, so they are tested
  // first and each is one call; every rarer shape (declarations, CDATA, DOCTYPE, a stray '<') goes through one more.
  while (reader.pos < len) {
    if (reader.table.refusal) return reader.refused();
    const lt = source.indexOf('<', reader.pos);
    reader.readText(lt === -1 ? len : lt);
    if (lt === -1) break;
    reader.pos = lt;
    const next = source.charCodeAt(lt + 1);
    const stop = next === 47 /* / */ ? reader.readEndTag() : startsTagName(next) ? reader.readStartTag() : reader.readOtherMarkup(next);
    if (stop) return stop;
  }
  return reader.finish();
}

/**
 * One pass over one document. Each `read…` step starts at `pos` (on a '<' for markup), moves it past what it read, and
 * returns the finished document when reading stops there (cut short, or refused), else undefined. The reader is also
 * the SubsetReader the DOCTYPE's entity declarations are read with.
 */
class XmlReader implements SubsetReader {
  readonly len: number;
  pos = 0;
  readonly warnings: string[] = [];
  /** The declared entities and what expanding them may still add (doctype.ts). */
  readonly table: EntityTable;
  readonly expansionLimit: number;
  root: XmlElement | undefined = undefined;
  rootClosed = false;
  readonly stack: XmlElement[] = [];
  // Namespace bindings as a stack per prefix, undone as elements close: nothing is copied per element, so a
  // document declaring a prefix on every element of a deep chain costs what it is long, not its depth squared.
  readonly bindings = new Map<string, string[]>();
  readonly boundBy: (string[] | undefined)[] = [];
  // Open elements by name, counted once an end tag first misses the innermost one: a stray end tag is then found
  // stray at once instead of by a walk down the whole stack, every time.
  openCounts: Map<string, number> | undefined = undefined;
  current: XmlElement | undefined = undefined;
  textBuf = '';
  doctypes = 0;
  /** Whether the tag being read has an attribute named xmlns or with a prefix: only then has it namespaces to read. */
  prefixedAttrs = false;

  constructor(
    readonly source: string,
    readonly documentUrl: string | undefined,
  ) {
    this.len = source.length;
    this.table = entityTable(source.length);
    this.expansionLimit = this.table.budget;
  }

  warn(warning: string): void {
    if (this.warnings.length < 50) this.warnings.push(warning);
  }

  // ───── the document's ends ─────

  /** Leading junk before the first tag (whitespace, a stray BOM): tolerated and noted. */
  skipToFirstTag(): void {
    const { source, len } = this;
    let pos = 0;
    while (pos < len && source.charCodeAt(pos) !== 60) pos++;
    if (pos > 0 && source.slice(0, pos).trim() !== '' && source.slice(0, pos).trim() !== '\uFEFF') this.warn('text before the root element');
    this.pos = pos;
  }

  /** The document once the source is read: whole, recovered from a missing root end tag, cut short, or refused. */
  finish(): XmlDocument {
    if (this.table.refusal) return this.refused();
    this.flushText();
    const { root, warnings, source } = this;
    if (!root) return { warnings, failure: failed('not-a-feed', 'not a feed: no XML element'), source };
    if (!this.rootClosed) {
      // Only the root left open (a missing </rss> after </channel>): every child is whole, so recover.
      if (this.stack.length === 1 && this.stack[0] === root) {
        this.warn(`missing end tag </${root.qname}>`);
        root.innerEnd = this.len;
      } else return this.cutShort();
    }
    return { root, warnings, source };
  }

  /** The document that ends before its markup does: the tree so far, for the error's sake. */
  cutShort(): XmlDocument {
    return {
      root: this.root,
      warnings: this.warnings,
      failure: failed('malformed', `truncated XML at line ${lineAt(this.source, this.len)}`),
      source: this.source,
    };
  }

  /** The refused document: no tree at all, so nothing of it can be stored. */
  refused(): XmlDocument {
    const refusal = this.table.refusal!;
    return { warnings: this.warnings, failure: failed(refusal.code, `unsafe XML refused: ${refusal.reason}`), source: this.source };
  }

  // ───── text ─────

  /** The text from `pos` to `end`, into the open element (outside the root, only noted). */
  readText(end: number): void {
    const { source, pos } = this;
    if (end > pos) {
      if (this.current) this.textBuf += this.decode(source.slice(pos, end));
      else if (source.slice(pos, end).trim() !== '' && this.rootClosed) this.warn('text after the root element');
    }
  }

  /** Text read since the last tag, as the open element's last child (merged with a text child before it). */
  flushText(): void {
    const { textBuf, current } = this;
    if (textBuf && current) {
      const last = current.children[current.children.length - 1];
      if (typeof last === 'string') current.children[current.children.length - 1] = last + textBuf;
      else current.children.push(textBuf);
    }
    this.textBuf = '';
  }

  /** Decodes character and entity references in text or an attribute value (XML 1.0 §4.1, https://www.w3.org/TR/xml/#sec-references). */
  decode(raw: string): string {
    // Most text has no reference: this check stays small enough to inline where text is read.
    const amp = raw.indexOf('&');
    return amp === -1 ? raw : this.decodeFrom(raw, amp);
  }

  /** `raw` with its references decoded, the first '&' at `amp`. */
  decodeFrom(raw: string, amp: number): string {
    let out = '';
    let last = 0;
    // The first ';' after the current '&', searched once for a whole run of them: a text of bare '&' stays linear.
    let semi = 0;
    while (amp !== -1) {
      // The five predefined entities (escaped HTML is full of them), read in place; the rest by name below.
      const predefined = predefinedEntityAt(raw, amp);
      if (predefined !== undefined) {
        out += raw.slice(last, amp) + predefined;
        last = amp + PREDEFINED_LENGTH[predefined];
        amp = raw.indexOf('&', last);
        continue;
      }
      if (semi !== -1 && semi <= amp) semi = raw.indexOf(';', amp + 1);
      const named = semi !== -1 && semi - amp <= 40;
      const replacement = named ? this.resolveReference(raw.slice(amp + 1, semi)) : undefined;
      if (replacement === undefined) {
        // A bare '&' or an unknown entity stays as written.
        if (!named) this.warn('bare & in text');
        amp = raw.indexOf('&', amp + 1);
        continue;
      }
      out += raw.slice(last, amp) + replacement;
      last = semi + 1;
      amp = raw.indexOf('&', last);
    }
    return out + raw.slice(last);
  }

  /** The text `&name;` stands for: a character, a declared entity, else an HTML one (noted); undefined when none. */
  resolveReference(name: string): string | undefined {
    if (name.charCodeAt(0) === 35 /* # */) return characterReference(name);
    if (!/^[A-Za-z_][A-Za-z0-9._-]*$/.test(name)) return undefined;
    const known = XML_ENTITIES.get(name) ?? this.expandEntity(name);
    if (known !== undefined) return known;
    // RSS has no DTD, yet its text is full of HTML's names (&nbsp;, &eacute;): read them, and say so.
    this.warn(`undefined entity &${name};`);
    const html = decodeHTMLStrict(`&${name};`);
    return html !== `&${name};` ? html : undefined;
  }

  /** A declared entity's text, charged to the expansion budget; once that is spent, '' and the document is refused. */
  expandEntity(name: string): string | undefined {
    const { table } = this;
    const value = table.values.get(name);
    if (value === undefined) return undefined;
    if ((table.budget -= value.length) >= 0) return value;
    if (table.refusal) return '';
    const limit = this.expansionLimit.toLocaleString('en');
    refuse(table, 'entity-expansion', `entities would add more than ${limit} characters of text (&${name}; alone is ${value.length.toLocaleString('en')})`);
    return '';
  }

  // ───── markup ─────

  /** Markup at `pos` that is no element's tag, `next` its second character: a declaration, a processing instruction, or a '<' that starts nothing. */
  readOtherMarkup(next: number): XmlDocument | undefined {
    if (next === 33 /* ! */) return this.readDeclaration();
    if (next === 63 /* ? */) return this.skipPast('?>', this.pos + 2);
    // '<' that starts no tag: literal text (common in broken feeds).
    this.warn('unescaped < in text');
    if (this.current) this.textBuf += '<';
    this.pos++;
    return undefined;
  }

  /** Moves past the next `terminator` from `from` (a comment's, a processing instruction's…). */
  skipPast(terminator: string, from: number): XmlDocument | undefined {
    const end = this.source.indexOf(terminator, from);
    if (end === -1) return this.cutShort();
    this.pos = end + terminator.length;
    return undefined;
  }

  /** `<!…`: a comment, a CDATA section (its text kept as written), the DOCTYPE, or another declaration (skipped). */
  readDeclaration(): XmlDocument | undefined {
    const { source, pos } = this;
    if (source.startsWith('<!--', pos)) return this.skipPast('-->', pos + 4);
    if (source.startsWith('<![CDATA[', pos)) {
      const end = source.indexOf(']]>', pos + 9);
      if (end === -1) return this.cutShort();
      if (this.current) this.textBuf += source.slice(pos + 9, end);
      this.pos = end + 3;
      return undefined;
    }
    if (source.slice(pos + 2, pos + 9).toUpperCase() === 'DOCTYPE') return this.readDocumentType();
    return this.skipPast('>', pos);
  }

  /** The DOCTYPE, for the literal entities it declares (doctype.ts); a second one is refused. */
  readDocumentType(): XmlDocument | undefined {
    if (++this.doctypes > 1) refuse(this.table, 'repeated-doctype', `a second DOCTYPE at line ${lineAt(this.source, this.pos)}`);
    else this.pos = readDoctype(this.source, this.pos, this);
    if (this.table.refusal) return this.refused();
    if (this.pos === -1) return this.cutShort();
    return undefined;
  }

  // ───── end tags ─────

  /** `</name>`: closes the nearest open element of that name (and what is still open inside it); a stray one is noted. */
  readEndTag(): XmlDocument | undefined {
    const { source, pos } = this;
    let end = source.indexOf('>', pos + 2);
    if (end === -1) {
      // "</rss" at the very end: the document is complete but for the '>'.
      if (!/^[^<\s]+\s*$/.test(source.slice(pos + 2))) return this.cutShort();
      this.warn('unterminated end tag at the end');
      end = this.len;
    }
    const qname = source.slice(pos + 2, end).trim();
    this.flushText();
    const depth = this.openDepthOf(qname);
    if (depth === -1) this.warn(`stray end tag </${qname}>`);
    else this.closeDownTo(depth, pos);
    this.pos = end + 1;
    return undefined;
  }

  /** Depth in the stack of the nearest open element named `qname`, or -1 when none is open. */
  openDepthOf(qname: string): number {
    const { stack } = this;
    let depth = stack.length - 1;
    if (depth >= 0 && stack[depth].qname !== qname) {
      this.openCounts ??= countNames(stack);
      if (!this.openCounts.get(qname)) return -1;
      while (depth >= 0 && stack[depth].qname !== qname) depth--;
    }
    return depth;
  }

  /** Closes the open elements down to `depth`, all ending at `at`: those closed implicitly end where the explicit close is. */
  closeDownTo(depth: number, at: number): void {
    const { stack } = this;
    if (depth !== stack.length - 1) this.warn(`unclosed element <${stack[stack.length - 1].qname}>`);
    while (stack.length > depth) {
      const el = stack.pop()!;
      el.innerEnd = el.innerEnd === -1 ? at : el.innerEnd;
      this.unbind(this.boundBy.pop());
      if (this.openCounts) this.countOpen(el.qname, -1);
    }
    this.current = stack[stack.length - 1];
    if (!this.current) this.rootClosed = true;
  }

  // ───── start tags ─────

  /** `<name attr="value"…>` or `…/>`: the element, placed in the tree; a tag that never closes its '>' is noted. */
  readStartTag(): XmlDocument | undefined {
    const { source, len } = this;
    let p = this.pos + 1;
    while (p < len && isNameChar(source.charCodeAt(p))) p++;
    const qname = source.slice(this.pos + 1, p);
    const attrs: Record<string, string> = Object.create(null);
    let selfClosing = false;
    let closed = false;
    this.prefixedAttrs = false;
    while (p < len) {
      const c = source.charCodeAt(p);
      if (isSpace(c)) {
        p++;
        continue;
      }
      if (c === 62 /* > */) {
        p++;
        closed = true;
        break;
      }
      if (c === 47 /* / */ && source.charCodeAt(p + 1) === 62) {
        p += 2;
        selfClosing = true;
        closed = true;
        break;
      }
      if (c === 60 /* < */) break; // a tag that never closed its '>'
      p = this.readAttribute(p, attrs);
      if (p === -1) return this.cutShort();
    }
    if (!closed) {
      if (p >= len) return this.cutShort();
      this.warn(`unterminated tag <${qname}>`);
    }
    this.flushText();
    if (!this.current && this.rootClosed) this.warn('second root element');
    return this.openElement(qname, attrs, p, selfClosing);
  }

  /** One `name="value"` (or `name=value`, or a bare name) into `attrs`: the position after it, or -1 when a quote never closes. */
  readAttribute(p: number, attrs: Record<string, string>): number {
    const { source, len } = this;
    const nameStart = p;
    while (
      p < len &&
      !isSpace(source.charCodeAt(p)) &&
      source.charCodeAt(p) !== 61 &&
      source.charCodeAt(p) !== 62 &&
      !(source.charCodeAt(p) === 47 && source.charCodeAt(p + 1) === 62)
    )
      p++;
    const attrName = source.slice(nameStart, p);
    if (attrName === 'xmlns' || attrName.includes(':')) this.prefixedAttrs = true;
    while (p < len && isSpace(source.charCodeAt(p))) p++;
    let value = '';
    if (source.charCodeAt(p) === 61 /* = */) {
      p++;
      while (p < len && isSpace(source.charCodeAt(p))) p++;
      const q = source.charCodeAt(p);
      if (q === 34 || q === 39) {
        const close = source.indexOf(q === 34 ? '"' : "'", p + 1);
        if (close === -1) return -1;
        value = this.decode(source.slice(p + 1, close));
        p = close + 1;
      } else {
        this.warn(`unquoted attribute ${attrName}`);
        const vs = p;
        while (p < len && !isSpace(source.charCodeAt(p)) && source.charCodeAt(p) !== 62) p++;
        value = this.decode(source.slice(vs, p));
      }
    }
    // The first of a repeated name wins.
    if (attrName && !(attrName in attrs)) attrs[attrName] = spacesForBreaks(value);
    return p;
  }

  /** The element of a start tag ending at `innerStart`: bound, placed under the open one (or as the root), and opened unless self-closing. */
  openElement(qname: string, attrs: Record<string, string>, innerStart: number, selfClosing: boolean): XmlDocument | undefined {
    // Most tags have no xmlns and no prefixed attribute, and then both namespace steps would find nothing: skipped, since
    // their for…in over the attributes was a tenth of the time of reading the Atom bench feed.
    let bound: string[] | undefined;
    if (this.prefixedAttrs) {
      bound = this.bindNamespaces(attrs);
      this.addNamespacedKeys(attrs);
    }
    const el = this.newElement(qname, attrs, innerStart, selfClosing);
    const { current, stack } = this;
    if (current) current.children.push(el);
    else if (!this.root) this.root = el;
    if (!selfClosing) {
      if (stack.length >= MAX_DEPTH) {
        refuse(this.table, 'nesting-too-deep', `elements nested more than ${MAX_DEPTH.toLocaleString('en')} deep at line ${lineAt(this.source, this.pos)}`);
        return this.refused();
      }
      stack.push(el);
      this.boundBy.push(bound);
      if (this.openCounts) this.countOpen(qname, 1);
      this.current = el;
    } else {
      this.unbind(bound);
      if (!current && this.root === el) this.rootClosed = true;
    }
    this.pos = innerStart;
    return undefined;
  }

  /** The element for a tag: its namespace, its namespaced attributes' `{nsKey}local` keys, xml:base and xml:lang in scope. */
  newElement(qname: string, attrs: Record<string, string>, innerStart: number, selfClosing: boolean): XmlElement {
    const { current } = this;
    const colon = qname.indexOf(':');
    const prefix = colon === -1 ? '' : qname.slice(0, colon);
    const local = colon === -1 ? qname : qname.slice(colon + 1);
    const ns = this.lookupNs(prefix) ?? (prefix ? (CONVENTIONAL_PREFIX.get(prefix.toLowerCase()) ?? prefix) : '');
    const xmlBase = attrs['xml:base'];
    const outerBase = current?.base;
    const base = xmlBase !== undefined ? resolveBase(xmlBase, outerBase ?? this.documentUrl) : outerBase;
    return {
      ns,
      local,
      qname,
      attrs,
      children: [],
      parent: current,
      base,
      lang: attrs['xml:lang'] ?? current?.lang,
      innerStart,
      innerEnd: selfClosing ? innerStart : -1,
      source: this.source,
    };
  }

  // ───── namespaces (Namespaces in XML 1.0, https://www.w3.org/TR/xml-names/) ─────

  /** Binds the prefixes this element declares (xmlns, xmlns:p); returns them, to undo when it closes. */
  bindNamespaces(attrs: Record<string, string>): string[] | undefined {
    let bound: string[] | undefined;
    for (const name in attrs) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        const declared = name === 'xmlns' ? '' : name.slice(6);
        const keys = this.bindings.get(declared);
        if (keys) keys.push(namespaceKey(attrs[name]));
        else this.bindings.set(declared, [namespaceKey(attrs[name])]);
        (bound ??= []).push(declared);
      }
    }
    return bound;
  }

  /** Namespaced attributes are also reachable by `{nsKey}local`. */
  addNamespacedKeys(attrs: Record<string, string>): void {
    for (const name in attrs) {
      const ac = name.indexOf(':');
      if (ac > 0 && !name.startsWith('xmlns:')) {
        const ap = name.slice(0, ac);
        const ans = ap === 'xml' ? 'xml' : (this.lookupNs(ap) ?? CONVENTIONAL_PREFIX.get(ap.toLowerCase()) ?? ap);
        attrs[namespacedAttrKey(ans, name.slice(ac + 1))] = attrs[name];
      }
    }
  }

  lookupNs(prefix: string): string | undefined {
    const keys = this.bindings.get(prefix);
    return keys === undefined || keys.length === 0 ? undefined : keys[keys.length - 1];
  }

  unbind(prefixes: string[] | undefined): void {
    if (prefixes) for (const prefix of prefixes) this.bindings.get(prefix)!.pop();
  }

  countOpen(qname: string, by: number): void {
    this.openCounts!.set(qname, (this.openCounts!.get(qname) ?? 0) + by);
  }
}

/** `&#…;` or `&#x…;` (XML 1.0 §4.1): the character, U+FFFD for NUL; undefined when it names no code point. */
function characterReference(name: string): string | undefined {
  const hex = name.charCodeAt(1) === 120 || name.charCodeAt(1) === 88;
  const digits = hex ? name.slice(2) : name.slice(1);
  const cp = /^[0-9a-fA-F]+$/.test(digits) && (hex || /^[0-9]+$/.test(digits)) ? parseInt(digits, hex ? 16 : 10) : NaN;
  if (Number.isFinite(cp) && cp <= 0x10ffff) return cp === 0 ? '\uFFFD' : String.fromCodePoint(cp);
  return undefined;
}

/** Open elements by name, for telling a stray end tag at once. */
function countNames(stack: XmlElement[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const el of stack) counts.set(el.qname, (counts.get(el.qname) ?? 0) + 1);
  return counts;
}

// ───────────── tree helpers the format parsers share ─────────────

/** The element children of `el`, in document order (text left out). */
export function elements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (typeof c !== 'string') out.push(c);
  return out;
}

/** Concatenated text of an element and its descendants. */
export function textOf(el: XmlElement): string {
  if (el.children.length === 1 && typeof el.children[0] === 'string') return el.children[0];
  let out = '';
  for (const c of el.children) out += typeof c === 'string' ? c : textOf(c);
  return out;
}
