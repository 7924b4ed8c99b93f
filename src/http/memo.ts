// Answers this isolate remembers for a few seconds: the registry-sized reads (status, OPML, the index document) that
// would otherwise cost a Durable Object request or a KV read per hit, and that a public page can be hammered with.
const memo = new Map<string, { value: Promise<unknown>; until: number }>();

/** `load()`'s value, shared by every caller within `ttlMs`; a failed load is not remembered. */
export function remembered<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const hit = memo.get(key);
  if (hit && hit.until > now) return hit.value as Promise<T>;
  const value = load();
  memo.set(key, { value, until: now + ttlMs });
  value.catch(() => memo.delete(key));
  return value;
}

/** After a change: forget what was remembered for a deployment (its keys start with `scope`). */
export function forgetRemembered(scope: string): void {
  for (const key of memo.keys()) if (key.startsWith(scope)) memo.delete(key);
}
