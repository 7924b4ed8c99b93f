// OPML import/export through the admin API: Miniflux- and FreshRSS-style documents, and our own round trip.
import { describe, expect, it } from 'vitest';
import { SLUG } from '../../src/patterns';
import { call, isolatedEnv } from '../support/kv';

const MINIFLUX = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Miniflux</title><dateCreated>Mon, 23 Nov 2026 10:00:00 UTC</dateCreated></head>
  <body>
    <outline text="Business">
      <outline title="Wire" text="Wire" xmlUrl="https://wire.example/rss" htmlUrl="https://wire.example/" type="rss"></outline>
      <outline title="Markets" text="Markets" xmlUrl="https://markets.example/atom.xml" htmlUrl="https://markets.example/" type="rss"></outline>
    </outline>
    <outline text="ข่าวท้องถิ่น">
      <outline title="เชียงใหม่" text="เชียงใหม่" xmlUrl="https://cm.example/feed" type="rss"></outline>
    </outline>
    <outline text="Broken" xmlUrl="javascript:alert(1)" type="rss"></outline>
    <outline text="Internal" xmlUrl="http://192.168.0.10/feed" type="rss"></outline>
  </body>
</opml>`;

const FRESHRSS = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
\t<head><title>FreshRSS</title></head>
\t<body>
\t\t<outline text="Tin tức">
\t\t\t<outline text="VnNews" type="rss" xmlUrl="https://vn.example/rss" htmlUrl="https://vn.example/" description="Tin tức"/>
\t\t\t<outline text="Wire again" type="rss" xmlUrl="https://wire.example/rss" htmlUrl="https://wire.example/"/>
\t\t</outline>
\t</body>
</opml>`;

describe('POST /admin/opml', () => {
  it('imports Miniflux and FreshRSS exports: folders become categories, bad outlines are skipped with a reason', async () => {
    const { env } = isolatedEnv();
    const res = await call(env, '/admin/opml', { method: 'POST', body: MINIFLUX, headers: { 'content-type': 'text/x-opml' } });
    expect(res.status).toBe(201);
    const summary = await res.json<{
      added: { url: string; categories: string[] }[];
      categoriesAdded: string[];
      skipped: { url?: string; reason: string }[];
    }>();
    expect(summary.added.map((s) => s.url).sort()).toEqual(['https://cm.example/feed', 'https://markets.example/atom.xml', 'https://wire.example/rss']);
    expect(summary.added.find((s) => s.url.includes('wire'))?.categories).toEqual(['business']);
    expect(summary.skipped.length).toBeGreaterThanOrEqual(2);
    expect(summary.skipped.map((s) => s.reason).join(' ')).toMatch(/private|http/);
    const cats = await (await call(env, '/admin/categories')).json<{ slug: string; title: string }[]>();
    expect(cats.find((c) => c.title === 'ข่าวท้องถิ่น')?.slug).toMatch(SLUG);

    const again = await (await call(env, '/admin/opml', { method: 'POST', body: FRESHRSS })).json<{
      added: { url: string }[];
      skipped: { url?: string; reason: string }[];
    }>();
    expect(again.added.map((s) => s.url)).toEqual(['https://vn.example/rss']);
    expect(again.skipped).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'already registered' })]));
  });

  it('round-trips with our own export', async () => {
    const first = isolatedEnv().env;
    await call(first, '/admin/opml', { method: 'POST', body: MINIFLUX });
    const exported = await (await call(first, '/feeds.opml')).text();
    const second = isolatedEnv().env;
    const res = await call(second, '/admin/opml', { method: 'POST', body: exported });
    expect(res.status).toBe(201);
    const a = await (await call(first, '/admin/sources')).json<{ url: string; categories: string[] }[]>();
    const b = await (await call(second, '/admin/sources')).json<{ url: string; categories: string[] }[]>();
    const shape = (list: { url: string; categories: string[] }[]) => list.map((s) => `${s.url} ${s.categories.join(',')}`).sort();
    expect(shape(b)).toEqual(shape(a));
  });

  it('refuses a document that is not OPML with 400', async () => {
    const { env, counts } = isolatedEnv();
    const res = await call(env, '/admin/opml', { method: 'POST', body: '<html><body>nope</body></html>' });
    expect(res.status).toBe(400);
    expect(counts.writes).toBe(0);
  });
});
