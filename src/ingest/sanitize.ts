// One allowlist sanitizer for every HTML field (modelled on Miniflux's and feedparser's allowlists).
// Output is re-serialized from tokens the way HTML5 serializes a tree (quoted attributes, escaped text, <br>, &nbsp;),
// through the tree-construction rules of html-tree.ts: an HTML5 parser reads back exactly the tree written, so
// sanitizing its own output yields the same string and nothing in it can close the page's own elements.
import { RAW_TEXT, cleanCharacters, tokenizeHtml, type HtmlToken } from './html';
import { HtmlTreeWriter } from './html-tree';
import { hostnameOf, resolveUrl } from './urls';

export interface SanitizeOptions {
  /** Base for relative href/src (xml:base, item link, feed link, fetch URL: the caller picks). */
  base?: string;
  /** Cap on the output length in UTF-16 units; text is cut on a grapheme boundary and tags closed. */
  maxLength?: number;
}

const COMMON_ATTRS = ['title', 'lang', 'dir'];

/** Allowed elements and the attributes each may keep (besides COMMON_ATTRS). */
const ALLOWED: Record<string, string[]> = {
  a: ['href', 'hreflang'],
  abbr: [],
  acronym: [],
  address: [],
  article: [],
  aside: [],
  audio: ['src', 'controls', 'loop', 'muted', 'preload'],
  b: [],
  bdi: [],
  bdo: [],
  big: [],
  blockquote: ['cite'],
  br: [],
  caption: [],
  center: [],
  cite: [],
  code: [],
  col: ['span', 'width'],
  colgroup: ['span', 'width'],
  dd: [],
  del: ['cite', 'datetime'],
  details: ['open'],
  dfn: [],
  div: [],
  dl: [],
  dt: [],
  em: [],
  figcaption: [],
  figure: [],
  footer: [],
  h1: [],
  h2: [],
  h3: [],
  h4: [],
  h5: [],
  h6: [],
  header: [],
  hr: [],
  i: [],
  iframe: ['src', 'width', 'height', 'allowfullscreen'],
  img: ['src', 'srcset', 'sizes', 'alt', 'width', 'height', 'border', 'align'],
  ins: ['cite', 'datetime'],
  kbd: [],
  li: ['value'],
  mark: [],
  ol: ['start', 'type', 'reversed'],
  p: [],
  picture: [],
  pre: [],
  q: ['cite'],
  rp: [],
  rt: [],
  ruby: [],
  s: [],
  samp: [],
  section: [],
  small: [],
  source: ['src', 'srcset', 'sizes', 'type', 'media'],
  span: [],
  strike: [],
  strong: [],
  sub: [],
  summary: [],
  sup: [],
  table: ['summary'],
  tbody: [],
  td: ['colspan', 'rowspan', 'headers', 'align', 'valign'],
  tfoot: [],
  th: ['colspan', 'rowspan', 'headers', 'scope', 'align', 'valign'],
  thead: [],
  time: ['datetime'],
  tr: [],
  track: ['src', 'kind', 'srclang', 'label'],
  tt: [],
  u: [],
  ul: [],
  var: [],
  video: ['src', 'poster', 'controls', 'loop', 'muted', 'width', 'height', 'preload'],
  wbr: [],
};

/** ALLOWED as a Map of Sets: the lookups run for every tag and attribute (exported for the tests' allowlist check). */
export const ALLOWED_ATTRS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(ALLOWED).map(([name, attrs]) => [name, new Set([...attrs, ...COMMON_ATTRS])]),
);

const VOID = new Set([
  'br',
  'hr',
  'img',
  'source',
  'wbr',
  'col',
  'track',
  'area',
  'base',
  'embed',
  'input',
  'link',
  'meta',
  'param',
  'keygen',
  'basefont',
  'frame',
  'isindex',
]);

/**
 * Raw-text elements for the sanitizer: as in HTML, except iframe, whose content we read as markup so a
 * dropped iframe's fallback survives sanitized (as feedparser does) instead of showing as escaped tags.
 */
const SANITIZER_RAW_TEXT: ReadonlySet<string> = new Set([...RAW_TEXT].filter((n) => n !== 'iframe'));

/** Elements dropped together with everything inside them (object/applet keep their fallback content). */
const DROP_WITH_CONTENT = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'head',
  'title',
  'textarea',
  'select',
  'button',
  'xmp',
  'noembed',
  'noframes',
  'frameset',
  'canvas',
  'map',
  'datalist',
  'plaintext',
]);

/** Hosts whose iframes are video/audio players readers expect to see (Miniflux's list, trimmed). */
export const IFRAME_HOSTS: ReadonlySet<string> = new Set([
  'www.youtube.com',
  'youtube.com',
  'www.youtube-nocookie.com',
  'youtube-nocookie.com',
  'player.vimeo.com',
  'www.dailymotion.com',
  'dailymotion.com',
  'player.twitch.tv',
  'bandcamp.com',
  'w.soundcloud.com',
  'open.spotify.com',
  'player.bilibili.com',
  'embed.ted.com',
  'www.slideshare.net',
]);

/** Attributes whose value is a URL; the value says how it is used. */
const URL_ATTRS: ReadonlyMap<string, 'link' | 'resource'> = new Map([
  ['href', 'link'],
  ['cite', 'link'],
  ['src', 'resource'],
  ['poster', 'resource'],
]);

/** Image hosts that only serve trackers (1×1 pixels are dropped by size as well). */
const TRACKER_HOSTS =
  /(^|\.)(feedsportal\.com|pixel\.wp\.com|stats\.wordpress\.com|pixel\.quantserve\.com|www\.google-analytics\.com|pixel\.tapad\.com|ad\.doubleclick\.net)$/;

// A test before replacing: most text runs have nothing to escape, and a native scan that finds nothing is
// cheaper than replace's callback machinery (and than a charCode loop over long Thai/Vietnamese runs); then one
// native replaceAll per special character actually present.
// As HTML5 serializes: U+00A0 as &nbsp;, and a CR (from &#13;) as the LF a parser makes of it.
const TEXT_SPECIAL = /[&<>\u00a0\r]/;

/** Text as HTML element content, as HTML5 serializes it (also how plain-text fields become HTML before sanitizing). */
export function escapeText(text: string): string {
  if (!TEXT_SPECIAL.test(text)) return text;
  let out = text.includes('&') ? text.replaceAll('&', '&amp;') : text;
  if (out.includes('<')) out = out.replaceAll('<', '&lt;');
  if (out.includes('>')) out = out.replaceAll('>', '&gt;');
  if (out.includes('\u00a0')) out = out.replaceAll('\u00a0', '&nbsp;');
  if (out.includes('\r')) out = out.replace(/\r\n?/g, '\n');
  return out;
}

const ATTR_SPECIAL = /[&<>"\u00a0\r]/;

function escapeAttr(value: string): string {
  if (!ATTR_SPECIAL.test(value)) return value;
  // Mostly URLs whose only special character is '&': one native replace per character actually present.
  let out = value.includes('&') ? value.replaceAll('&', '&amp;') : value;
  if (out.includes('"')) out = out.replaceAll('"', '&quot;');
  if (out.includes('<')) out = out.replaceAll('<', '&lt;');
  if (out.includes('>')) out = out.replaceAll('>', '&gt;');
  if (out.includes('\u00a0')) out = out.replaceAll('\u00a0', '&nbsp;');
  if (out.includes('\r')) out = out.replace(/\r\n?/g, '\n');
  return out;
}

/** An attribute's value by name (a loop over a tag's few attributes: no Map to build per tag). */
function attributeOf(attrs: [string, string][], name: string): string | undefined {
  for (let i = 0; i < attrs.length; i++) if (attrs[i][0] === name) return attrs[i][1];
  return undefined;
}

function isTrackingPixel(attrs: [string, string][], src: string): boolean {
  const w = attributeOf(attrs, 'width')?.trim().replace(/px$/i, '');
  const h = attributeOf(attrs, 'height')?.trim().replace(/px$/i, '');
  if ((w === '1' || w === '0') && (h === '1' || h === '0')) return true;
  return TRACKER_HOSTS.test(hostnameOf(src));
}

/** Each srcset candidate is checked on its own; unsafe ones are dropped, the rest kept in order. */
function sanitizeSrcset(value: string, base: string | undefined): string | undefined {
  const kept: string[] = [];
  for (const candidate of value.split(/,(?=\s|$)|,(?=[^\s,]+\s+\d)/)) {
    const parts = candidate.trim().split(/\s+/);
    if (!parts[0]) continue;
    const url = resolveUrl(parts[0], base, 'resource');
    const descriptor = parts[1] && /^\d+(\.\d+)?[wx]$/.test(parts[1]) ? ' ' + parts[1] : '';
    if (url && !url.includes(',')) kept.push(url + descriptor);
  }
  return kept.length ? kept.join(', ') : undefined;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Graphemes-safe prefix of `text` of at most `max` UTF-16 units. */
export function cutGraphemes(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let end = 0;
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  // Only the region around the cut needs segmenting.
  const from = Math.max(0, max - 64);
  for (const { index, segment } of segmenter.segment(text.slice(from, max + 64))) {
    const stop = from + index + segment.length;
    if (stop > max) break;
    end = stop;
  }
  // A grapheme longer than the window: cut before it, never between the halves of a surrogate pair.
  if (end === 0 && from > 0) end = isLowSurrogate(text.charCodeAt(from)) ? from - 1 : from;
  return text.slice(0, end);
}

/** Markup, entity references, a '>' the tokenizer would escape, or what HTML5 serializes otherwise (U+00A0, CR). */
const MARKUP_CHARS = /[<&>\u00a0\r]/;

const IFRAME_ATTRS = ' sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox" loading="lazy"';
const NUMERIC_ATTRS = new Set(['width', 'height', 'colspan', 'rowspan', 'span', 'start', 'value']);

type StartToken = Extract<HtmlToken, { kind: 'start' }>;
/** What became of a start tag: written (or dropped alone), dropped with all it holds, or over the length cap. */
type StartOutcome = 'written' | 'skip-content' | 'full';

/** A kept attribute's value (URLs resolved and checked, numbers checked), or undefined to drop it. */
function attributeValue(attr: string, value: string, base: string | undefined): string | undefined {
  const urlUse = URL_ATTRS.get(attr);
  if (urlUse !== undefined) {
    const url = resolveUrl(value, base, urlUse);
    return url === undefined && attr === 'href' && value.trim().startsWith('#') ? value.trim() : url;
  }
  if (attr === 'srcset') return sanitizeSrcset(value, base);
  if (NUMERIC_ATTRS.has(attr)) return /^\s*-?\d+(\.\d+)?%?\s*$/.test(value) ? value.trim() : undefined;
  return value;
}

/** The attributes an allowed element keeps, as tag text; undefined when the element itself must go. */
function keptAttributes(t: StartToken, allowed: ReadonlySet<string>, base: string | undefined): string | undefined {
  // iframe and img: src (and srcset) are checked before the tag is kept, and those results serve the loop too.
  let src: string | undefined;
  let srcset: string | undefined;
  const isImg = t.name === 'img';
  if (t.name === 'iframe') {
    src = resolveUrl(attributeOf(t.attrs, 'src'), base, 'resource');
    if (!src || !IFRAME_HOSTS.has(hostnameOf(src))) return undefined;
  } else if (isImg) {
    src = resolveUrl(attributeOf(t.attrs, 'src'), base, 'resource');
    const candidates = attributeOf(t.attrs, 'srcset');
    srcset = candidates !== undefined ? sanitizeSrcset(candidates, base) : undefined;
    if ((!src && !srcset) || (src && isTrackingPixel(t.attrs, src))) return undefined;
  }
  let out = '';
  let link = false;
  for (const [attr, value] of t.attrs) {
    if (!allowed.has(attr)) continue;
    const v = attr === 'src' && src !== undefined ? src : isImg && attr === 'srcset' ? srcset : attributeValue(attr, value, base);
    if (v === undefined) continue;
    if (attr === 'href' && !v.startsWith('#')) link = true;
    out += ` ${attr}="${escapeAttr(v)}"`;
  }
  // Kept links open the other site without a handle on this page or its address (as Miniflux does).
  return link ? out + ' rel="noopener noreferrer"' : out;
}

/** Writes a start tag through the tree writer, if the allowlist keeps it. */
function writeStart(writer: HtmlTreeWriter, t: StartToken, base: string | undefined): StartOutcome {
  const name = t.name;
  const allowed = ALLOWED_ATTRS.get(name);
  if (!allowed) {
    // Unknown or forbidden tag: the tag goes, its text stays, but for elements dropped with their content.
    return DROP_WITH_CONTENT.has(name) && (!t.selfClosing || SANITIZER_RAW_TEXT.has(name)) ? 'skip-content' : 'written';
  }
  const attrs = keptAttributes(t, allowed, base);
  if (attrs === undefined) return 'written'; // the tag goes; its fallback content is sanitized like the rest
  if (name === 'iframe') {
    // Player iframes carry no content we keep.
    if (!writer.start(name, `<iframe${attrs}${IFRAME_ATTRS}></iframe>`, true)) return 'full';
    return t.selfClosing ? 'written' : 'skip-content';
  }
  const isVoid = VOID.has(name);
  if (!writer.start(name, `<${name}${attrs}>`, isVoid)) return 'full';
  if (t.selfClosing && !isVoid) writer.end(name); // XHTML's <b/>: an empty element
  return 'written';
}

/** Writes text, cut to the room left on a grapheme boundary; false once the cap is reached. */
function writeText(writer: HtmlTreeWriter, text: string, escaped: string): boolean {
  if (writer.text(escaped)) return true;
  const room = writer.room();
  // Escaping lengthens the text: cut shorter until the escaped cut fits (each round drops at least one unit).
  for (let n = room; n > 0; ) {
    const piece = escapeText(cutGraphemes(text, n));
    if (piece.length <= room) {
      writer.text(piece);
      break;
    }
    n -= piece.length - room;
  }
  return false;
}

/** Sanitizes an HTML fragment by allowlist; returns '' for nothing left. */
export function sanitizeHtml(html: string, options: SanitizeOptions = {}): string {
  const { base } = options;
  const max = Math.max(0, options.maxLength ?? Infinity);
  const clean = cleanCharacters(html);
  // Plain text in an HTML field (many RSS summaries): what tokenizing would yield, without the tokenizer.
  if (!MARKUP_CHARS.test(clean)) return (clean.length <= max ? clean : cutGraphemes(clean, max)).trim();
  // Then a plain run (no & < >) has nothing to escape either (indexOf: a native scan, cheaper than a regex here).
  const plainIsFinal = clean.indexOf('\u00a0') === -1 && clean.indexOf('\r') === -1;
  const writer = new HtmlTreeWriter(max);
  let skipDepth = 0;
  let skipName = '';
  let full = false;
  tokenizeHtml(
    clean,
    (t) => {
      if (full) return;
      if (skipDepth > 0) {
        // Inside a dropped element: only its own nesting matters.
        if (t.kind === 'start' && t.name === skipName && !t.selfClosing) skipDepth++;
        else if (t.kind === 'end' && t.name === skipName) skipDepth--;
      } else if (t.kind === 'text') {
        full = !writeText(writer, t.text, t.plain && plainIsFinal ? t.text : escapeText(t.text));
      } else if (t.kind === 'end') {
        writer.end(t.name);
      } else {
        const outcome = writeStart(writer, t, base);
        full = outcome === 'full';
        if (outcome === 'skip-content') [skipDepth, skipName] = [1, t.name];
      }
    },
    SANITIZER_RAW_TEXT,
    true,
  );
  return writer.finish().trim();
}
