// End to end through the real Worker: admin API → poll run → KV → merged feeds, with KV operations counted.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import type { Env } from '../../src/model';
import { call, fixtureHits, fixtureRoute, isolatedEnv, rss } from '../support/kv';

const RFC822 = (d: number) => new Date(Date.UTC(2026, 10, d, 8, 0, 0)).toUTCString();
let n = 0;
const uniq = (name: string) => `run-${name}-${++n}-${Math.random().toString(36).slice(2, 7)}`;

async function addSource(env: Env, id: string, url: string, categories: string[]): Promise<void> {
  const res = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id, url, categories, discover: false }) });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function poll(env: Env, query = 'force=1'): Promise<{ polled: number; results: { id: string; outcome: string; items?: number; error?: string }[] }> {
  const res = await call(env, `/admin/poll?${query}`, { method: 'POST' });
  expect(res.status).toBe(200);
  return res.json();
}

interface JsonFeed {
  items: { id: string; title: string; url?: string; _tributary?: { sources: { id: string }[] } }[];
}

describe('a polling run', () => {
  it('stores items from several sources and serves them merged; a broken source is a per-source error', async () => {
    const { env } = isolatedEnv();
    const a = await fixtureRoute(uniq('a'), {
      headers: { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"a1"' },
      conditional: true,
      body: rss('Source A', [
        { guid: 'a1', title: 'ข่าวเศรษฐกิจ: ราคาข้าวสูงขึ้น', link: 'https://a.test/1', date: RFC822(20) },
        { guid: 'a2', title: 'Second from A', link: 'https://a.test/2', date: RFC822(19) },
      ]),
    });
    const b = await fixtureRoute(uniq('b'), {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('Source B', [{ guid: 'b1', title: 'Tin tức: Hà Nội mưa lớn', link: 'https://b.test/1', date: RFC822(21) }]),
    });
    const broken = await fixtureRoute(uniq('html'), { headers: { 'content-type': 'text/html' }, body: '<!doctype html><html><body>Hello</body></html>' });
    await addSource(env, 'a', a, ['news']);
    await addSource(env, 'b', b, ['news', 'local']);
    await addSource(env, 'broken', broken, ['news']);

    const report = await poll(env);
    expect(report.polled).toBe(3);
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
    expect(byId.a).toMatchObject({ outcome: 'fresh', items: 2 });
    expect(byId.b).toMatchObject({ outcome: 'fresh', items: 1 });
    expect(byId.broken.outcome).toBe('failed');
    expect(byId.broken.error).toMatch(/not a feed/i);

    const feed = await (await call(env, '/feeds/news.json')).json<JsonFeed>();
    expect(feed.items.map((i) => i.title)).toEqual(['Tin tức: Hà Nội mưa lớn', 'ข่าวเศรษฐกิจ: ราคาข้าวสูงขึ้น', 'Second from A']);
    const local = await (await call(env, '/feeds/local.json')).json<JsonFeed>();
    expect(local.items.map((i) => i.title)).toEqual(['Tin tức: Hà Nội mưa lớn']);
    const all = await (await call(env, '/feeds/all.json')).json<JsonFeed>();
    expect(all.items).toHaveLength(3);

    const status = await (await call(env, '/status.json')).json<{
      sources: { id: string; lastError: string | null; consecutiveFailures: number; itemCount: number }[];
    }>();
    const st = Object.fromEntries(status.sources.map((s) => [s.id, s]));
    expect(st.broken.lastError).toMatch(/not a feed/i);
    expect(st.broken.consecutiveFailures).toBe(1);
    expect(st.a.lastError).toBeNull();
    expect(st.a.itemCount).toBe(2);
  });

  it('writes nothing to KV when every source answers 304, and little when one of ten changed', async () => {
    const { env, counts, resetCounts } = isolatedEnv();
    const routes: { name: string; url: string }[] = [];
    for (let i = 0; i < 10; i++) {
      const name = uniq(`ten${i}`);
      const url = await fixtureRoute(name, {
        headers: { 'content-type': 'application/rss+xml', etag: `"v1-${i}"` },
        conditional: true,
        body: rss(`Feed ${i}`, [{ guid: `g${i}`, title: `Story number ${i} of ten`, link: `https://ten.test/${i}`, date: RFC822(10 + i) }]),
      });
      routes.push({ name, url });
      await addSource(env, `s${i}`, url, [i % 2 ? 'odd' : 'even', 'news']);
    }
    await poll(env);
    // The first 304 run records the new statuses (200 → 304) once; from then on nothing changes.
    await poll(env);
    resetCounts();
    const quiet = await poll(env);
    expect(quiet.results.every((r) => r.outcome === 'not-modified')).toBe(true);
    expect(counts.writes).toBe(0);

    // One source changes: the pages of its two categories and of "all", and the index — nothing else.
    await fixtureRoute(routes[3].name, {
      headers: { 'content-type': 'application/rss+xml', etag: '"v2-3"' },
      conditional: true,
      body: rss('Feed 3', [
        { guid: 'g3', title: 'Story number 3 of ten', link: 'https://ten.test/3', date: RFC822(13) },
        { guid: 'g3b', title: 'A new story in feed three', link: 'https://ten.test/3b', date: RFC822(23) },
      ]),
    });
    resetCounts();
    const one = await poll(env);
    expect(one.results.filter((r) => r.outcome === 'fresh').map((r) => r.id)).toEqual(['s3']);
    expect(counts.writes).toBeLessThanOrEqual(4);
    expect(counts.writtenKeys.sort()).toEqual(['index', 'page:all', 'page:news', 'page:odd']);
  });

  it('an unchanged 200 (no validators) costs no parse and no KV write; a run where all changed writes each river once', async () => {
    const { env, counts, resetCounts } = isolatedEnv();
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const name = uniq(`same${i}`);
      names.push(name);
      const url = await fixtureRoute(name, {
        headers: { 'content-type': 'application/rss+xml' },
        body: rss(`Same ${i}`, [{ guid: `s${i}`, title: `Unchanging story ${i}`, link: `https://same.test/${i}`, date: RFC822(12) }]),
      });
      await addSource(env, `same${i}`, url, [`cat${i % 2}`]);
    }
    await poll(env);
    resetCounts();
    const again = await poll(env);
    expect(again.results.every((r) => r.outcome === 'not-modified')).toBe(true);
    expect(counts.writes).toBe(0);

    for (let i = 0; i < 4; i++) {
      await fixtureRoute(names[i], {
        headers: { 'content-type': 'application/rss+xml' },
        body: rss(`Same ${i}`, [{ guid: `n${i}`, title: `Brand new story ${i}`, link: `https://same.test/new${i}`, date: RFC822(22) }]),
      });
    }
    resetCounts();
    const all = await poll(env);
    expect(all.results.every((r) => r.outcome === 'fresh')).toBe(true);
    // Two categories + "all" + the index, however many sources changed.
    expect(counts.writtenKeys.sort()).toEqual(['index', 'page:all', 'page:cat0', 'page:cat1']);
  });

  it('stops at the subrequest budget: the rest is skipped (not failed) and first in line next run', async () => {
    const { env } = isolatedEnv({ SUBREQUEST_BUDGET: '3', MAX_CONCURRENCY: '1' });
    const target = await fixtureRoute(uniq('bud-target'), {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('T', [{ guid: 't', title: 'Budget target story', link: 'https://t.test/1', date: RFC822(20) }]),
    });
    const redirect = await fixtureRoute(uniq('bud-redirect'), { status: 302, redirectTo: target.slice(target.indexOf('/r/')) });
    await addSource(env, 'b1', redirect, ['news']); // two subrequests
    for (const id of ['b2', 'b3', 'b4']) {
      const url = await fixtureRoute(uniq(id), {
        headers: { 'content-type': 'application/rss+xml' },
        body: rss(id, [{ guid: id, title: `Story from ${id}`, link: `https://${id}.test/`, date: RFC822(20) }]),
      });
      await addSource(env, id, url, ['news']);
    }
    const report = await poll(env);
    const outcomes = Object.fromEntries(report.results.map((r) => [r.id, r.outcome]));
    expect(outcomes).toEqual({ b1: 'fresh', b2: 'fresh', b3: 'skipped', b4: 'skipped' });
    const status = await (await call(env, '/status.json')).json<{ sources: { id: string; lastCheckedAt: string | null; consecutiveFailures: number }[] }>();
    const b3 = status.sources.find((s) => s.id === 'b3');
    expect(b3).toMatchObject({ lastCheckedAt: null, consecutiveFailures: 0 });
    // Both skipped sources are due at once, first in line: the next (unforced) run polls the two of them, and only them.
    const next = await poll(env, '');
    const fresh = next.results.filter((r) => r.outcome === 'fresh').map((r) => r.id);
    expect(fresh.sort()).toEqual(['b3', 'b4']);
  });

  it("skips, not fails, a source whose redirect would pass the budget: our limit is not the source's fault", async () => {
    const { env } = isolatedEnv({ SUBREQUEST_BUDGET: '1' });
    const target = await fixtureRoute(uniq('hop-target'), {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('T', [{ guid: 't', title: 'Behind a redirect', link: 'https://t.test/1', date: RFC822(20) }]),
    });
    const redirect = await fixtureRoute(uniq('hop-redirect'), { status: 302, redirectTo: target.slice(target.indexOf('/r/')) });
    await addSource(env, 'hop', redirect, ['news']); // the redirect takes the one subrequest, its target is refused
    expect((await poll(env)).results).toEqual([{ id: 'hop', outcome: 'skipped' }]);
    const status = await (await call(env, '/status.json')).json<{
      sources: { id: string; lastCheckedAt: string | null; consecutiveFailures: number; lastError: string | null }[];
    }>();
    expect(status.sources.find((s) => s.id === 'hop')).toMatchObject({ lastCheckedAt: null, consecutiveFailures: 0, lastError: null });
  });

  it('gives a category the source joins its whole feed, and a source added again after removal its items', async () => {
    const { env } = isolatedEnv();
    const url = await fixtureRoute(uniq('join'), {
      headers: { 'content-type': 'application/rss+xml', etag: '"j1"' },
      conditional: true,
      body: rss('Join', [
        { guid: 'j1', title: 'First story of the joining source', link: 'https://j.test/1', date: RFC822(20) },
        { guid: 'j2', title: 'Second story of the joining source', link: 'https://j.test/2', date: RFC822(21) },
      ]),
    });
    await addSource(env, 'joiner', url, ['news']);
    await poll(env);
    const titles = async (slug: string) => (await (await call(env, `/feeds/${slug}.json`)).json<JsonFeed>()).items.map((i) => i.title);
    expect(await titles('news')).toHaveLength(2);

    // The feed has not changed (it would answer 304), yet the new category must get both items.
    expect((await call(env, '/admin/sources/joiner', { method: 'PATCH', body: JSON.stringify({ categories: ['news', 'tech'] }) })).status).toBe(200);
    await poll(env);
    expect(await titles('tech')).toHaveLength(2);
    expect(await titles('news')).toHaveLength(2);

    // Removed, then registered again before any run: it starts afresh instead of answering 304 to an empty river.
    expect((await call(env, '/admin/sources/joiner', { method: 'DELETE' })).status).toBe(200);
    expect(await titles('news')).toHaveLength(0);
    await addSource(env, 'joiner', url, ['news']);
    const again = await poll(env);
    expect(again.results).toEqual([{ id: 'joiner', outcome: 'fresh', items: 2 }]);
    expect(await titles('news')).toHaveLength(2);
  });

  it('updates an edited item in place and keeps one entry per story', async () => {
    const { env } = isolatedEnv();
    const name = uniq('edit');
    const url = await fixtureRoute(name, {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('E', [{ guid: 'e1', title: 'Original headline here', link: 'https://e.test/1', date: RFC822(20), description: 'first' }]),
    });
    await addSource(env, 'e', url, ['news']);
    await poll(env);
    await fixtureRoute(name, {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('E', [{ guid: 'e1', title: 'Corrected headline here', link: 'https://e.test/1', date: RFC822(20), description: 'second' }]),
    });
    await poll(env);
    const feed = await (await call(env, '/feeds/news.json')).json<{ items: { id: string; title: string; content_html?: string; date_modified?: string }[] }>();
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0].title).toBe('Corrected headline here');
  });

  it('shows one story carried by two sources once, attributed to both, in all three formats; removal leaves nothing behind', async () => {
    const { env } = isolatedEnv();
    const a = await fixtureRoute(uniq('sa'), {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('Thai Daily', [
        { guid: 'x-1', title: 'Chiang Mai lantern festival draws crowds', link: 'https://story.test/lantern?utm_source=rss', date: RFC822(20) },
      ]),
    });
    const b = await fixtureRoute(uniq('sb'), {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('Wire', [{ guid: 'y-9', title: 'Chiang Mai lantern festival draws crowds', link: 'https://story.test/lantern?fbclid=abc', date: RFC822(19) }]),
    });
    await addSource(env, 'thai-daily', a, ['news']);
    await addSource(env, 'wire', b, ['news']);
    await poll(env);
    const json = await (await call(env, '/feeds/news.json')).json<JsonFeed>();
    expect(json.items).toHaveLength(1);
    expect(json.items[0]._tributary?.sources.map((s) => s.id).sort()).toEqual(['thai-daily', 'wire']);
    const rssText = await (await call(env, '/feeds/news.rss')).text();
    expect(rssText.match(/<item>/g)).toHaveLength(1);
    expect(rssText).toContain('Thai Daily');
    expect(rssText).toContain('Wire');
    const atom = await (await call(env, '/feeds/news.atom')).text();
    expect(atom.match(/<entry[\s>]/g)).toHaveLength(1);
    expect(atom).toContain('Thai Daily');
    expect(atom).toContain('Wire');

    expect((await call(env, '/admin/sources/wire', { method: 'DELETE' })).status).toBe(200);
    expect((await call(env, '/admin/sources/thai-daily', { method: 'DELETE' })).status).toBe(200);
    const after = await (await call(env, '/feeds/news.json')).json<JsonFeed>();
    expect(after.items).toHaveLength(0);
    const allAfter = await (await call(env, '/feeds/all.json')).json<JsonFeed>();
    expect(allAfter.items).toHaveLength(0);
  });

  it('polls where a permanent redirect moved the source; its registered URL again once the new place fails', async () => {
    const { env } = isolatedEnv();
    const [from, to] = [uniq('moved-from'), uniq('moved-to')];
    const feed = { headers: { 'content-type': 'application/rss+xml' }, body: rss('Moved', [{ guid: 'm1', title: 'ย้ายบ้านแล้ว', link: 'https://m.test/1' }]) };
    const toUrl = await fixtureRoute(to, feed);
    await addSource(env, 'moved', await fixtureRoute(from, { status: 301, redirectTo: `/r/${to}` }), ['news']);
    const moved = async () =>
      (await (await call(env, '/status.json')).json<{ sources: { permanentRedirect: string | null }[] }>()).sources[0].permanentRedirect;
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) outcomes.push((await poll(env)).results[0].outcome);
    expect(outcomes).toEqual(['fresh', 'not-modified', 'not-modified']);
    // RFC 9110 §15.4.2: after the first 301 the new address is asked directly; the old one never again.
    expect((await fixtureHits(from)).hits).toBe(1);
    expect((await fixtureHits(to)).hits).toBe(3);
    expect(await moved()).toBe(toUrl);
    // The new place fails: the move is forgotten, and the registered URL is asked next, which leads there again.
    await fixtureRoute(to, { status: 404 });
    expect((await poll(env)).results[0]).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/HTTP 404/) });
    expect((await fixtureHits(from)).hits).toBe(1);
    expect(await moved()).toBeNull();
    await fixtureRoute(to, feed);
    expect((await poll(env)).results[0].outcome).toBe('fresh');
    expect((await fixtureHits(from)).hits).toBe(2);
    expect(await moved()).toBe(toUrl);
  });

  it('runs from the real scheduled handler exactly as the admin poll does', async () => {
    const { env } = isolatedEnv();
    const url = await fixtureRoute(uniq('cron'), {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('Cron', [{ guid: 'c1', title: 'Polled by the cron trigger', link: 'https://c.test/1', date: RFC822(20) }]),
    });
    await addSource(env, 'cron', url, ['news']);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '*/15 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    const feed = await (await call(env, '/feeds/news.json')).json<JsonFeed>();
    expect(feed.items.map((i) => i.title)).toEqual(['Polled by the cron trigger']);
    // Not due again right away: the next scheduled run skips it.
    const report = await poll(env, '');
    expect(report.results).toEqual([{ id: 'cron', outcome: 'skipped' }]);
  });
});
