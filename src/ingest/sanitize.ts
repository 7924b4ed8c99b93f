// One allowlist sanitizer for every HTML field (modelled on Miniflux's and feedparser's allowlists).
// Output is re-serialized from tokens (quoted attributes, escaped text, balanced tags), so
// sanitizing its own output yields the same string: sanitizeHtml is idempotent.
import { RAW_TEXT, cleanCharacters, tokenizeHtml } from './html';
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

/** ALLOWED as a Map of Sets: the lookups run for every tag and attribute. */
const ALLOWED_ATTRS: ReadonlyMap<string, ReadonlySet<string>> = new Map(Object.entries(ALLOWED).map(([name, attrs]) => [name, new Set([...attrs, ...COMMON_ATTRS])]));

const VOID = new Set(['br', 'hr', 'img', 'source', 'wbr', 'col', 'track', 'area', 'base', 'embed', 'input', 'link', 'meta', 'param', 'keygen', 'basefont', 'frame', 'isindex']);

/**
 * Raw-text elements for the sanitizer: as in HTML, except iframe, whose content we read as markup so a
 * dropped iframe's fallback survives sanitized (as feedparser does) instead of showing as escaped tags.
 */
const SANITIZER_RAW_TEXT: ReadonlySet<string> = new Set([...RAW_TEXT].filter((n) => n !== 'iframe'));

/** Elements dropped together with everything inside them (object/applet keep their fallback content). */
const DROP_WITH_CONTENT = new Set([
  'script', 'style', 'noscript', 'template', 'svg', 'math', 'head', 'title',
  'textarea', 'select', 'button', 'xmp', 'noembed', 'noframes', 'frameset', 'canvas', 'map', 'datalist', 'plaintext',
]);

/** Hosts whose iframes are video/audio players readers expect to see (Miniflux's list, trimmed). */
export const IFRAME_HOSTS: ReadonlySet<string> = new Set([
  'www.youtube.com', 'youtube.com', 'www.youtube-nocookie.com', 'youtube-nocookie.com', 'player.vimeo.com',
  'www.dailymotion.com', 'dailymotion.com', 'player.twitch.tv', 'bandcamp.com', 'w.soundcloud.com',
  'open.spotify.com', 'player.bilibili.com', 'embed.ted.com', 'www.slideshare.net',
]);

/** Attributes whose value is a URL; the value says how it is used. */
const URL_ATTRS: ReadonlyMap<string, 'link' | 'resource'> = new Map([
  ['href', 'link'],
  ['cite', 'link'],
  ['src', 'resource'],
  ['poster', 'resource'],
]);

/** Image hosts that only serve trackers (1×1 pixels are dropped by size as well). */
const TRACKER_HOSTS = /(^|\.)(feedsportal\.com|pixel\.wp\.com|stats\.wordpress\.com|feeds\.feedburner\.com\/~r|pixel\.quantserve\.com|www\.google-analytics\.com|pixel\.tapad\.com|ad\.doubleclick\.net)$/;

// A test before replacing: most text runs have nothing to escape, and a native scan that finds nothing is
// cheaper than replace's callback machinery (and than a charCode loop over long Thai/Vietnamese runs); then one
// native replaceAll per special character actually present.
const TEXT_SPECIAL = /[&<>]/;

function escapeText(text: string): string {
  if (!TEXT_SPECIAL.test(text)) return text;
  let out = text.includes('&') ? text.replaceAll('&', '&amp;') : text;
  if (out.includes('<')) out = out.replaceAll('<', '&lt;');
  if (out.includes('>')) out = out.replaceAll('>', '&gt;');
  return out;
}

const ATTR_SPECIAL = /[&<>"]/;

function escapeAttr(value: string): string {
  if (!ATTR_SPECIAL.test(value)) return value;
  // Mostly URLs whose only special character is '&': one native replace per character actually present.
  let out = value.includes('&') ? value.replaceAll('&', '&amp;') : value;
  if (out.includes('<')) out = out.replaceAll('<', '&lt;');
  if (out.includes('>')) out = out.replaceAll('>', '&gt;');
  if (out.includes('"')) out = out.replaceAll('"', '&quot;');
  return out;
}

function isTrackingPixel(attrs: Map<string, string>, src: string): boolean {
  const w = attrs.get('width')?.trim().replace(/px$/i, '');
  const h = attrs.get('height')?.trim().replace(/px$/i, '');
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
  if (end === 0 && from > 0) end = from;
  return text.slice(0, end);
}

/** Markup, entity references, or a '>' the tokenizer would escape: without any, a fragment is one plain text run. */
const MARKUP_CHARS = /[<&>]/;

/** Sanitizes an HTML fragment by allowlist; returns '' for nothing left. */
export function sanitizeHtml(html: string, options: SanitizeOptions = {}): string {
  const { base } = options;
  const max = options.maxLength ?? Infinity;
  const clean = cleanCharacters(html);
  // Plain text in an HTML field (many RSS summaries): what tokenizing would yield, without the tokenizer.
  if (!MARKUP_CHARS.test(clean)) return (clean.length <= max ? clean : cutGraphemes(clean, Math.max(0, max))).trim();
  let out = '';
  const open: string[] = [];
  let dropDepth = 0;
  let dropName = '';
  let full = false;
  const closers = () => open.reduceRight((s, name) => s + `</${name}>`, '');
  let openClosersLength = 0; // the length of closers(), kept as tags open and close
  const closersLength = () => openClosersLength;

  tokenizeHtml(clean, (t) => {
    if (full) return;
    if (dropDepth > 0) {
      // Inside a dropped element: only its own nesting matters.
      if (t.kind === 'start' && t.name === dropName && !t.selfClosing) dropDepth++;
      else if (t.kind === 'end' && t.name === dropName) dropDepth--;
      return;
    }
    if (t.kind === 'text') {
      const room = max - out.length - closersLength();
      const escaped = t.plain ? t.text : escapeText(t.text);
      if (escaped.length <= room) out += escaped;
      else {
        out += escapeText(cutGraphemes(t.text, Math.max(0, room)).replace(/&[^;]*$/, ''));
        // Escaping may lengthen the cut text; trim back to the cap on a character boundary.
        while (out.length > max - closersLength() && out.length > 0) out = out.replace(/(&[a-z]+;|[\s\S])$/, '');
        full = true;
      }
      return;
    }
    const name = t.name;
    if (t.kind === 'end') {
      const i = open.lastIndexOf(name);
      if (i === -1) return; // stray end tag
      while (open.length > i) {
        const closed = open.pop()!;
        openClosersLength -= closed.length + 3;
        out += `</${closed}>`;
      }
      return;
    }
    const allowed = ALLOWED_ATTRS.get(name);
    if (!allowed) {
      if (DROP_WITH_CONTENT.has(name) && (!t.selfClosing || SANITIZER_RAW_TEXT.has(name))) {
        dropDepth = 1;
        dropName = name;
      }
      return; // unknown or forbidden tag: the tag goes, its text stays
    }
    let tag = `<${name}`;
    // img: src and srcset are checked before the tag is kept, and those results serve the attribute loop too.
    let checkedSrc: string | undefined;
    let checkedSrcset: string | undefined;
    if (name === 'iframe') {
      const attrs = new Map(t.attrs);
      const src = resolveUrl(attrs.get('src'), base, 'resource');
      const host = src ? hostnameOf(src) : '';
      if (!src || !IFRAME_HOSTS.has(host)) return; // the tag goes; its fallback content is sanitized like the rest
    }
    if (name === 'img') {
      const attrs = new Map(t.attrs);
      checkedSrc = resolveUrl(attrs.get('src'), base, 'resource');
      checkedSrcset = attrs.has('srcset') ? sanitizeSrcset(attrs.get('srcset')!, base) : undefined;
      if ((!checkedSrc && !checkedSrcset) || (checkedSrc && isTrackingPixel(attrs, checkedSrc))) return;
    }
    const isImg = name === 'img';
    for (const [attr, value] of t.attrs) {
      if (!allowed.has(attr)) continue;
      let v: string | undefined = value;
      const urlUse = URL_ATTRS.get(attr);
      if (isImg && attr === 'src') {
        v = checkedSrc;
      } else if (isImg && attr === 'srcset') {
        v = checkedSrcset;
      } else if (urlUse !== undefined) {
        v = resolveUrl(value, base, urlUse);
        if (v === undefined && attr === 'href' && value.trim().startsWith('#')) v = value.trim();
      } else if (attr === 'srcset') {
        v = sanitizeSrcset(value, base);
      } else if (attr === 'width' || attr === 'height' || attr === 'colspan' || attr === 'rowspan' || attr === 'span' || attr === 'start' || attr === 'value') {
        v = /^\s*-?\d+(\.\d+)?%?\s*$/.test(value) ? value.trim() : undefined;
      }
      if (v === undefined) continue;
      tag += ` ${attr}="${escapeAttr(v)}"`;
    }
    if (name === 'iframe') tag += ' sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox" loading="lazy"';
    const isVoid = VOID.has(name);
    tag += isVoid ? ' />' : '>';
    if (out.length + tag.length + closersLength() + (isVoid ? 0 : name.length + 3) > max) {
      full = true;
      return;
    }
    out += tag;
    if (name === 'iframe') {
      // Player iframes carry no content we keep.
      out += '</iframe>';
      if (!t.selfClosing) {
        dropDepth = 1;
        dropName = name;
      }
      return;
    }
    if (!isVoid) {
      if (t.selfClosing) out += `</${name}>`;
      else {
        open.push(name);
        openClosersLength += name.length + 3;
      }
    }
  }, SANITIZER_RAW_TEXT);
  return (out + closers()).trim();
}
