// One run with every kind of broken source beside a good one: each failure is a per-source value with words a person
// can act on and a sensible next check; the good source updates as if nothing happened.
import { env as workerEnv } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, fixtureRoute, isolatedEnv, rss } from '../support/kv';

interface Row {
  id: string;
  lastError: string | null;
  lastErrorCode: string | null;
  lastStatus: number | null;
  nextCheckAt: string | null;
  paused: boolean;
  consecutiveFailures: number;
  itemCount: number;
  permanentRedirect: string | null;
}

describe('a run with hostile sources', () => {
  it('isolates every failure and still updates the good source', async () => {
    const origin = workerEnv.FIXTURE_ORIGIN;
    const tag = Math.random().toString(36).slice(2);
    const later = new Date(Date.now() + 3 * 3600_000);
    const laterHttp = later.toUTCString();
    const routes: Record<string, Record<string, unknown>> = {
      good: {
        headers: { 'content-type': 'application/rss+xml' },
        body: rss('Good', [{ guid: 'g', title: 'The good source still updates', link: 'https://good.test/1', date: 'Fri, 20 Nov 2026 08:00:00 GMT' }]),
      },
      missing: { status: 404, body: 'gone fishing' },
      gone: { status: 410 },
      limited: { status: 429, headers: { 'retry-after': '7200' } },
      limiteddate: { status: 503, headers: { 'retry-after': laterHttp } },
      broken: { status: 500 },
      html: { headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html><html><head><title>Home</title></head><body>x</body></html>' },
      empty: { headers: { 'content-type': 'application/rss+xml' }, body: '' },
      huge: { headers: { 'content-type': 'application/rss+xml' }, body: `<rss version="2.0"><channel>${'<!-- padding -->'.repeat(10_000)}</channel></rss>` },
      moved: { status: 301, redirectTo: `/r/good-moved-${tag}` },
      'good-moved': {
        headers: { 'content-type': 'application/rss+xml' },
        body: rss('Moved', [{ guid: 'm', title: 'Moved permanently but fine', link: 'https://moved.test/1', date: 'Fri, 20 Nov 2026 09:00:00 GMT' }]),
      },
      challenge: { status: 403, headers: { 'cf-mitigated': 'challenge', 'content-type': 'text/html' }, body: 'Just a moment...' },
    };
    const urls: Record<string, string> = {};
    for (const [name, route] of Object.entries(routes)) urls[name] = await fixtureRoute(`${name}-${tag}`, route);
    Object.assign(urls, {
      hang: `${origin}/hang`,
      bomb: `${origin}/gzip-bomb`,
      liar: `${origin}/bad-gzip`,
      loop: `${origin}/loop/a`,
      private: `${origin}/to-private`,
    });
    delete urls['good-moved'];

    const { env } = isolatedEnv({ FETCH_TIMEOUT_MS: '1000', MAX_BODY_BYTES: '65536' });
    for (const [id, url] of Object.entries(urls)) {
      const res = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id, url, categories: ['news'], discover: false }) });
      expect(res.status, id).toBe(201);
    }
    const started = Date.now();
    const report = await (await call(env, '/admin/poll?force=1', { method: 'POST' })).json<{ results: { id: string; outcome: string; error?: string }[] }>();
    const outcome = Object.fromEntries(report.results.map((r) => [r.id, r.outcome]));
    expect(outcome.good).toBe('fresh');
    expect(outcome.moved).toBe('fresh');
    for (const id of ['missing', 'gone', 'limited', 'limiteddate', 'broken', 'html', 'empty', 'huge', 'challenge', 'hang', 'bomb', 'liar', 'loop', 'private']) {
      expect(outcome[id], id).toBe('failed');
    }

    const rows = Object.fromEntries((await (await call(env, '/status.json')).json<{ sources: Row[] }>()).sources.map((r) => [r.id, r]));
    // The code for machines (alerts, grouping), the words for people.
    const expectations: Record<string, [string, RegExp]> = {
      missing: ['http', /HTTP 404 from 127\.0\.0\.1/],
      gone: ['http', /410/],
      limited: ['http', /HTTP 429 .*retry after/],
      limiteddate: ['http', /HTTP 503 .*retry after/],
      broken: ['http', /HTTP 500/],
      html: ['html-page', /not a feed: HTML page/],
      empty: ['empty', /empty body/],
      huge: ['too-large', /body over 64 KiB/],
      challenge: ['challenge', /Cloudflare bot challenge/],
      hang: ['timeout', /timed out after 1 s/],
      bomb: ['too-large', /body over 64 KiB/],
      liar: ['encoding', /gzip/],
      loop: ['redirect', /redirect loop/],
      private: ['refused-url', /redirect to a private address refused/],
    };
    for (const [id, [code, re]] of Object.entries(expectations)) {
      expect(rows[id].lastErrorCode, id).toBe(code);
      expect(rows[id].lastError, id).toMatch(re);
      expect(rows[id].consecutiveFailures, id).toBe(1);
      expect(Date.parse(rows[id].nextCheckAt!), id).toBeGreaterThan(started);
    }
    // Retry-After is honoured: in seconds and as an HTTP date.
    expect(Date.parse(rows.limited.nextCheckAt!)).toBeGreaterThanOrEqual(started + 7200_000 - 5000);
    expect(Date.parse(rows.limiteddate.nextCheckAt!)).toBeGreaterThanOrEqual(Date.parse(laterHttp) - 5000);
    // 410 Gone pauses the source, visibly.
    expect(rows.gone.paused).toBe(true);
    // A permanent redirect is remembered and shown.
    expect(rows.moved.permanentRedirect).toContain(`/r/good-moved-${tag}`);
    expect(rows.good).toMatchObject({ lastError: null, lastErrorCode: null, lastStatus: 200, itemCount: 1 });

    const feed = await (await call(env, '/feeds/news.json')).json<{ items: { title: string }[] }>();
    expect(feed.items.map((i) => i.title).sort()).toEqual(['Moved permanently but fine', 'The good source still updates']);
    const page = await (await call(env, '/status')).text();
    expect(page).toContain('not a feed: HTML page');
    expect(page).toMatch(/paused/i);
  });
});
