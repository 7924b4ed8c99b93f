// HTTP caching for feeds and pages: content-derived ETags, conditional requests, and the Cache API.
import { hash64 } from '../hash';

/** A strong ETag from content fingerprints: the same on every KV replica that holds the same river. */
export function etagOf(...parts: string[]): string {
  return `"${hash64(parts.join('\u0000'))}"`;
}

function opaque(tag: string): string {
  return tag.trim().replace(/^W\//, '');
}

/** RFC 9110 §13.1: If-None-Match (lists, weak forms, *) wins over If-Modified-Since. */
export function isNotModified(req: Request, etag: string, lastModified?: string): boolean {
  const inm = req.headers.get('if-none-match');
  if (inm !== null) {
    if (inm.trim() === '*') return true;
    const want = opaque(etag);
    return inm.split(',').some((t) => opaque(t) === want);
  }
  const ims = req.headers.get('if-modified-since');
  if (ims && lastModified) {
    const since = Date.parse(ims);
    const modified = Date.parse(lastModified);
    // HTTP dates have one-second resolution.
    return Number.isFinite(since) && Number.isFinite(modified) && Math.floor(modified / 1000) <= Math.floor(since / 1000);
  }
  return false;
}

export function httpDate(iso: string): string {
  const t = Date.parse(iso);
  return new Date(Number.isFinite(t) ? t : 0).toUTCString();
}

export function cacheControl(maxAgeSeconds: number): string {
  return `public, max-age=${maxAgeSeconds}, stale-while-revalidate=${maxAgeSeconds * 4}, stale-if-error=86400`;
}

/** Turns a full response into a 304 with the validators and caching headers kept (RFC 9110 §15.4.5). */
export function notModified(from: Response): Response {
  const headers = new Headers();
  for (const h of ['etag', 'last-modified', 'cache-control', 'vary', 'access-control-allow-origin', 'x-content-type-options']) {
    const v = from.headers.get(h);
    if (v !== null) headers.set(h, v);
  }
  return new Response(null, { status: 304, headers });
}

/**
 * Serves from the Cache API when it can (no KV read at all), else builds, answers and stores.
 * `cacheKey` must be normalized by the caller so random query parameters cannot bust it.
 */
export async function serveCached(
  req: Request,
  cacheKey: string,
  build: () => Promise<Response>,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<Response> {
  const cache = (caches as unknown as { default: Cache }).default;
  const keyReq = new Request(cacheKey, { method: 'GET' });
  let res = await cache.match(keyReq);
  if (!res) {
    res = await build();
    if (res.status === 200 && res.headers.get('etag')) waitUntil(cache.put(keyReq, res.clone()));
  }
  const etag = res.headers.get('etag');
  if (res.status === 200 && etag && isNotModified(req, etag, res.headers.get('last-modified') ?? undefined)) return notModified(res);
  return res;
}

/** Drops cached copies of the given URLs in this colo (other colos expire by max-age). */
export async function purgeCached(urls: string[]): Promise<void> {
  const cache = (caches as unknown as { default: Cache }).default;
  await Promise.all(urls.map((u) => cache.delete(new Request(u, { method: 'GET' }))));
}

/** After a merge: drop this colo's cached default views of the changed rivers. */
export async function purgeRivers(baseUrl: string, slugs: string[]): Promise<void> {
  const urls = slugs.flatMap((s) => [`${baseUrl}/feeds/${s}.rss`, `${baseUrl}/feeds/${s}.atom`, `${baseUrl}/feeds/${s}.json`, `${baseUrl}/c/${s}`]);
  await purgeCached(urls);
}
