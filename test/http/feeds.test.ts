// Serving: content types, ETag/Last-Modified/304, HEAD, 404, cache-key normalization, CORS, paging links.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../src/model';
import { call, fixtureRoute, isolatedEnv, rss } from '../support/kv';

let env: Env;

beforeAll(async () => {
  env = isolatedEnv().env;
  const items = Array.from({ length: 7 }, (_, i) => ({
    guid: `p${i}`,
    title: i % 2 ? `Bản tin số ${i}: Đà Nẵng` : `ข่าวภูมิภาค ฉบับที่ ${i}`,
    link: `https://paging.test/${i}`,
    date: new Date(Date.UTC(2026, 10, 20, i)).toUTCString(),
  }));
  const url = await fixtureRoute(`feeds-${Math.random().toString(36).slice(2)}`, {
    headers: { 'content-type': 'application/rss+xml' },
    body: rss('Paging source', items),
  });
  await call(env, '/admin/categories/news', { method: 'PUT', body: JSON.stringify({ title: 'ข่าว', language: 'th' }) });
  await call(env, '/admin/categories/empty', { method: 'PUT', body: JSON.stringify({ title: 'Nothing yet' }) });
  const add = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: 'pager', url, categories: ['news'] }) });
  expect(add.status).toBe(201);
  const poll = await call(env, '/admin/poll?force=1', { method: 'POST' });
  expect(poll.status).toBe(200);
});

describe('feed routes', () => {
  it.each([
    ['/feeds/news.rss', 'application/rss+xml; charset=utf-8'],
    ['/feeds/news.atom', 'application/atom+xml; charset=utf-8'],
    ['/feeds/news.json', 'application/feed+json; charset=utf-8'],
    ['/c/news', 'text/html; charset=utf-8'],
  ])('%s answers %s with validators, caching and CORS', async (path, type) => {
    const res = await call(env, path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{16}"$/);
    expect(Date.parse(res.headers.get('last-modified') ?? '')).toBeGreaterThan(0);
    expect(res.headers.get('cache-control')).toMatch(/public, max-age=900, stale-while-revalidate/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('ฉบับที่');
  });

  it('answers 304 to a matching If-None-Match (plain, weak and in a list) and If-Modified-Since', async () => {
    const first = await call(env, '/feeds/news.atom');
    const etag = first.headers.get('etag')!;
    const lm = first.headers.get('last-modified')!;
    for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const res = await call(env, '/feeds/news.atom', { headers: { 'if-none-match': inm } });
      expect(res.status, inm).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
      expect(await res.text()).toBe('');
    }
    expect((await call(env, '/feeds/news.atom', { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    expect((await call(env, '/feeds/news.atom', { headers: { 'if-modified-since': lm } })).status).toBe(304);
    const earlier = new Date(Date.parse(lm) - 3600_000).toUTCString();
    expect((await call(env, '/feeds/news.atom', { headers: { 'if-modified-since': earlier } })).status).toBe(200);
  });

  it('answers HEAD with headers and no body', async () => {
    const res = await call(env, '/feeds/news.rss', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"/);
    expect(await res.text()).toBe('');
  });

  it('answers 404 for unknown categories and an empty valid feed for known empty ones', async () => {
    expect((await call(env, '/feeds/nosuch.rss')).status).toBe(404);
    expect((await call(env, '/c/nosuch')).status).toBe(404);
    expect((await call(env, '/feeds/Bad_Slug.rss')).status).toBe(404);
    const empty = await call(env, '/feeds/empty.json');
    expect(empty.status).toBe(200);
    const doc = await empty.json<{ title: string; items: unknown[] }>();
    expect(doc.title).toContain('Nothing yet');
    expect(doc.items).toEqual([]);
  });

  it('ignores unknown query parameters: same ETag, same cache entry', async () => {
    const a = await call(env, '/feeds/news.json');
    const b = await call(env, `/feeds/news.json?x=${Math.random()}`);
    expect(b.headers.get('etag')).toBe(a.headers.get('etag'));
    const c = await call(env, '/feeds/news.json?limit=2');
    expect(c.headers.get('etag')).not.toBe(a.headers.get('etag'));
  });

  it('builds self links from PUBLIC_BASE_URL, never the Host header', async () => {
    const res = await call(env, '/feeds/news.atom', { headers: { host: 'evil.example' } });
    const text = await res.text();
    expect(text).toContain(`${env.PUBLIC_BASE_URL}/feeds/news.atom`);
    expect(text).not.toContain('evil.example');
  });

  it('pages through the whole river with next links in all formats (RFC 5005)', async () => {
    const titles: string[] = [];
    let next: string | undefined = '/feeds/news.json?limit=3';
    for (let guard = 0; next && guard < 10; guard++) {
      const doc: { items: { title: string }[]; next_url?: string } = await (await call(env, next)).json();
      titles.push(...doc.items.map((i) => i.title));
      next = doc.next_url?.replace(env.PUBLIC_BASE_URL!, '');
    }
    expect(titles).toHaveLength(7);
    expect(new Set(titles).size).toBe(7);
    const rssText = await (await call(env, '/feeds/news.rss?limit=3')).text();
    expect(rssText).toMatch(/<atom:link[^>]*rel="next"[^>]*href="[^"]*before=/);
    const atom = await (await call(env, '/feeds/news.atom?limit=3')).text();
    expect(atom).toMatch(/<link[^>]*rel="next"/);
  });

  it('filters by keyword (Thai words, Vietnamese without diacritics), language and source', async () => {
    const th = await (await call(env, `/feeds/news.json?q=${encodeURIComponent('ข่าว')}`)).json<{ items: { title: string }[] }>();
    expect(th.items.length).toBe(4);
    const vi = await (await call(env, '/feeds/news.json?q=da%20nang')).json<{ items: { title: string }[] }>();
    expect(vi.items.map((i) => i.title).every((t) => t.includes('Đà Nẵng'))).toBe(true);
    expect(vi.items.length).toBe(3);
    const none = await (await call(env, '/feeds/news.json?source=someone-else')).json<{ items: unknown[] }>();
    expect(none.items).toHaveLength(0);
  });

  it('selects by ?lang= every language tag a feed can store, "i-klingon" as well as "th"', async () => {
    // The stored tag's shape is the one ?lang= accepts (src/patterns.ts): a stricter check ignored ?lang=i-klingon.
    const own = isolatedEnv().env;
    for (const [id, lang, title] of [
      ['klingon', 'i-klingon', 'Qapla’'],
      ['thai', 'th', 'ข่าวภาษาไทย'],
    ]) {
      const items = [{ guid: `${id}-1`, title, link: `https://lang.test/${id}`, date: new Date(Date.UTC(2026, 10, 20)).toUTCString() }];
      const url = await fixtureRoute(`lang-${id}-${Math.random().toString(36).slice(2)}`, {
        headers: { 'content-type': 'application/rss+xml' },
        body: rss(id, items, `<language>${lang}</language>`),
      });
      expect((await call(own, '/admin/sources', { method: 'POST', body: JSON.stringify({ id, url, categories: ['tongues'] }) })).status).toBe(201);
    }
    expect((await call(own, '/admin/poll?force=1', { method: 'POST' })).status).toBe(200);
    const read = async (lang: string) =>
      (await (await call(own, `/feeds/tongues.json?lang=${lang}`)).json<{ items: { language?: string }[] }>()).items.map((i) => i.language);
    expect(await read('i-klingon')).toEqual(['i-klingon']);
    expect(await read('th')).toEqual(['th']);
  });
});

describe('pages', () => {
  it('serves the index with feed links and autodiscovery, under a strict CSP', async () => {
    const res = await call(env, '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await res.text();
    for (const ext of ['rss', 'atom', 'json']) expect(html).toContain(`/feeds/news.${ext}`);
    expect(html).toMatch(/<link[^>]+rel="alternate"[^>]+/);
    expect(html).not.toMatch(/<script/i);
  });

  it('serves the status page and status.json with the contract fields', async () => {
    const json = await (await call(env, '/status.json')).json<{ sources: Record<string, unknown>[] }>();
    expect(Object.keys(json.sources[0])).toEqual(
      expect.arrayContaining([
        'id',
        'url',
        'title',
        'categories',
        'lastCheckedAt',
        'lastSuccessAt',
        'lastStatus',
        'lastError',
        'lastErrorCode',
        'consecutiveFailures',
        'nextCheckAt',
        'itemCount',
        'paused',
      ]),
    );
    const page = await call(env, '/status');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('pager');
  });

  it('exports OPML with one folder per category', async () => {
    const res = await call(env, '/feeds.opml');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/<opml version="2.0"[ >]/);
    expect(text).toContain('xmlUrl=');
  });
});
