// Feed discovery through the admin API, against the local fixture origin: pages with several alternates and
// relative hrefs, a page with none (the usual paths), none found, and a redirect to a private address.
import { describe, expect, it } from 'vitest';
import { feedLinks } from '../../src/poll/discover';
import { call, fixtureRoute, isolatedEnv, rss } from '../support/kv';

const HTML = { 'content-type': 'text/html; charset=utf-8' };
const RSS = { 'content-type': 'application/rss+xml' };

function page(head: string, body = '<p>ข่าวล่าสุด</p>'): string {
  return `<!doctype html><html lang="th"><head><meta charset="utf-8"><title>Site</title>${head}</head><body>${body}</body></html>`;
}

describe('feedLinks', () => {
  it('lists rel=alternate feeds in page order, resolved against <base> and the page, without stylesheets or duplicates', () => {
    const html = page(
      '<link rel="stylesheet" type="text/css" href="/s.css">' +
        '<link rel="alternate" type="application/rss+xml" title="ข่าว RSS" href="feed.xml?x=1&amp;y=2">' +
        '<base href="https://news.example/th/">' +
        '<LINK REL="Alternate" TYPE="application/atom+xml" HREF="atom.xml">' +
        '<link rel="alternate" type="application/feed+json" href="//cdn.example/feed.json#top">' +
        '<link rel="alternate" type="text/html" hreflang="vi" href="/vi/">' +
        '<link rel="alternate stylesheet" type="application/rss+xml" href="/odd.xml">' +
        '<link rel="alternate" type="application/atom+xml" href="atom.xml">' +
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">',
      '<link rel="alternate" type="application/rss+xml" href="/in-body.xml">',
    );
    expect(feedLinks(html, 'https://site.example/news/index.html')).toEqual([
      { url: 'https://site.example/news/feed.xml?x=1&y=2', type: 'rss', title: 'ข่าว RSS' },
      { url: 'https://news.example/th/atom.xml', type: 'atom' },
      { url: 'https://cdn.example/feed.json', type: 'json' },
    ]);
  });

  it('finds nothing in a page without feed links', () => {
    expect(feedLinks(page('<link rel="icon" href="/f.ico">'), 'https://site.example/')).toEqual([]);
    // Types a plain object already has as keys name no feed type.
    expect(
      feedLinks(page('<link rel="alternate" type="constructor" href="/a"><link rel="alternate" type="toString" href="/b">'), 'https://site.example/'),
    ).toEqual([]);
  });
});

describe('POST /admin/sources with a page URL', () => {
  it('stores the first working feed the page links, relative href and all, and says discoveredFrom', async () => {
    const { env } = isolatedEnv();
    const feed = await fixtureRoute('disc-a/feeds/news.xml', { headers: RSS, body: rss('ข่าว', [{ guid: 'a', title: 'หนึ่ง' }]) });
    const site = await fixtureRoute('disc-a', {
      headers: HTML,
      body: page(
        '<link rel="alternate" type="application/atom+xml" title="dead" href="disc-a/missing.xml">' +
          '<link rel="alternate" type="application/rss+xml" title="ข่าว" href="disc-a/feeds/news.xml">',
      ),
    });
    const res = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ url: site, categories: ['news'] }) });
    expect(res.status).toBe(201);
    const stored = await res.json<{ url: string; discoveredFrom: string }>();
    expect(stored.discoveredFrom).toBe(site);
    expect(stored.url).toBe(new URL(feed).href.replace('%2F', '/').replace('%2F', '/'));
    const listed = await (await call(env, `/admin/discover?url=${encodeURIComponent(site)}`)).json<{
      feeds: { url: string; type: string; title?: string }[];
    }>();
    expect(listed.feeds.map((f) => [f.type, f.title])).toEqual([
      ['atom', 'dead'],
      ['rss', 'ข่าว'],
    ]);
    expect((await (await call(env, '/admin/sources')).json<unknown[]>()).length).toBe(1);
  });

  it('tries the usual paths when the page names no feed, and takes a feed URL as it is', async () => {
    const { env } = isolatedEnv();
    await fixtureRoute('disc-b/rss.xml', { headers: RSS, body: rss('B', [{ guid: 'b', title: 'B' }]) });
    const site = await fixtureRoute('disc-b', { headers: HTML, body: page('') });
    const res = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ url: site, categories: ['news'] }) });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ url: expect.stringMatching(/\/r\/disc-b\/rss\.xml$/), discoveredFrom: site });
    const direct = await fixtureRoute('disc-b-direct', { headers: RSS, body: rss('C', [{ guid: 'c', title: 'C' }]) });
    const plain = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ url: direct, categories: ['news'] }) });
    expect(plain.status).toBe(201);
    const body = await plain.json<{ url: string; discoveredFrom?: string }>();
    expect(body.url).toBe(direct);
    expect(body.discoveredFrom).toBeUndefined();
  });

  it('answers 400 with what it looked for when there is no feed, and stores nothing', async () => {
    const { env, counts } = isolatedEnv();
    const site = await fixtureRoute('disc-c', { headers: HTML, body: page('<link rel="icon" href="/i.png">') });
    const res = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ url: site, categories: ['news'] }) });
    expect(res.status).toBe(400);
    expect((await res.json<{ error: string }>()).error).toMatch(/no feed found at .*rel="alternate".*\/feed, \/rss\.xml/);
    expect(counts.writes).toBe(0);
    expect((await call(env, `/admin/discover?url=${encodeURIComponent(site)}`)).status).toBe(400);
  });

  it('stores a broken feed or an unreachable URL as given, with a warning, and any URL with discover: false', async () => {
    const { env } = isolatedEnv();
    const broken = await fixtureRoute('disc-f', { headers: RSS, body: '<rss><channel><title>cut off' });
    const res = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ url: broken, categories: ['news'] }) });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ url: broken, warning: expect.stringMatching(/^not checked: /) });
    const site = await fixtureRoute('disc-g', { headers: HTML, body: page('') });
    const kept = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ url: site, categories: ['news'], discover: false }) });
    expect(kept.status).toBe(201);
    expect(await kept.json()).toMatchObject({ url: site });
    const bad = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ url: site, categories: ['news'], discover: 'no' }) });
    expect(bad.status).toBe(400);
  });

  it('refuses a discovery that redirects to a private address, and a page linking a private feed', async () => {
    const { env } = isolatedEnv();
    const hop = await fixtureRoute('disc-d', { status: 302, redirectTo: 'http://169.254.169.254/latest/meta-data/' });
    const res = await call(env, `/admin/discover?url=${encodeURIComponent(hop)}`);
    expect(res.status).toBe(502);
    expect((await res.json<{ error: string }>()).error).toMatch(/redirect to a private address refused/);
    const site = await fixtureRoute('disc-e', {
      headers: HTML,
      body: page('<link rel="alternate" type="application/rss+xml" href="http://10.0.0.8/feed.xml">'),
    });
    const add = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ url: site, categories: ['news'] }) });
    expect(add.status).toBe(400);
    expect((await call(env, '/admin/sources')).status).toBe(200);
    expect(await (await call(env, '/admin/sources')).json()).toEqual([]);
  });
});
