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
  for (const h of [
    'etag',
    'last-modified',
    'cache-control',
    'vary',
    'access-control-allow-origin',
    'access-control-expose-headers',
    'x-content-type-options',
  ]) {
    const v = from.headers.get(h);
    if (v !== null) headers.set(h, v);
  }
  return new Response(null, { status: 304, headers });
}

/** A built answer: a 200, its body as text and its headers. One without an ETag is answered and kept nowhere. */
export interface Answer {
  body: string;
  headers: Record<string, string>;
}

/** A rendered answer kept in this isolate's memory, in front of the Cache API. */
interface Remembered {
  body: string | ArrayBuffer;
  headers: HeadersInit;
  until: number;
}

// Hot feeds are asked for over and over by the same isolate: answering from memory skips even the Cache API's
// round trip. Short-lived, because another isolate's cron run cannot purge this memory; the Cache API and KV stay
// the source of truth.
const MEMORY_TTL_MS = 30_000;
const MEMORY_ENTRIES = 64;
const MEMORY_MAX_BODY = 2 * 1024 * 1024;
const memory = new Map<string, Remembered>();

function recall(key: string, now: number): Response | undefined {
  const hit = memory.get(key);
  if (!hit) return undefined;
  if (hit.until < now) {
    memory.delete(key);
    return undefined;
  }
  return new Response(hit.body, { status: 200, headers: hit.headers });
}

function keep(key: string, body: string | ArrayBuffer, headers: HeadersInit, now: number): void {
  if ((typeof body === 'string' ? body.length * 3 : body.byteLength) > MEMORY_MAX_BODY) return;
  if (memory.size >= MEMORY_ENTRIES) memory.delete(memory.keys().next().value!); // oldest first (insertion order)
  memory.set(key, { body, headers, until: now + MEMORY_TTL_MS });
}

/**
 * Serves from memory or the Cache API when it can (no KV read at all), else builds, answers and stores: the built
 * body is text, so the answer, the Cache API's copy and the memory's share it (no stream is copied).
 * `cacheKey` must be normalized by the caller so random query parameters cannot bust it.
 */
export async function serveCached(req: Request, cacheKey: string, build: () => Promise<Answer>, waitUntil: (p: Promise<unknown>) => void): Promise<Response> {
  const now = Date.now();
  let res = recall(cacheKey, now);
  if (!res) {
    const cache = (caches as unknown as { default: Cache }).default;
    const keyReq = new Request(cacheKey, { method: 'GET' });
    const hit = await cache.match(keyReq);
    if (hit) {
      res = hit;
      if (hit.headers.get('etag')) {
        const copy = hit.clone();
        waitUntil(copy.arrayBuffer().then((body) => keep(cacheKey, body, [...copy.headers], now)));
      }
    } else {
      const answer = await build();
      res = new Response(answer.body, { headers: answer.headers });
      if (answer.headers.ETag) {
        waitUntil(cache.put(keyReq, new Response(answer.body, { headers: answer.headers })));
        keep(cacheKey, answer.body, answer.headers, now);
      }
    }
  }
  const etag = res.headers.get('etag');
  if (res.status === 200 && etag && isNotModified(req, etag, res.headers.get('last-modified') ?? undefined)) return notModified(res);
  return res;
}

/** Drops cached copies of the given URLs in this isolate and colo (other colos expire by max-age, other isolates' memory in 30 s). */
export async function purgeCached(urls: string[]): Promise<void> {
  for (const u of urls) memory.delete(u);
  const cache = (caches as unknown as { default: Cache }).default;
  await Promise.all(urls.map((u) => cache.delete(new Request(u, { method: 'GET' }))));
}
