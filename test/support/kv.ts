// A real KV binding seen through a per-test key prefix, counting every operation.
// Tests get their own namespace (test files share one workerd KV store) and can assert write budgets.
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../src/index';
import type { Env } from '../../src/model';
import { kvUsage, type KvUsage } from '../../src/store/kv';

export function scopedKv(base: KVNamespace, prefix: string): { kv: KVNamespace; counts: { reads: number; writes: number; deletes: number; lists: number; writtenKeys: string[] }; reset: () => void } {
  const counts = { reads: 0, writes: 0, deletes: 0, lists: 0, writtenKeys: [] as string[] };
  const kv = {
    get: (key: string, type?: unknown) => {
      counts.reads++;
      return (base.get as (k: string, t?: unknown) => Promise<unknown>)(prefix + key, type);
    },
    getWithMetadata: (key: string, type?: unknown) => {
      counts.reads++;
      return (base.getWithMetadata as (k: string, t?: unknown) => Promise<unknown>)(prefix + key, type);
    },
    put: (key: string, value: string, opts?: KVNamespacePutOptions) => {
      counts.writes++;
      counts.writtenKeys.push(key);
      return base.put(prefix + key, value, opts);
    },
    delete: (key: string) => {
      counts.deletes++;
      return base.delete(prefix + key);
    },
    list: async (opts: KVNamespaceListOptions = {}) => {
      counts.lists++;
      const page = await base.list({ ...opts, prefix: prefix + (opts.prefix ?? '') });
      return { ...page, keys: page.keys.map((k) => ({ ...k, name: k.name.slice(prefix.length) })) };
    },
  } as unknown as KVNamespace;
  const reset = (): void => {
    counts.reads = counts.writes = counts.deletes = counts.lists = 0;
    counts.writtenKeys = [];
  };
  return { kv, counts, reset };
}

let seq = 0;

/** What a test reads of one deployment's KV traffic (every writer: the Worker and its Durable Objects). */
export type KvCounts = KvUsage;

/**
 * An Env of its own deployment: a private key prefix for KV and for every Durable Object name (test files share one
 * workerd), and its own public base (the Cache API is shared too, and cache keys start with the base).
 */
export function isolatedEnv(overrides: Partial<Env> = {}): { env: Env; counts: KvCounts; resetCounts: () => void; prefix: string } {
  const id = `t${Date.now().toString(36)}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
  const prefix = `${id}/`;
  const base = { ...(env as unknown as Env), STORE_PREFIX: prefix, PUBLIC_BASE_URL: `https://${id}.tributary.test` };
  const counts = kvUsage(prefix);
  const resetCounts = (): void => {
    Object.assign(counts, { reads: 0, writes: 0, deletes: 0, lists: 0, bytesRead: 0, bytesWritten: 0, writtenKeys: [], largestValue: 0 });
  };
  return { env: { ...base, ...overrides }, counts, resetCounts, prefix };
}

/** Calls the real Worker's fetch handler with this Env and waits for its waitUntil work. */
export async function call(e: Env, path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? e.ADMIN_TOKEN : init.token;
  if (token && path.startsWith('/admin')) headers.set('authorization', `Bearer ${token}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', path.endsWith('/opml') ? 'text/x-opml' : 'application/json');
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`https://tributary.test${path}`, { ...init, headers }), e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** What a programmed fixture route answers (see fixture-server.ts). */
export interface FixtureRoute {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  bodyBase64?: string;
  /** Answer 304 when If-None-Match / If-Modified-Since match the route's own ETag / Last-Modified. */
  conditional?: boolean;
  /** Location of a redirect, relative to the fixture server or absolute. */
  redirectTo?: string;
  /** Answer this much later. */
  delayMs?: number;
}

/** Programs a route on the fixture server; returns its URL. */
export async function fixtureRoute(name: string, route: FixtureRoute): Promise<string> {
  const origin = (env as unknown as { FIXTURE_ORIGIN: string }).FIXTURE_ORIGIN;
  const res = await fetch(`${origin}/__route/${encodeURIComponent(name)}`, { method: 'PUT', body: JSON.stringify(route) });
  if (res.status !== 204) throw new Error(`fixture server refused route ${name}: ${res.status}`);
  return `${origin}/r/${encodeURIComponent(name)}`;
}

export async function fixtureHits(name: string): Promise<{ hits: number; lastHeaders: Record<string, string>; bodies: string[] }> {
  const origin = (env as unknown as { FIXTURE_ORIGIN: string }).FIXTURE_ORIGIN;
  return (await fetch(`${origin}/__hits/${encodeURIComponent(name)}`)).json();
}

export function rss(title: string, items: { guid?: string; title: string; link?: string; date?: string; description?: string }[], extra = ''): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${esc(title)}</title><link>https://example.test/</link><description>d</description>${extra}
${items
  .map(
    (i) =>
      `<item>${i.guid ? `<guid isPermaLink="false">${esc(i.guid)}</guid>` : ''}<title>${esc(i.title)}</title>${i.link ? `<link>${esc(i.link)}</link>` : ''}${i.date ? `<pubDate>${i.date}</pubDate>` : ''}${i.description ? `<description>${esc(i.description)}</description>` : ''}</item>`,
  )
  .join('\n')}
</channel></rss>`;
}
