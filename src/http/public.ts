// Public routes: merged feeds, people's pages, OPML export and the status page.
// Feeds and pages are served from the river's page in KV (one read on a cache miss); views it cannot answer
// (older pages, filters, long pages) ask the river's own object. Answers are cached under the river's version.
import { Hono, type Context } from 'hono';
import { readConfig } from '../config';
import type { CategorySummary, Config, Env, RenderContext, RiverItem, RiverPage } from '../model';
import { VERSION } from '../version';
import { renderAtom } from '../render/atom';
import { renderIndexPage, renderRiverPage, renderStatusPage } from '../render/html';
import { renderJsonFeed } from '../render/jsonfeed';
import { renderOpml } from '../render/opml';
import { renderRss } from '../render/rss';
import { CURSOR, cursorOf, selectItems, type RiverQuery } from '../river/filter';
import { ALL_SLUG, idRecord, loadIndex, loadPage } from '../store/kv';
import { deploymentOf, directoryOf, riverOf } from '../store/objects';
import { cacheControl, etagOf, httpDate, isNotModified, serveCached } from './caching';
import { PAGE_CSP } from './page-policy';
import { LANGUAGE_TAG, SLUG } from './patterns';
import { olderVersion, riverPointer, type RiverPointer } from './versions';

type AppEnv = { Bindings: Env };

// Bumped whenever a renderer's output changes, so ETags change with it.
const RENDER_VERSION = '1';
const GENERATOR = `Tributary/${VERSION}`;

const FORMATS = {
  rss: { type: 'application/rss+xml; charset=utf-8', render: renderRss },
  atom: { type: 'application/atom+xml; charset=utf-8', render: renderAtom },
  json: { type: 'application/feed+json; charset=utf-8', render: renderJsonFeed },
} as const;
type Format = keyof typeof FORMATS;


/** Absolute base for self links: PUBLIC_BASE_URL, else (in dev) the request origin. */
export function baseUrlOf(c: Context<AppEnv>, config: Config): string {
  return config.publicBaseUrl ?? new URL(c.req.url).origin;
}

/** Known query parameters, validated and in a fixed order: the normalized cache key and the links' query. */
function readQuery(c: Context<AppEnv>, config: Config): RiverQuery & { canonical: string } {
  const url = new URL(c.req.url);
  const p = url.searchParams;
  const max = config.itemsPerCategory;
  const rawLimit = Number(p.get('limit'));
  const limit = Number.isInteger(rawLimit) && rawLimit >= 1 ? Math.min(rawLimit, max) : config.feedLimitDefault;
  const q: RiverQuery = { limit };
  const before = p.get('before');
  if (before && CURSOR.test(before)) q.before = before;
  const lang = p.get('lang');
  if (lang && LANGUAGE_TAG.test(lang)) q.lang = lang.toLowerCase();
  const source = p.get('source');
  if (source && SLUG.test(source)) q.source = source;
  const kw = p.get('q')?.trim();
  if (kw) q.q = kw.slice(0, 200);
  const canon = new URLSearchParams();
  if (limit !== config.feedLimitDefault) canon.set('limit', String(limit));
  for (const k of ['before', 'lang', 'source', 'q'] as const) if (q[k]) canon.set(k, String(q[k]));
  return { ...q, canonical: canon.toString() };
}

function withQuery(path: string, query: URLSearchParams): string {
  const s = query.toString();
  return s ? `${path}?${s}` : path;
}

function notFound(c: Context<AppEnv>, what: string): Response {
  return c.json({ error: `${what} not found` }, 404);
}

/** One page of a river for a query: from the river's KV page when it holds the answer, else from the river itself. */
async function riverView(c: Context<AppEnv>, slug: string, query: RiverQuery, pointer: RiverPointer): Promise<{ river: RiverPage; items: RiverItem[]; next?: string }> {
  const d = deploymentOf(c.env);
  const river = riverOf(c.env, d, slug);
  if (!query.lang && !query.source && !query.q) {
    let page = pointer.page ?? (await loadPage(c.env.TRIBUTARY, d.prefix, slug));
    // This colo's KV copy can be older than the version the colo was told about: ask the river for the current page.
    if (!page || olderVersion(page.version, pointer.version)) page = await river.head(d, slug);
    const { page: items, next } = selectItems(page.items, query);
    if (next || !page.more) return { river: page, items, next };
    if (items.length === query.limit) return { river: page, items, next: cursorOf(items[items.length - 1]) };
  }
  const view = await river.query(d, slug, query);
  return { river: view.river, items: view.river.items, next: view.next };
}

/** The river's pointer; for a category whose page KV does not show yet, its current page from the river itself. */
async function pointerFor(c: Context<AppEnv>, slug: string, base: string): Promise<RiverPointer | null> {
  const d = deploymentOf(c.env);
  const kv = c.env.TRIBUTARY;
  const pointer = await riverPointer(base, slug, () => loadPage(kv, d.prefix, slug), (p) => c.executionCtx.waitUntil(p));
  if (pointer) return pointer;
  // Rare: a category created a moment ago, or the first request after an upgrade (the index starts the migration).
  const index = (await loadIndex(kv, d.prefix)) ?? (await directoryOf(c.env, d).index(d));
  if (slug !== ALL_SLUG && !index.categories.some((x) => x.slug === slug)) return null;
  const page = await riverOf(c.env, d, slug).head(d, slug);
  return { version: page.version, page };
}

export const publicRoutes = new Hono<AppEnv>();

publicRoutes.get('/feeds/:file{[a-z0-9][a-z0-9-]{0,62}\\.(rss|atom|json)}', async (c) => {
  const file = c.req.param('file');
  const dot = file.lastIndexOf('.');
  const slug = file.slice(0, dot);
  const format = file.slice(dot + 1) as Format;
  return serveRiver(c, slug, format);
});

publicRoutes.get('/c/:slug', async (c) => serveRiver(c, c.req.param('slug'), 'html'));

async function serveRiver(c: Context<AppEnv>, slug: string, format: Format | 'html'): Promise<Response> {
  if (!SLUG.test(slug)) return notFound(c, `category "${slug}"`);
  const config = readConfig(c.env);
  const base = baseUrlOf(c, config);
  const query = readQuery(c, config);
  const path = format === 'html' ? `/c/${slug}` : `/feeds/${slug}.${format}`;
  const selfUrl = `${base}${withQuery(path, new URLSearchParams(query.canonical))}`;
  const pointer = await pointerFor(c, slug, base);
  if (!pointer) return notFound(c, `category "${slug}"`);
  // The version in the cache key: a cached answer of an older river is never found again.
  const cacheKey = `${selfUrl}${selfUrl.includes('?') ? '&' : '?'}_v=${pointer.version}`;
  return serveCached(
    c.req.raw,
    cacheKey,
    async () => {
      const { river, items, next } = await riverView(c, slug, query, pointer);
      const nextQuery = new URLSearchParams(query.canonical);
      if (next) nextQuery.set('before', next);
      const ctx: RenderContext = {
        selfUrl,
        htmlUrl: `${base}/c/${slug}`,
        nextUrl: next ? `${base}${withQuery(path, nextQuery)}` : undefined,
        baseUrl: base,
        ttlMinutes: config.pollIntervalMinutes,
        websubHub: config.websubHub,
        generator: GENERATOR,
      };
      const body = format === 'html' ? renderRiverPage(river, items, ctx) : FORMATS[format].render(river, items, ctx);
      const type = format === 'html' ? 'text/html; charset=utf-8' : FORMATS[format].type;
      return new Response(body, {
        headers: {
          'Content-Type': type,
          // Stored with the page, so a cached copy needs no header rewrite per request.
          ...(format === 'html' ? { 'Content-Security-Policy': PAGE_CSP } : {}),
          // Everything the body depends on: the river, the view, and the settings and code that render it.
          ETag: etagOf(river.version, format, query.canonical, RENDER_VERSION, GENERATOR, base, String(config.pollIntervalMinutes), config.websubHub ?? ''),
          'Last-Modified': httpDate(river.updatedAt),
          'Cache-Control': cacheControl(config.pollIntervalMinutes * 60),
          Vary: 'Accept-Encoding',
          'X-Content-Type-Options': 'nosniff',
          'Access-Control-Allow-Origin': '*',
        },
      });
    },
    (p) => c.executionCtx.waitUntil(p),
  );
}

// The index page reads the `index` document: cached like the feeds, purged with them after a run.
publicRoutes.get('/', async (c) => {
  const config = readConfig(c.env);
  const base = baseUrlOf(c, config);
  return serveCached(
    c.req.raw,
    `${base}/`,
    async () => {
      const d = deploymentOf(c.env);
      const index = (await loadIndex(c.env.TRIBUTARY, d.prefix)) ?? (await directoryOf(c.env, d).index(d));
      const rows: CategorySummary[] = index.categories.map(({ itemCount, updatedAt, ...category }) => ({ category, itemCount, updatedAt }));
      const body = renderIndexPage(rows, { baseUrl: base, generator: GENERATOR });
      return new Response(body, {
        headers: {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy': PAGE_CSP,
          ETag: etagOf(body),
          'Cache-Control': 'public, max-age=60, stale-while-revalidate=300',
          'X-Content-Type-Options': 'nosniff',
          'Access-Control-Allow-Origin': '*',
        },
      });
    },
    (p) => c.executionCtx.waitUntil(p),
  );
});

async function statusRows(env: Env) {
  const d = deploymentOf(env);
  return directoryOf(env, d).status(d);
}

publicRoutes.get('/status.json', async (c) => {
  c.header('Cache-Control', 'no-cache');
  return c.json({ generatedAt: new Date().toISOString(), sources: await statusRows(c.env) });
});

publicRoutes.get('/status', async (c) => {
  const config = readConfig(c.env);
  c.header('Cache-Control', 'no-cache');
  return c.html(renderStatusPage(await statusRows(c.env), { baseUrl: baseUrlOf(c, config), generatedAt: new Date().toISOString() }));
});

publicRoutes.get('/feeds.opml', async (c) => {
  const config = readConfig(c.env);
  const d = deploymentOf(c.env);
  const { sources, categories } = await directoryOf(c.env, d).registry(d);
  const registry = { sources: idRecord(Object.fromEntries(sources.map((s) => [s.id, s]))), categories: idRecord(Object.fromEntries(categories.map((x) => [x.slug, x]))) };
  const body = renderOpml(registry, { title: 'Tributary sources', baseUrl: baseUrlOf(c, config) });
  const etag = etagOf(body);
  if (isNotModified(c.req.raw, etag)) return c.body(null, 304, { ETag: etag });
  return c.body(body, 200, { 'Content-Type': 'text/x-opml; charset=utf-8', ETag: etag, 'Cache-Control': 'public, max-age=300' });
});
