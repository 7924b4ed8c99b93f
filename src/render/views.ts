// A river's views as readers fetch them (a format, a path, a query), rendered the same way by the Worker on a
// cache miss and by the River when it pre-renders its default views into its KV page.
import { hash64 } from '../hash';
import type { Config, RenderContext, River, RiverItem } from '../model';
import { VERSION } from '../version';
import { renderAtom } from './atom';
import { renderRiverPage } from './html';
import { renderJsonFeed } from './jsonfeed';
import { renderRss } from './rss';

// Bumped whenever a renderer's output changes, so ETags change with it.
export const RENDER_VERSION = '2';
export const GENERATOR = `Tributary/${VERSION}`;

export const FORMATS = {
  rss: { type: 'application/rss+xml; charset=utf-8', render: renderRss },
  atom: { type: 'application/atom+xml; charset=utf-8', render: renderAtom },
  json: { type: 'application/feed+json; charset=utf-8', render: renderJsonFeed },
  html: { type: 'text/html; charset=utf-8', render: renderRiverPage },
} as const;
export type ViewFormat = keyof typeof FORMATS;
export const VIEW_FORMATS = Object.keys(FORMATS) as ViewFormat[];

/** Where a view lives: the feed's file or the river's page. */
export function viewPath(slug: string, format: ViewFormat): string {
  return format === 'html' ? `/c/${slug}` : `/feeds/${slug}.${format}`;
}

/** `path` with the query appended, when it has any parameter. */
export function withQuery(path: string, query: URLSearchParams): string {
  const s = query.toString();
  return s ? `${path}?${s}` : path;
}

/** Everything besides the river that a rendered view depends on: a pre-rendered view is used only when it matches. */
export function renderKey(base: string, config: Pick<Config, 'pollIntervalMinutes' | 'websubHub'>): string {
  return hash64([RENDER_VERSION, GENERATOR, base, String(config.pollIntervalMinutes), config.websubHub ?? ''].join('\u0000'));
}

export interface ViewRequest {
  slug: string;
  format: ViewFormat;
  base: string;
  /** The view's normalized query (what the cache key and the links carry). */
  canonical: string;
  /** The cursor of the next (older) page, when there is one. */
  next?: string;
}

/** The view as a document: the format's renderer with self, alternate and next links from PUBLIC_BASE_URL's base. */
export function renderView(river: River, items: RiverItem[], view: ViewRequest, config: Pick<Config, 'pollIntervalMinutes' | 'websubHub'>): string {
  const path = viewPath(view.slug, view.format);
  const nextQuery = new URLSearchParams(view.canonical);
  if (view.next) nextQuery.set('before', view.next);
  const ctx: RenderContext = {
    selfUrl: `${view.base}${withQuery(path, new URLSearchParams(view.canonical))}`,
    htmlUrl: `${view.base}/c/${view.slug}`,
    nextUrl: view.next ? `${view.base}${withQuery(path, nextQuery)}` : undefined,
    baseUrl: view.base,
    ttlMinutes: config.pollIntervalMinutes,
    websubHub: config.websubHub,
    generator: GENERATOR,
  };
  return FORMATS[view.format].render(river, items, ctx);
}
