// Public routes: merged feeds, people's pages, OPML export and the status page.
import { Hono, type Context } from 'hono';
import { readConfig } from '../config';
import type { CategorySummary, Config, Env, Registry, RenderContext, River, SourceStatus } from '../model';
import { VERSION } from '../version';
import { renderAtom } from '../render/atom';
import { renderIndexPage, renderRiverPage, renderStatusPage } from '../render/html';
import { renderJsonFeed } from '../render/jsonfeed';
import { renderOpml } from '../render/opml';
import { renderRss } from '../render/rss';
import { emptyRiver } from '../river/merge';
import { CURSOR, selectItems, type RiverQuery } from '../river/filter';
import { ALL_SLUG, loadRegistry, loadRiver, loadStates } from '../store/kv';
import { cacheControl, etagOf, httpDate, isNotModified, serveCached } from './caching';
import { PAGE_CSP } from './page-policy';
import { LANGUAGE_TAG, SLUG } from './patterns';

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

/** The river for a slug: stored, or empty for a known category that has no items yet, or null (404). */
async function riverFor(kv: KVNamespace, slug: string, registryIfNeeded: () => Promise<Registry>): Promise<River | null> {
  const river = await loadRiver(kv, slug);
  if (river) return river;
  const registry = await registryIfNeeded();
  const now = new Date(0).toISOString();
  if (slug === ALL_SLUG) return emptyRiver({ slug, title: 'All categories' }, now);
  const cat = registry.categories[slug];
  return cat ? emptyRiver({ slug, title: cat.title, description: cat.description, language: cat.language }, now) : null;
}

function notFound(c: Context<AppEnv>, what: string): Response {
  return c.json({ error: `${what} not found` }, 404);
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
  const cacheKey = `${base}${withQuery(path, new URLSearchParams(query.canonical))}`;
  return serveCached(
    c.req.raw,
    cacheKey,
    async () => {
      const river = await riverFor(c.env.TRIBUTARY, slug, () => loadRegistry(c.env.TRIBUTARY));
      if (!river) return notFound(c, `category "${slug}"`);
      const { page, next } = selectItems(river.items, query);
      const nextQuery = new URLSearchParams(query.canonical);
      if (next) nextQuery.set('before', next);
      const ctx: RenderContext = {
        selfUrl: cacheKey,
        htmlUrl: `${base}/c/${slug}`,
        nextUrl: next ? `${base}${withQuery(path, nextQuery)}` : undefined,
        baseUrl: base,
        ttlMinutes: config.pollIntervalMinutes,
        websubHub: config.websubHub,
        generator: GENERATOR,
      };
      const body = format === 'html' ? renderRiverPage(river, page, ctx) : FORMATS[format].render(river, page, ctx);
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

// The index reads the registry and the state document: cached like the feeds, purged with them after a run.
publicRoutes.get('/', async (c) => {
  const config = readConfig(c.env);
  const base = baseUrlOf(c, config);
  return serveCached(
    c.req.raw,
    `${base}/`,
    async () => {
      const [registry, states] = await Promise.all([loadRegistry(c.env.TRIBUTARY), loadStates(c.env.TRIBUTARY)]);
      const rows: CategorySummary[] = Object.values(registry.categories)
        .sort((a, b) => a.slug.localeCompare(b.slug))
        .map((category) => ({ category, ...(states.categories?.[category.slug] ?? { itemCount: 0 }) }));
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

export async function statusRows(kv: KVNamespace): Promise<SourceStatus[]> {
  const [registry, states] = await Promise.all([loadRegistry(kv), loadStates(kv)]);
  return Object.values(registry.sources)
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((s) => {
      const st = states.sources[s.id];
      return {
        id: s.id,
        url: s.url,
        title: s.title || st?.feedTitle || s.url,
        categories: s.categories,
        lastCheckedAt: st?.lastCheckedAt ?? null,
        lastSuccessAt: st?.lastSuccessAt ?? null,
        lastStatus: st?.lastStatus ?? null,
        lastError: st?.lastError ?? null,
        consecutiveFailures: st?.consecutiveFailures ?? 0,
        nextCheckAt: st?.nextCheckAt ?? null,
        itemCount: st?.itemCount ?? 0,
        paused: st?.paused ?? false,
        permanentRedirect: st?.permanentRedirect ?? null,
        identityPolicy: st?.identityPolicy ?? null,
      };
    });
}

publicRoutes.get('/status.json', async (c) => {
  c.header('Cache-Control', 'no-cache');
  return c.json({ generatedAt: new Date().toISOString(), sources: await statusRows(c.env.TRIBUTARY) });
});

publicRoutes.get('/status', async (c) => {
  const config = readConfig(c.env);
  c.header('Cache-Control', 'no-cache');
  return c.html(renderStatusPage(await statusRows(c.env.TRIBUTARY), { baseUrl: baseUrlOf(c, config), generatedAt: new Date().toISOString() }));
});

publicRoutes.get('/feeds.opml', async (c) => {
  const config = readConfig(c.env);
  const registry = await loadRegistry(c.env.TRIBUTARY);
  const body = renderOpml(registry, { title: 'Tributary sources', baseUrl: baseUrlOf(c, config) });
  const etag = etagOf(body);
  if (isNotModified(c.req.raw, etag)) return c.body(null, 304, { ETag: etag });
  return c.body(body, 200, { 'Content-Type': 'text/x-opml; charset=utf-8', ETag: etag, 'Cache-Control': 'public, max-age=300' });
});
