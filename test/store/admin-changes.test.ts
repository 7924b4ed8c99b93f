// Admin changes that meet what rivers and Feeds remember: a category left and joined again before any poll, a source
// added again whose story outlived it under another source, a category deleted and created again, an earlier
// registry with one URL twice.
import { env as workerEnv } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/model';
import { call, fixtureRoute, isolatedEnv, rss } from '../support/kv';

const day = (d: number) => new Date(Date.UTC(2026, 10, d, 8)).toUTCString();
let n = 0;
const uniq = (name: string) => `adm-${name}-${++n}-${Math.random().toString(36).slice(2, 7)}`;

async function json<T>(env: Env, path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await call(env, path, init);
  return { status: res.status, body: (await res.json()) as T };
}

const titles = async (env: Env, slug: string) =>
  (await json<{ items: { title: string }[] }>(env, `/feeds/${slug}.json?limit=300`)).body.items.map((i) => i.title);
const poll = async (env: Env) => expect((await call(env, '/admin/poll?force=1', { method: 'POST' })).status).toBe(200);

describe('admin changes against what the objects remember', () => {
  it('a category left and joined again before any poll gets the whole feed again', async () => {
    const { env } = isolatedEnv({ KV_WRITE_GAP_MS: '0' });
    const url = await fixtureRoute(uniq('rejoin'), {
      headers: { 'content-type': 'application/rss+xml', etag: '"r1"' },
      conditional: true,
      body: rss('R', [{ guid: 'r1', title: 'The one story of the rejoining feed', link: 'https://r.adm.test/1', date: day(20) }]),
    });
    expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: 'r', url, categories: ['news', 'x'] }) })).status).toBe(201);
    await poll(env);
    expect(await titles(env, 'x')).toEqual(['The one story of the rejoining feed']);
    expect((await call(env, '/admin/sources/r', { method: 'PATCH', body: JSON.stringify({ categories: ['news'] }) })).status).toBe(200);
    expect(await titles(env, 'x')).toEqual([]);
    expect((await call(env, '/admin/sources/r', { method: 'PATCH', body: JSON.stringify({ categories: ['news', 'x'] }) })).status).toBe(200);
    // The feed answers 304 to its validators: the river it came back to must still get the story.
    await poll(env);
    expect(await titles(env, 'x')).toEqual(['The one story of the rejoining feed']);
  });

  it('a source added again joins the entry that outlived it under another source, whose key is its own', async () => {
    const { env } = isolatedEnv({ KV_WRITE_GAP_MS: '0' });
    const story = { title: 'Flood waters rise in the northern provinces', date: day(20) };
    const a = await fixtureRoute(uniq('a'), {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('A', [{ guid: 'a1', link: 'https://news.adm.test/flood', ...story }]),
    });
    const b = await fixtureRoute(uniq('b'), {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('B', [{ guid: 'b1', link: 'https://news.adm.test/flood?utm_source=b', ...story, date: day(21) }]),
    });
    for (const [id, url] of [
      ['a', a],
      ['b', b],
    ])
      expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id, url, categories: ['news'] }) })).status).toBe(201);
    await poll(env);
    expect(await titles(env, 'news')).toEqual([story.title]);
    expect((await call(env, '/admin/sources/a', { method: 'DELETE' })).status).toBe(200);
    // A edits its story (another link, another title) before it is added again: nothing matches but the entry's key.
    await fixtureRoute(a.slice(a.indexOf('/r/') + 3), {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('A', [{ guid: 'a1', title: 'Flood waters keep rising in the north', link: 'https://a.adm.test/flood-update', date: story.date }]),
    });
    expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: 'a', url: a, categories: ['news'] }) })).status).toBe(201);
    const report = await json<{ results: { id: string; outcome: string; error?: string }[] }>(env, '/admin/poll?force=1', { method: 'POST' });
    expect(report.body.results.find((r) => r.id === 'a')).toMatchObject({ outcome: 'fresh' });
    const feed = await json<{ items: { title: string; _tributary: { sources: { id: string }[] } }[] }>(env, '/feeds/news.json');
    expect(feed.body.items).toHaveLength(1);
    expect(feed.body.items[0]._tributary.sources.map((s) => s.id).sort()).toEqual(['a', 'b']);
  });

  it('a category deleted and created again under its slug is a river of its own', async () => {
    const { env } = isolatedEnv({ KV_WRITE_GAP_MS: '0' });
    expect((await call(env, '/admin/categories/tech', { method: 'PUT', body: JSON.stringify({ title: 'Tech' }) })).status).toBe(201);
    expect((await call(env, '/admin/categories/tech', { method: 'DELETE' })).status).toBe(200);
    expect((await call(env, '/feeds/tech.json')).status).toBe(404);
    expect((await call(env, '/admin/categories/tech', { method: 'PUT', body: JSON.stringify({ title: 'Technology' }) })).status).toBe(201);
    const feed = await json<{ title: string; items: unknown[] }>(env, '/feeds/tech.json');
    expect(feed).toMatchObject({ status: 200, body: { title: 'Technology', items: [] } });
    const url = await fixtureRoute(uniq('tech'), {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('T', [{ guid: 't1', title: 'A story for the new tech river', link: 'https://t.adm.test/1', date: day(20) }]),
    });
    expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: 't', url, categories: ['tech'] }) })).status).toBe(201);
    await poll(env);
    expect(await titles(env, 'tech')).toEqual(['A story for the new tech river']);
  });

  it('migrates an earlier registry that holds one URL twice (the earlier PATCH did not refuse it)', async () => {
    const { env, prefix } = isolatedEnv();
    const kv = (workerEnv as unknown as { TRIBUTARY: KVNamespace }).TRIBUTARY;
    const url = await fixtureRoute(uniq('dup'), {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('D', [{ guid: 'd1', title: 'One feed registered twice', link: 'https://d.adm.test/1', date: day(20) }]),
    });
    const source = (id: string) => ({ id, url, categories: ['news'], createdAt: '2026-11-01T00:00:00.000Z' });
    await kv.put(
      `${prefix}registry`,
      JSON.stringify({ sources: { one: source('one'), two: source('two') }, categories: { news: { slug: 'news', title: 'News' } } }),
    );
    const status = await json<{ sources: { id: string }[] }>(env, '/status.json');
    expect(status.status).toBe(200);
    expect(status.body.sources.map((s) => s.id)).toEqual(['one', 'two']);
    await poll(env);
    expect(await titles(env, 'news')).toEqual(['One feed registered twice']);
  });
});
