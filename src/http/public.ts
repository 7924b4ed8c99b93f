// Public routes: merged feeds, people's pages, OPML export and the status page.
// Feeds and pages are served from the river's page in KV (one read on a cache miss); views it cannot answer
// (older pages, filters, long pages) ask the river's own object. Answers are cached under the river's version.
import { Hono, type Context } from 'hono';
import { readConfig } from '../config';
import type { AppEnv, CategorySummary, Config, Env, IndexDoc, RiverItem, RiverPage, SourceStatus } from '../model';
import { LANGUAGE_TAG, SLUG, SLUG_PATTERN } from '../patterns';
import { renderIndexPage, renderStatusPage } from '../render/html';
import { renderOpml } from '../render/opml';
import { FORMATS, GENERATOR, renderKey, renderView, viewPath, withQuery, type ViewFormat, type ViewRequest } from '../render/views';
import { CURSOR, cursorOf, selectItems, type RiverQuery } from '../river/filter';
import { ALL_SLUG, decodePage, idRecord, loadIndex, loadPage, olderVersion, pageRiver, type StoredPage } from '../store/kv';
import { deploymentOf, directoryOf, riverOf } from '../store/objects';
import { cacheControl, etagOf, httpDate, isNotModified, serveCached } from './caching';
import { PAGE_CSP, PUBLIC_CORS } from './page-policy';
import { remembered } from './memo';
import { riverPointer, type RiverPointer } from './versions';

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

function notFound(c: Context<AppEnv>, what: string): Response {
  return c.json({ error: `${what} not found` }, 404);
}

/** What a view is made of: the river's meta and the page's items. */
interface ViewParts {
  river: RiverPage;
  items: RiverItem[];
  next?: string;
  /** Cut short (the River was out of reach): answered, never cached. */
  degraded?: boolean;
}

/** The page this colo serves: its KV copy, or the River's own when that copy is older than the version announced. */
async function currentPage(c: Context<AppEnv>, slug: string, pointer: RiverPointer): Promise<StoredPage | null> {
  const d = deploymentOf(c.env);
  const page = pointer.page ?? (await loadPage(c.env.TRIBUTARY, d.prefix, slug));
  if (page && !olderVersion(page.meta.version, pointer.version)) return page;
  const head = await riverOf(c.env, d, slug)
    .head(d, slug)
    .catch(() => null);
  return head ? decodePage(head) : page;
}

/** One page of a river for a query: from the river's KV page when it holds the answer, else from the river itself. */
async function riverView(c: Context<AppEnv>, slug: string, query: RiverQuery, pointer: RiverPointer): Promise<ViewParts> {
  const d = deploymentOf(c.env);
  let page: StoredPage | null = null;
  if (!query.lang && !query.source && !query.q) {
    page = await currentPage(c, slug, pointer);
    if (page) {
      const river = pageRiver(page, []);
      const { page: items, next } = selectItems(page.items(), query);
      if (next || !page.meta.more) return { river, items, next };
      if (items.length === query.limit) return { river, items, next: cursorOf(items[items.length - 1]) };
    }
  }
  try {
    const view = await riverOf(c.env, d, slug).query(d, slug, query);
    return { river: view.river, items: view.river.items, next: view.next };
  } catch (err) {
    // The river's own object is out of reach: a long page is cut to what KV holds (not cached); anything else waits.
    if (!page || query.before) throw new RiverUnavailable(slug, err);
    console.warn(`river "${slug}" could not answer a view; serving its page`, err);
    return { river: pageRiver(page, []), items: selectItems(page.items(), query).page, degraded: true };
  }
}

/** A view only the river's own object can answer, while it cannot: 503, and readers come back later. */
class RiverUnavailable extends Error {
  constructor(slug: string, cause: unknown) {
    super(`river "${slug}" is unavailable`, { cause });
  }
}

/** The river's pointer; for a category whose page KV does not show yet, its current page from the river itself. */
async function pointerFor(c: Context<AppEnv>, slug: string, base: string): Promise<RiverPointer | null> {
  const d = deploymentOf(c.env);
  const kv = c.env.TRIBUTARY;
  const pointer = await riverPointer(
    base,
    slug,
    () => loadPage(kv, d.prefix, slug),
    (p) => c.executionCtx.waitUntil(p),
  );
  if (pointer) return pointer;
  // Rare: a category created a moment ago, or the first request after an upgrade (the index starts the migration).
  const index = await indexDoc(c.env);
  if (slug !== ALL_SLUG && !index.categories.some((x) => x.slug === slug)) return null;
  const page = decodePage(await riverOf(c.env, d, slug).head(d, slug));
  return { version: page.meta.version, page };
}

// Registry-sized reads a public page can be hammered with: remembered by this isolate for a few seconds.
const STATUS_MEMO_MS = 5_000;
const INDEX_MEMO_MS = 10_000;
const OPML_MEMO_MS = 60_000;

/** The `index` document (from KV, else from the Directory, which writes it again). */
function indexDoc(env: Env): Promise<IndexDoc> {
  const d = deploymentOf(env);
  return remembered(`${d.prefix}\u0000index`, INDEX_MEMO_MS, async () => (await loadIndex(env.TRIBUTARY, d.prefix)) ?? directoryOf(env, d).index(d));
}

export const publicRoutes = new Hono<AppEnv>();

publicRoutes.get(`/feeds/:file{${SLUG_PATTERN}\\.(rss|atom|json)}`, async (c) => {
  const file = c.req.param('file');
  const dot = file.lastIndexOf('.');
  const slug = file.slice(0, dot);
  const format = file.slice(dot + 1) as ViewFormat;
  return serveRiver(c, slug, format);
});

publicRoutes.get('/c/:slug', async (c) => serveRiver(c, c.req.param('slug'), 'html'));

async function serveRiver(c: Context<AppEnv>, slug: string, format: ViewFormat): Promise<Response> {
  if (!SLUG.test(slug)) return notFound(c, `category "${slug}"`);
  const config = readConfig(c.env);
  const base = baseUrlOf(c, config);
  const query = readQuery(c, config);
  const pointer = await pointerFor(c, slug, base);
  if (!pointer) return notFound(c, `category "${slug}"`);
  return serveView(c, { slug, format, base, canonical: query.canonical }, query, pointer, config).catch((err: unknown) => {
    if (!(err instanceof RiverUnavailable)) throw err;
    console.error(err.message, err.cause);
    return c.json({ error: `${err.message}; try again in a minute` }, 503, { 'Retry-After': '60' });
  });
}

async function serveView(
  c: Context<AppEnv>,
  view: ViewRequest,
  query: RiverQuery & { canonical: string },
  pointer: RiverPointer,
  config: Config,
): Promise<Response> {
  const selfUrl = `${view.base}${withQuery(viewPath(view.slug, view.format), new URLSearchParams(view.canonical))}`;
  // The version in the cache key: a cached answer of an older river is never found again.
  const cacheKey = `${selfUrl}${selfUrl.includes('?') ? '&' : '?'}_v=${pointer.version}`;
  const key = renderKey(view.base, config);
  return serveCached(
    c.req.raw,
    cacheKey,
    async () => {
      const { river, items, next, degraded } = await riverView(c, view.slug, query, pointer);
      return {
        body: renderView(river, items, { ...view, next }, config),
        headers: {
          'Content-Type': FORMATS[view.format].type,
          // Stored with the page, so a cached copy needs no header rewrite per request.
          ...(view.format === 'html' ? { 'Content-Security-Policy': PAGE_CSP } : {}),
          // Everything the body depends on: the river, the view, and the settings and code that render it (the render
          // key). A cut-short answer (the River was out of reach) has no validator and is kept by no cache.
          ...(degraded
            ? { 'Cache-Control': 'no-store' }
            : { ETag: etagOf(river.version, view.format, query.canonical, key), 'Cache-Control': cacheControl(config.pollIntervalMinutes * 60) }),
          'Last-Modified': httpDate(river.updatedAt),
          Vary: 'Accept-Encoding',
          'X-Content-Type-Options': 'nosniff',
          ...PUBLIC_CORS,
        },
      };
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
      const index = await indexDoc(c.env);
      const rows: CategorySummary[] = index.categories.map(({ itemCount, updatedAt, ...category }) => ({ category, itemCount, updatedAt }));
      const body = renderIndexPage(rows, { baseUrl: base, generator: GENERATOR });
      return {
        body,
        headers: {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy': PAGE_CSP,
          ETag: etagOf(body),
          'Cache-Control': 'public, max-age=60, stale-while-revalidate=300',
          'X-Content-Type-Options': 'nosniff',
          ...PUBLIC_CORS,
        },
      };
    },
    (p) => c.executionCtx.waitUntil(p),
  );
});

function statusRows(env: Env): Promise<SourceStatus[]> {
  const d = deploymentOf(env);
  return remembered(`${d.prefix}\u0000status`, STATUS_MEMO_MS, () => directoryOf(env, d).status(d));
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
  const { sources, categories } = await remembered(`${d.prefix}\u0000registry`, OPML_MEMO_MS, () => directoryOf(c.env, d).registry(d));
  const registry = {
    sources: idRecord(Object.fromEntries(sources.map((s) => [s.id, s]))),
    categories: idRecord(Object.fromEntries(categories.map((x) => [x.slug, x]))),
  };
  const body = renderOpml(registry, { title: 'Tributary sources', baseUrl: baseUrlOf(c, config) });
  const etag = etagOf(body);
  if (isNotModified(c.req.raw, etag)) return c.body(null, 304, { ETag: etag });
  return c.body(body, 200, { 'Content-Type': 'text/x-opml; charset=utf-8', ETag: etag, 'Cache-Control': 'public, max-age=300' });
});
