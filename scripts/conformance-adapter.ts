// Maps our ingest output onto feedparser's field names, so the translated feedparser assertions
// (shared/corpus/feedparser/cases.json) can be checked against it. One small adapter, nothing else:
// every value below comes from our own decode → parse → normalize stages.
import type { NormalizedFeed, ParsedEntry, ParsedFeed, ParsedText } from '../src/model';
import { parseDate } from '../src/ingest/dates';
import { decodeBody } from '../src/ingest/decode';
import { htmlToText, tokenizeHtml } from '../src/ingest/html';
import { cleanText, normalizeEntry, normalizeFeed, splitAuthor } from '../src/ingest/normalize';
import { parseFeed } from '../src/ingest/parse/index';
import { sanitizeHtml } from '../src/ingest/sanitize';
import { firstAbsolute } from '../src/ingest/urls';
import { parseFragment, serialize } from 'parse5';

export interface Assertion {
  path: string;
  equals?: unknown;
  exists?: boolean;
  length?: number;
  contains?: string;
  not_contains?: string;
  value_kind?: string;
  alt_paths?: string[];
  meta?: boolean;
  raw?: string;
}

export interface Case {
  file: string;
  category: string;
  expect: Assertion[];
  smoke?: boolean;
  document_url?: string;
  http_headers?: Record<string, string>;
}

/** How a field compares: our titles are plain text, our HTML is re-serialized. */
type Kind = 'text' | 'html' | 'escaped-text' | 'url' | 'date' | 'plain';

/** A feedparser-shaped view of one ingest. */
export interface View {
  ok: boolean;
  error?: string;
  bozo: boolean;
  encoding?: string;
  version?: string;
  get(path: string): { value: unknown; kind: Kind } | undefined;
}

const FEEDPARSER_VERSION: Record<string, string> = {
  'rss:2.0': 'rss20',
  'rss:2.00': 'rss20',
  'rss:0.91': 'rss091u',
  'rss:0.92': 'rss092',
  'rss:0.93': 'rss093',
  'rss:0.94': 'rss094',
  'rss:': 'rss',
  'rdf:1.0': 'rss10',
  'rdf:0.90': 'rss090',
  'atom:1.0': 'atom10',
  'atom:0.3': 'atom03',
  'atom:': 'atom',
  'json:1.0': 'json1',
  'json:1.1': 'json11',
};

function htmlOf(text: ParsedText | undefined, base: string | undefined): string | undefined {
  if (!text) return undefined;
  const html = text.type === 'html' ? text.value : text.value.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
  return sanitizeHtml(html.normalize('NFC'), { base: text.base ?? base });
}

function entryView(entry: ParsedEntry, item: NormalizedFeed['items'][number] | undefined, parsed: ParsedFeed): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  if (item) {
    v.title = item.title;
    v.summary = item.summaryHtml ?? item.contentHtml;
    if (item.contentHtml) v.content = [{ value: item.contentHtml }];
    v.link = item.url;
    v.id = item.guid;
    // feedparser's `author` is the text as written; its author_detail is the parsed name and email.
    v.author = entry.authors[0];
    v.author_detail = entry.authors[0] ? splitAuthor(entry.authors[0]) : undefined;
    v.authors = entry.authors.map(splitAuthor);
    // Plain-text content is HTML-escaped by normalize; feedparser gives the text itself.
    if (item.contentHtml && entry.content?.type === 'text') v.content = [{ value: item.contentHtml, fromText: true }];
    if (entry.summary?.type === 'text' || (!entry.summary && entry.content?.type === 'text')) v.summaryFromText = true;
    v.enclosures = item.enclosures.map((e) => ({ href: e.url, type: e.type, length: e.length === undefined ? undefined : String(e.length) }));
    v.links = item.url ? [{ rel: 'alternate', href: item.url }, ...item.enclosures.map((e) => ({ rel: 'enclosure', href: e.url, type: e.type }))] : undefined;
  }
  v.tags = entry.categories.map((c) => ({ term: c.term, scheme: c.scheme, label: c.label }));
  v.published = parseDate(entry.published)?.iso;
  v.updated = parseDate(entry.updated)?.iso;
  v.created = undefined;
  if (entry.sourceTitle || entry.sourceUrl) v.source = { title: entry.sourceTitle, link: entry.sourceUrl };
  void parsed;
  return v;
}

const KIND_BY_FIELD: Record<string, Kind> = {
  title: 'text',
  author: 'plain',
  name: 'plain',
  summary: 'html',
  subtitle: 'html',
  value: 'html',
  link: 'url',
  href: 'url',
  published: 'date',
  updated: 'date',
  created: 'date',
};

function walk(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    if (cur === undefined || cur === null) return undefined;
    if (part.startsWith('[')) cur = Array.isArray(cur) ? cur[Number(part.slice(1, -1))] : undefined;
    else cur = Object.hasOwn(cur, part) ? (cur as Record<string, unknown>)[part] : undefined;
  }
  return cur;
}

export function ingestView(bytes: Uint8Array, options: { contentType?: string; url: string }): View {
  const fetchedAt = '2030-01-01T00:00:00Z';
  const decoded = decodeBody(bytes, options.contentType);
  if (!decoded.ok) return { ok: false, error: decoded.reason, bozo: true, get: () => undefined };
  const parsed = parseFeed(decoded.text, { url: options.url });
  if (!parsed.ok) return { ok: false, error: parsed.reason, bozo: true, encoding: decoded.encoding, get: () => undefined };
  const feed = parsed.feed;
  const normalized = normalizeFeed(feed, { url: options.url, fetchedAt, sourceId: 'conformance' });
  const feedBase = firstAbsolute(feed.base, normalized.meta.link, options.url);
  const feedView: Record<string, unknown> = {
    title: normalized.meta.title ?? (feed.title ? '' : undefined),
    subtitle: htmlOf(feed.description, feedBase) || undefined,
    link: normalized.meta.link,
    author: feed.authors[0],
    author_detail: feed.authors[0] ? splitAuthor(feed.authors[0]) : undefined,
    authors: feed.authors.map(splitAuthor),
    subtitleFromText: feed.description?.type === 'text',
    updated: parseDate(feed.updated)?.iso,
    published: undefined,
    language: normalized.meta.language,
  };
  // Entry by entry, so an entry normalize skips (nothing a reader could see) keeps the indexes aligned.
  const entries = feed.entries.map((entry) => entryView(entry, normalizeEntry(entry, feed, { url: options.url, fetchedAt, sourceId: 'c' }, []), feed));
  const root = { feed: feedView, entries };
  return {
    ok: true,
    bozo: decoded.warnings.length > 0 || feed.warnings.length > 0,
    encoding: decoded.encoding,
    version: FEEDPARSER_VERSION[`${feed.format}:${feed.version}`] ?? `${feed.format}${feed.version}`,
    get(path) {
      const value = walk(root, path);
      const field = path.match(/([a-z_]+)(\[\d+\])?$/)?.[1] ?? '';
      let kind = KIND_BY_FIELD[field] ?? 'plain';
      // Fields we turned from plain text into escaped HTML compare against feedparser's text escaped the same way.
      const owner = path.replace(/\.[a-z_]+$/, '');
      const flag =
        field === 'value'
          ? walk(root, `${owner}.fromText`)
          : field === 'summary'
            ? walk(root, `${owner}.summaryFromText`)
            : field === 'subtitle'
              ? walk(root, `${owner}.subtitleFromText`)
              : false;
      if (kind === 'html' && flag === true) kind = 'escaped-text';
      return { value, kind };
    },
  };
}

// Our policy adds these to every kept link (as Miniflux does): spelling of a safe link, not a difference in content.
const LINK_POLICY_RELS = new Set(['noopener', 'noreferrer']);

function withoutPolicyRels(name: string, attrs: [string, string][]): [string, string][] {
  if (name !== 'a') return attrs;
  return attrs.flatMap(([n, v]): [string, string][] => {
    if (n !== 'rel') return [[n, v]];
    const kept = v.split(/\s+/).filter((r) => r && !LINK_POLICY_RELS.has(r.toLowerCase()));
    return kept.length ? [[n, kept.join(' ')]] : [];
  });
}

/** One serialization for any HTML: tags and attributes as tokens, text escaped one way, whitespace collapsed. */
export function canonicalHtml(html: string): string {
  let out = '';
  tokenizeHtml(html, (t) => {
    if (t.kind === 'text') out += t.text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
    else if (t.kind === 'end') out += `</${t.name}>`;
    else {
      const attrs = withoutPolicyRels(t.name, [...t.attrs])
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([n, v]) => ` ${n}="${v.replace(/"/g, '&quot;')}"`);
      out += `<${t.name}${attrs.join('')}>`;
    }
  });
  return out.replace(/\s+/g, ' ').replace(/> </g, '><').trim();
}

/** feedparser's Python codec names for what we decoded with (WHATWG names, which fold some charsets). */
function sameEncoding(ours: string | undefined, theirs: string): boolean {
  if (!ours) return false;
  const fold = (e: string) => {
    const l = e.toLowerCase().replace(/_/g, '-');
    // WHATWG reads the label us-ascii as windows-1252; both it and UTF-8 decode ASCII identically.
    if (l === 'us-ascii' || l === 'ascii') return ours.toLowerCase() === 'windows-1252' ? 'windows-1252' : 'utf-8';
    if (l === 'iso-8859-1' || l === 'latin-1' || l === 'windows-1252' || l === 'cp1252') return 'windows-1252';
    if (l === 'gb2312' || l === 'gbk' || l === 'gb18030') return 'gb18030';
    if (l === 'tis-620' || l === 'windows-874') return 'windows-874';
    if (l === 'shift-jis' || l === 'sjis') return 'shift-jis';
    return l;
  };
  return fold(ours) === fold(theirs);
}

function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null) {
    const keys = Object.keys(expected);
    return keys.every((k) => sameValue((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k]));
  }
  return actual === expected;
}

function sameUrl(actual: string, expected: string): boolean {
  if (actual === expected) return true;
  try {
    // Host case and percent-encoding of IRIs are spelling, not difference.
    return new URL(expected).href === actual || decodeURI(actual) === expected;
  } catch {
    return false;
  }
}

/**
 * What a browser builds from an HTML fragment (parse5 is the WHATWG parser): feedparser keeps markup such as a
 * <td> outside any table, which no browser shows; our sanitizer's output is already such a fixed point.
 */
function browserHtml(html: string): string {
  return serialize(parseFragment(html));
}

function sameHtml(actual: string | undefined, expected: string): boolean {
  const ours = canonicalHtml(actual ?? '');
  return ours === canonicalHtml(expected) || ours === canonicalHtml(browserHtml(expected));
}

function compare(actual: unknown, expected: unknown, kind: Kind): boolean {
  // An HTML field we leave out is the same as one a browser reads as nothing.
  if (kind === 'html' && actual === undefined && typeof expected === 'string') return sameHtml(undefined, expected);
  if (typeof expected !== 'string' || typeof actual !== 'string') return sameValue(actual, expected);
  switch (kind) {
    case 'text':
      // Our titles are plain text by design: compare with the text of feedparser's (possibly HTML) value.
      return actual === cleanText(htmlToText(expected), 100_000) || actual === cleanText(expected, 100_000);
    case 'html':
      return sameHtml(actual, expected);
    case 'escaped-text':
      return (
        canonicalHtml(actual) ===
        canonicalHtml(expected.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;')).replace(/\r?\n/g, '<br />'))
      );
    case 'url':
      return sameUrl(actual, expected);
    default:
      return actual.trim() === expected.trim();
  }
}

/**
 * feedparser fields our model does not carry, by design: the full list of a feed's or entry's links
 * (we keep alternate, enclosure, self, hub, next), author URIs, content MIME types and src, the feed's
 * own id, tags and created/published dates, and the details of an entry's <source> beyond title and link.
 */
const NOT_MODELLED = [
  /\.links(\[\d+\])?(\.|$)/,
  /\.href$/,
  /content\[\d+\]\.(type|src)$/,
  /_detail\.type$/,
  /^feed\.(id|tags|created|published)/,
  /\.source\.(?!title$|link$)/,
];

export function isModelled(path: string): boolean {
  return !NOT_MODELLED.some((re) => re.test(path));
}

export interface CheckResult {
  pass: boolean;
  actual?: unknown;
}

export function checkAssertion(view: View, a: Assertion): CheckResult {
  if (a.path === 'bozo') return { pass: view.bozo === a.equals, actual: view.bozo };
  if (a.path === 'encoding') return { pass: sameEncoding(view.encoding, String(a.equals)), actual: view.encoding };
  if (a.path === 'version') return { pass: view.version === a.equals, actual: view.version };
  let got = view.get(a.path);
  if ((got?.value === undefined || got.value === null) && a.alt_paths) {
    for (const alt of a.alt_paths) {
      const g = view.get(alt);
      if (g && g.value !== undefined) {
        got = g;
        break;
      }
    }
  }
  const value = got?.value;
  if (a.exists !== undefined) return { pass: (value !== undefined && value !== null) === a.exists, actual: value };
  if (a.length !== undefined) return { pass: Array.isArray(value) && value.length === a.length, actual: Array.isArray(value) ? value.length : value };
  if (a.contains !== undefined)
    return { pass: typeof value === 'string' ? value.includes(a.contains) : Array.isArray(value) && value.includes(a.contains), actual: value };
  if (a.not_contains !== undefined)
    return { pass: typeof value === 'string' ? !value.includes(a.not_contains) : !(Array.isArray(value) && value.includes(a.not_contains)), actual: value };
  const kind = a.value_kind === 'datetime' ? 'date' : (got?.kind ?? 'plain');
  return { pass: compare(value, a.equals, kind), actual: value };
}
