// WebSub: feeds advertise the hub, and a run that changed rivers pings a (local, fake) hub for each of them.
import { describe, expect, it } from 'vitest';
import { call, fixtureHits, fixtureRoute, isolatedEnv, rss } from '../support/kv';

describe('WebSub', () => {
  it('advertises rel=hub and rel=self, and pings the hub with hub.mode=publish for changed rivers only', async () => {
    const tag = Math.random().toString(36).slice(2);
    const hubName = `hub-${tag}`;
    const hub = await fixtureRoute(hubName, { status: 204 });
    const feedName = `ws-feed-${tag}`;
    const feed = await fixtureRoute(feedName, {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('WS', [{ guid: 'w1', title: 'Pushed to subscribers', link: 'https://ws.test/1', date: 'Fri, 20 Nov 2026 08:00:00 GMT' }]),
    });
    const { env } = isolatedEnv({ WEBSUB_HUB: hub });
    await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: 'ws', url: feed, categories: ['news'] }) });
    await call(env, '/admin/categories/quiet', { method: 'PUT', body: JSON.stringify({ title: 'Quiet' }) });

    await call(env, '/admin/poll?force=1', { method: 'POST' });
    const hits = await fixtureHits(hubName);
    expect(hits.hits).toBe(1); // one ping for every changed river (news and all): one subrequest
    const pings = hits.bodies.map((b) => new URLSearchParams(b));
    expect(pings.every((p) => p.get('hub.mode') === 'publish')).toBe(true);
    const topics = pings.flatMap((p) => p.getAll('hub.url')).sort();
    const base = env.PUBLIC_BASE_URL;
    expect(topics).toEqual([
      `${base}/feeds/all.atom`,
      `${base}/feeds/all.json`,
      `${base}/feeds/all.rss`,
      `${base}/feeds/news.atom`,
      `${base}/feeds/news.json`,
      `${base}/feeds/news.rss`,
    ]);

    // Nothing changed: no ping.
    await call(env, '/admin/poll?force=1', { method: 'POST' });
    expect((await fixtureHits(hubName)).hits).toBe(1);

    const rssText = await (await call(env, '/feeds/news.rss')).text();
    expect(rssText).toContain(`rel="hub" href="${hub}"`.replace(/&/g, '&amp;'));
    expect(rssText).toMatch(
      new RegExp(`<atom:link[^>]*rel="self"[^>]*href="${base}/feeds/news.rss"|<atom:link[^>]*href="${base}/feeds/news.rss"[^>]*rel="self"`),
    );
    const atom = await (await call(env, '/feeds/news.atom')).text();
    expect(atom).toMatch(/<link[^>]*rel="hub"/);
    const json = await (await call(env, '/feeds/news.json')).json<{ hubs?: { type: string; url: string }[] }>();
    expect(json.hubs).toEqual([{ type: 'WebSub', url: hub }]);
  });
});
