// A lenient, single-pass XML reader that builds a small element tree for the feed parsers.
// Why not fast-xml-parser: feeds need namespace URIs (any prefix may name content:, dc:, media:…),
// xml:base and xml:lang inherited per element, the raw source of Atom xhtml content, HTML named
// entities in RSS without a DTD, line numbers for "truncated XML at line N", and no entity
// expansion beyond literal internal entities within a budget linear in the document (the 2026
// fast-xml-parser advisories); doctype.ts refuses whatever else a DTD tries, and so does MAX_DEPTH.
import { decodeHTMLStrict } from 'entities';
import { entityTable, readDoctype, refuse, type HostileXmlCode } from './doctype';

export type { HostileXmlCode } from './doctype';

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
  /** Fatal: the document is cut short, has no element at all, or is refused (then `code` says why). */
  error?: string;
  /** Set when the document is refused as hostile: a shape only attacks produce (see doctype.ts). */
  code?: HostileXmlCode;
  source: string;
}

/** Namespace URIs readers care about, mapped to one key each (real feeds spell them many ways). */
const NS_BY_URI: Record<string, string> = {
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
};

/** Prefixes feeds use without declaring them; mapped as their usual namespace. */
const CONVENTIONAL_PREFIX: Record<string, string> = {
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
};

export function namespaceKey(uri: string): string {
  const trimmed = uri.trim();
  const key = NS_BY_URI[trimmed.toLowerCase()];
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

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Elements open at once. libxml2 stops at 256; more room here, since an unclosed <br> in raw HTML nests in our lenient reader. */
export const MAX_DEPTH = 1_000;

function isNameChar(c: number): boolean {
  // Letters, digits, '-', '.', '_', ':' and everything non-ASCII.
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 58) || c === 45 || c === 46 || c === 95 || c > 127;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

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

export function parseXml(source: string, documentUrl?: string): XmlDocument {
  const warnings: string[] = [];
  const warn = (w: string) => {
    if (warnings.length < 50) warnings.push(w);
  };
  const entities = entityTable(source.length);
  const expansionLimit = entities.budget;
  /** A declared entity's text, charged to the expansion budget; once that is spent, '' and the document is refused. */
  const expandEntity = (name: string): string | undefined => {
    const value = entities.values.get(name);
    if (value === undefined) return undefined;
    if ((entities.budget -= value.length) >= 0) return value;
    if (entities.refusal) return '';
    refuse(
      entities,
      'entity-expansion',
      `entities would add more than ${expansionLimit.toLocaleString('en')} characters of text (&${name}; alone is ${value.length.toLocaleString('en')})`,
    );
    return '';
  };

  /** Decodes character and entity references in text or an attribute value. */
  const decodeText = (raw: string): string => {
    let amp = raw.indexOf('&');
    if (amp === -1) return raw;
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
      let replacement: string | undefined;
      let end = amp + 1;
      if (semi !== -1 && semi - amp <= 40) {
        const name = raw.slice(amp + 1, semi);
        end = semi + 1;
        if (name.charCodeAt(0) === 35) {
          const hex = name.charCodeAt(1) === 120 || name.charCodeAt(1) === 88;
          const digits = hex ? name.slice(2) : name.slice(1);
          const cp = /^[0-9a-fA-F]+$/.test(digits) && (hex || /^[0-9]+$/.test(digits)) ? parseInt(digits, hex ? 16 : 10) : NaN;
          if (Number.isFinite(cp) && cp <= 0x10ffff) replacement = cp === 0 ? '\uFFFD' : String.fromCodePoint(cp);
        } else if (/^[A-Za-z][A-Za-z0-9._-]*$/.test(name)) {
          replacement = XML_ENTITIES[name] ?? expandEntity(name);
          if (replacement === undefined) {
            const html = decodeHTMLStrict(`&${name};`);
            if (html !== `&${name};`) {
              replacement = html;
              warn(`undefined entity &${name};`);
            }
          }
          if (replacement === undefined) warn(`undefined entity &${name};`);
        }
      }
      if (replacement === undefined) {
        // A bare '&' or an unknown entity stays as written.
        if (semi === -1 || semi - amp > 40) warn('bare & in text');
        amp = raw.indexOf('&', amp + 1);
        continue;
      }
      out += raw.slice(last, amp) + replacement;
      last = end;
      amp = raw.indexOf('&', end);
    }
    return out + raw.slice(last);
  };

  const len = source.length;
  let pos = 0;
  // Leading junk before the first tag (whitespace, a stray BOM): tolerated and noted.
  while (pos < len && source.charCodeAt(pos) !== 60) pos++;
  if (pos > 0 && source.slice(0, pos).trim() !== '' && source.slice(0, pos).trim() !== '\uFEFF') warn('text before the root element');

  let root: XmlElement | undefined;
  let rootClosed = false;
  const stack: XmlElement[] = [];
  // Namespace bindings as a stack per prefix, undone as elements close: nothing is copied per element, so a
  // document declaring a prefix on every element of a deep chain costs what it is long, not its depth squared.
  const bindings = new Map<string, string[]>();
  const boundBy: (string[] | undefined)[] = [];
  const lookupNs = (prefix: string): string | undefined => {
    const keys = bindings.get(prefix);
    return keys === undefined || keys.length === 0 ? undefined : keys[keys.length - 1];
  };
  const unbind = (prefixes: string[] | undefined) => {
    if (prefixes) for (const prefix of prefixes) bindings.get(prefix)!.pop();
  };
  // Open elements by name, counted once an end tag first misses the innermost one: a stray end tag is then found
  // stray at once instead of by a walk down the whole stack, every time.
  let openCounts: Map<string, number> | undefined;
  const countOpen = (qname: string, by: number) => openCounts!.set(qname, (openCounts!.get(qname) ?? 0) + by);
  let current: XmlElement | undefined;
  let textBuf = '';
  const flushText = () => {
    if (textBuf && current) {
      const last = current.children[current.children.length - 1];
      if (typeof last === 'string') current.children[current.children.length - 1] = last + textBuf;
      else current.children.push(textBuf);
    }
    textBuf = '';
  };

  const truncated = (at: number) => `truncated XML at line ${lineAt(source, at)}`;
  const reader = { table: entities, decode: decodeText, warn };
  let doctypes = 0;
  /** The refused document: no tree at all, so nothing of it can be stored. */
  const refused = (): XmlDocument => ({ warnings, error: `unsafe XML refused: ${entities.refusal!.reason}`, code: entities.refusal!.code, source });

  while (pos < len) {
    if (entities.refusal) return refused();
    const lt = source.indexOf('<', pos);
    const textEnd = lt === -1 ? len : lt;
    if (textEnd > pos) {
      if (current) textBuf += decodeText(source.slice(pos, textEnd));
      else if (source.slice(pos, textEnd).trim() !== '' && rootClosed) warn('text after the root element');
    }
    if (lt === -1) break;
    pos = lt;
    const next = source.charCodeAt(pos + 1);
    if (next === 33 /* ! */) {
      if (source.startsWith('<!--', pos)) {
        const end = source.indexOf('-->', pos + 4);
        if (end === -1) return { root, warnings, error: truncated(len), source };
        pos = end + 3;
      } else if (source.startsWith('<![CDATA[', pos)) {
        const end = source.indexOf(']]>', pos + 9);
        if (end === -1) return { root, warnings, error: truncated(len), source };
        if (current) textBuf += source.slice(pos + 9, end);
        pos = end + 3;
      } else if (source.slice(pos + 2, pos + 9).toUpperCase() === 'DOCTYPE') {
        if (++doctypes > 1) refuse(entities, 'repeated-doctype', `a second DOCTYPE at line ${lineAt(source, pos)}`);
        else pos = readDoctype(source, pos, reader);
        if (entities.refusal) return refused();
        if (pos === -1) return { root, warnings, error: truncated(len), source };
      } else {
        const end = source.indexOf('>', pos);
        if (end === -1) return { root, warnings, error: truncated(len), source };
        pos = end + 1;
      }
      continue;
    }
    if (next === 63 /* ? */) {
      const end = source.indexOf('?>', pos + 2);
      if (end === -1) return { root, warnings, error: truncated(len), source };
      pos = end + 2;
      continue;
    }
    if (next === 47 /* / */) {
      let end = source.indexOf('>', pos + 2);
      if (end === -1) {
        // "</rss" at the very end: the document is complete but for the '>'.
        if (!/^[^<\s]+\s*$/.test(source.slice(pos + 2))) return { root, warnings, error: truncated(len), source };
        warn('unterminated end tag at the end');
        end = len;
      }
      const qname = source.slice(pos + 2, end).trim();
      flushText();
      // Close the nearest open element of that name; unclosed ones inside it are closed too.
      let depth = stack.length - 1;
      if (depth >= 0 && stack[depth].qname !== qname) {
        if (!openCounts) openCounts = countNames(stack);
        if (!openCounts.get(qname)) depth = -1;
        else while (depth >= 0 && stack[depth].qname !== qname) depth--;
      }
      if (depth === -1) {
        warn(`stray end tag </${qname}>`);
      } else {
        if (depth !== stack.length - 1) warn(`unclosed element <${stack[stack.length - 1].qname}>`);
        while (stack.length > depth) {
          const el = stack.pop()!;
          el.innerEnd = el.innerEnd === -1 ? pos : el.innerEnd;
          unbind(boundBy.pop());
          if (openCounts) countOpen(el.qname, -1);
        }
        // Elements closed implicitly end where the explicit close happened.
        current = stack[stack.length - 1];
        if (!current) rootClosed = true;
      }
      pos = end + 1;
      continue;
    }
    if (!isNameChar(next) || next === 45 || next === 46 || (next >= 48 && next <= 57)) {
      // '<' that starts no tag: literal text (common in broken feeds).
      warn('unescaped < in text');
      if (current) textBuf += '<';
      pos++;
      continue;
    }
    // Start tag.
    let p = pos + 1;
    while (p < len && isNameChar(source.charCodeAt(p))) p++;
    const qname = source.slice(pos + 1, p);
    const attrs: Record<string, string> = Object.create(null);
    let selfClosing = false;
    let closed = false;
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
      while (p < len && isSpace(source.charCodeAt(p))) p++;
      let value = '';
      if (source.charCodeAt(p) === 61 /* = */) {
        p++;
        while (p < len && isSpace(source.charCodeAt(p))) p++;
        const q = source.charCodeAt(p);
        if (q === 34 || q === 39) {
          const close = source.indexOf(q === 34 ? '"' : "'", p + 1);
          if (close === -1) return { root, warnings, error: truncated(len), source };
          value = decodeText(source.slice(p + 1, close));
          p = close + 1;
        } else {
          warn(`unquoted attribute ${attrName}`);
          const vs = p;
          while (p < len && !isSpace(source.charCodeAt(p)) && source.charCodeAt(p) !== 62) p++;
          value = decodeText(source.slice(vs, p));
        }
      }
      if (attrName && !(attrName in attrs)) attrs[attrName] = value.replace(/[\t\n\r]/g, ' ');
    }
    if (!closed) {
      if (p >= len) return { root, warnings, error: truncated(len), source };
      warn(`unterminated tag <${qname}>`);
    }
    flushText();
    if (!current && rootClosed) {
      warn('second root element');
    }
    // Namespace declarations on this element.
    let bound: string[] | undefined;
    for (const name in attrs) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        const declared = name === 'xmlns' ? '' : name.slice(6);
        const keys = bindings.get(declared);
        if (keys) keys.push(namespaceKey(attrs[name]));
        else bindings.set(declared, [namespaceKey(attrs[name])]);
        (bound ??= []).push(declared);
      }
    }
    const colon = qname.indexOf(':');
    const prefix = colon === -1 ? '' : qname.slice(0, colon);
    const local = colon === -1 ? qname : qname.slice(colon + 1);
    const ns = lookupNs(prefix) ?? (prefix ? (CONVENTIONAL_PREFIX[prefix.toLowerCase()] ?? prefix) : '');
    // Namespaced attributes are also reachable by `{nsKey}local`.
    for (const name in attrs) {
      const ac = name.indexOf(':');
      if (ac > 0 && !name.startsWith('xmlns:')) {
        const ap = name.slice(0, ac);
        const ans = ap === 'xml' ? 'xml' : (lookupNs(ap) ?? CONVENTIONAL_PREFIX[ap.toLowerCase()] ?? ap);
        attrs[namespacedAttrKey(ans, name.slice(ac + 1))] = attrs[name];
      }
    }
    const xmlBase = attrs['xml:base'];
    const outerBase = current?.base;
    const base = xmlBase !== undefined ? resolveBase(xmlBase, outerBase ?? documentUrl) : outerBase;
    const el: XmlElement = {
      ns,
      local,
      qname,
      attrs,
      children: [],
      parent: current,
      base,
      lang: attrs['xml:lang'] ?? current?.lang,
      innerStart: p,
      innerEnd: selfClosing ? p : -1,
      source,
    };
    if (current) current.children.push(el);
    else if (!root) root = el;
    if (!selfClosing) {
      if (stack.length >= MAX_DEPTH) {
        refuse(entities, 'nesting-too-deep', `elements nested more than ${MAX_DEPTH.toLocaleString('en')} deep at line ${lineAt(source, pos)}`);
        return refused();
      }
      stack.push(el);
      boundBy.push(bound);
      if (openCounts) countOpen(qname, 1);
      current = el;
    } else {
      unbind(bound);
      if (!current && root === el) rootClosed = true;
    }
    pos = p;
  }
  if (entities.refusal) return refused();
  flushText();
  if (!root) return { warnings, error: 'not a feed: no XML element', source };
  if (!rootClosed) {
    // Only the root left open (a missing </rss> after </channel>): every child is whole, so recover.
    if (stack.length === 1 && stack[0] === root) {
      warn(`missing end tag </${root.qname}>`);
      root.innerEnd = len;
    } else return { root, warnings, error: truncated(len), source };
  }
  return { root, warnings, source };
}

/** Open elements by name, for telling a stray end tag at once. */
function countNames(stack: XmlElement[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const el of stack) counts.set(el.qname, (counts.get(el.qname) ?? 0) + 1);
  return counts;
}

// ───────────── tree helpers the format parsers share ─────────────

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
