// A deployment of its own per test: a key prefix for KV and the Durable Objects (test files share one workerd), its KV
// traffic counted so tests can assert write budgets; the real Worker's fetch; the fixture server's routes.
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../src/index';
import type { Env } from '../../src/model';
import { kvUsage, type KvUsage } from '../../src/store/kv';
import type { FixtureRoute } from './fixture-route';

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
