// Which version of a river a request serves. Rendered answers are cached under their river's version, so a run that
// changed a river can leave no cached variant stale: once a colo learns the new version (this isolate's memory,
// then the Cache API, then the river's page in KV), every variant's cache key changes with it.
import type { StoredPage } from '../store/kv';

/** What a request knows of a river before its cache: the version, and the page when it had to read it. */
export interface RiverPointer {
  version: string;
  page?: StoredPage;
}

// KV itself takes up to 60 s to show a write everywhere: a colo's pointer lives as long; this isolate's, shorter.
const POINTER_CACHE_SECONDS = 60;
const POINTER_MEMORY_MS = 10_000;
const memory = new Map<string, { pointer: RiverPointer; until: number }>();

function pointerUrl(base: string, slug: string): string {
  return `${base}/__version/${slug}`;
}

function cache(): Cache {
  return (caches as unknown as { default: Cache }).default;
}

/**
 * The river's current version as this colo knows it; reads the page from KV (through `load`) only when neither this
 * isolate nor the colo's cache knows it. Null when KV has no page for the slug.
 */
export async function riverPointer(
  base: string,
  slug: string,
  load: () => Promise<StoredPage | null>,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<RiverPointer | null> {
  const key = pointerUrl(base, slug);
  const now = Date.now();
  const mem = memory.get(key);
  if (mem && mem.until > now) return mem.pointer;
  const hit = await cache().match(new Request(key));
  if (hit) {
    const pointer = { version: await hit.text() };
    memory.set(key, { pointer, until: now + POINTER_MEMORY_MS });
    return pointer;
  }
  const page = await load();
  if (!page) return null;
  const pointer: RiverPointer = { version: page.meta.version, page };
  memory.set(key, { pointer, until: now + POINTER_MEMORY_MS });
  waitUntil(cache().put(new Request(key), new Response(page.meta.version, { headers: { 'Cache-Control': `public, max-age=${POINTER_CACHE_SECONDS}` } })));
  return pointer;
}

/** After a change: this isolate and this colo learn the new versions on their next request. */
export async function forgetPointers(base: string, slugs: string[]): Promise<void> {
  const keys = slugs.map((s) => pointerUrl(base, s));
  for (const k of keys) memory.delete(k);
  await Promise.all(keys.map((k) => cache().delete(new Request(k))));
}
