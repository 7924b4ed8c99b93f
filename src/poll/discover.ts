// Feed discovery: from a site's page URL to its feed, the way readers do it — the page's <link rel="alternate"> feeds
// first, then the usual paths. Every fetch is a poll's fetch (private-address rule on every hop, size and time caps).
import { failed, type Failure } from '../errors';
import { decodeBody } from '../ingest/decode';
import { tokenizeHtml, type HtmlToken } from '../ingest/html';
import { parseFeed } from '../ingest/parse/index';
import type { Config, FeedFormat, FetchOutcome } from '../model';
import { checkSourceUrl } from './address';
import { headersFor } from './controls';
import { fetchFeed, type FetchOptions } from './fetch';

export interface FeedCandidate {
  url: string;
  type: FeedFormat | 'unknown';
  title?: string;
}

export type Discovery =
  /** `discoveredFrom` is set when `url` was a page and `feedUrl` came from it. */
  | { ok: true; feedUrl: string; discoveredFrom?: string; candidates: FeedCandidate[] }
  /** unreachable: no answer worth reading; not-a-page: an answer that is neither a feed nor HTML (a broken feed). */
  | (Failure<'unreachable' | 'not-a-page' | 'no-feed'> & { candidates: FeedCandidate[] });

/** Where sites put their feeds when the page does not say (WordPress, Hugo, Jekyll, Ghost, most generators). */
export const USUAL_PATHS = ['/feed', '/rss.xml', '/atom.xml', '/index.xml', '/feed.json', '/feed.xml', '/rss'];
/** Candidates fetched at most, so a page listing hundreds of feeds costs a bounded number of subrequests. */
export const MAX_PROBES = 10;

// A Map, not an object: a page's type="constructor" finds nothing.
const FEED_TYPES = new Map<string, FeedCandidate['type']>(
  Object.entries({
    'application/rss+xml': 'rss',
    'application/atom+xml': 'atom',
    'application/feed+json': 'json',
    'application/rdf+xml': 'rdf',
    'application/json': 'json',
    'application/x.atom+xml': 'atom',
    'application/x-atom+xml': 'atom',
    'text/xml': 'unknown',
    'application/xml': 'unknown',
  }),
);

const attrOf = (t: Extract<HtmlToken, { kind: 'start' }>, name: string) => t.attrs.find(([k]) => k === name)?.[1];

/** The feeds a page links with `<link rel="alternate" type="…">` (https://www.rssboard.org/rss-autodiscovery), against its base, in page order. */
export function feedLinks(html: string, pageUrl: string): FeedCandidate[] {
  const bodyAt = html.search(/<body[\s>]/i);
  let base = pageUrl;
  const found: FeedCandidate[] = [];
  tokenizeHtml(bodyAt > 0 ? html.slice(0, bodyAt) : html, (t) => {
    if (t.kind !== 'start') return;
    if (t.name === 'base' && attrOf(t, 'href')) base = resolve(attrOf(t, 'href')!, pageUrl) ?? base;
    if (t.name !== 'link') return;
    const rel = (attrOf(t, 'rel') ?? '').toLowerCase().split(/\s+/);
    const type = FEED_TYPES.get((attrOf(t, 'type') ?? '').toLowerCase().split(';')[0].trim());
    const url = resolve(attrOf(t, 'href') ?? '', base);
    if (!rel.includes('alternate') || rel.includes('stylesheet') || !type || !url) return;
    if (found.some((f) => f.url === url)) return;
    const title = attrOf(t, 'title')?.trim();
    found.push({ url, type, ...(title ? { title } : {}) });
  });
  return found;
}

function resolve(href: string, base: string): string | undefined {
  if (!href.trim()) return undefined;
  try {
    const u = new URL(href.trim(), base);
    u.hash = '';
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

type Fetched = Extract<FetchOutcome, { kind: 'fresh' }>;

/** What a fetched body is: a feed of some format, an HTML page's text, or something else (a broken feed, say). */
function readBody(res: Fetched): { feed?: FeedFormat; page?: string } {
  const decoded = decodeBody(res.body, res.contentType);
  if (!decoded.ok) return {};
  const parsed = parseFeed(decoded.text, { url: res.finalUrl });
  if (parsed.ok) return { feed: parsed.feed.format };
  return parsed.code === 'html-page' || /html/i.test(res.contentType ?? '') ? { page: decoded.text } : {};
}

interface Probe {
  fetch: (url: string) => Promise<FetchOutcome>;
}

async function firstFeed(candidates: FeedCandidate[], probe: Probe): Promise<FeedCandidate | undefined> {
  for (const c of candidates.slice(0, MAX_PROBES)) {
    const res = await probe.fetch(c.url);
    if (!res.ok || res.kind !== 'fresh') continue;
    const body = readBody(res);
    if (body.feed) return { ...c, type: body.feed };
  }
  return undefined;
}

/** The usual paths under the page's own folder first (a blog at /blog/ has /blog/feed), then at the site's root. */
function usualPaths(pageUrl: string): FeedCandidate[] {
  const page = new URL(pageUrl);
  page.search = '';
  const last = page.pathname.split('/').pop() ?? '';
  const folder = last.includes('.') || page.pathname.endsWith('/') ? page.href : `${page.href}/`;
  const urls = [...USUAL_PATHS.map((p) => new URL(p.slice(1), folder).href), ...USUAL_PATHS.map((p) => new URL(p, page).href)];
  return [...new Set(urls)].map((url) => ({ url, type: 'unknown' as const }));
}

/** The feed behind `url`: itself when it is one, else the first working feed its page names or a usual path holds. */
export async function discoverFeed(url: string, config: Config, opts: FetchOptions = {}): Promise<Discovery> {
  // The source's own User-Agent and headers; its credentials only to its own origin, never to a candidate elsewhere.
  const optsFor = (u: string): FetchOptions => ({ ...opts, headers: headersFor(u, url, opts.headers) });
  const probe: Probe = { fetch: (u) => fetchFeed(u, {}, config, optsFor(u)) };
  const first = await probe.fetch(url);
  if (!first.ok) return failed('unreachable', first.reason, { candidates: [] });
  if (first.kind !== 'fresh') return failed('unreachable', `unexpected answer ${first.status}`, { candidates: [] });
  const body = readBody(first);
  const given = checkSourceUrl(url, config);
  if (body.feed) return { ok: true, feedUrl: given.ok ? given.url : first.finalUrl, candidates: [{ url: first.finalUrl, type: body.feed }] };
  if (body.page === undefined) return failed('not-a-page', 'it answers with something that is neither a feed nor a page', { candidates: [] });
  const linked = feedLinks(body.page, first.finalUrl);
  const candidates = linked.length ? linked : usualPaths(first.finalUrl);
  const found = await firstFeed(candidates, probe);
  if (found) return { ok: true, feedUrl: found.url, discoveredFrom: url, candidates: linked.length ? linked : [found] };
  const looked = linked.length ? `the ${linked.length} feeds its page links` : `<link rel="alternate"> and ${USUAL_PATHS.join(', ')}`;
  return failed('no-feed', `no feed found at ${url}: it is not a feed, and none answered among ${looked}`, { candidates: linked });
}
