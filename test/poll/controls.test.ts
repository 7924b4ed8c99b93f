// Per-source controls through the admin API and a real poll: the User-Agent override and extra headers reach the
// origin, credentials never come back out (admin API, status, OPML, console) nor go to another origin, paused sources
// are not polled.
import { env as baseEnv } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/model';
import { call, fixtureHits, fixtureRoute, isolatedEnv, rss } from '../support/kv';

let n = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const uniq = (name: string) => `controls-${name}-${++n}-${Math.random().toString(36).slice(2, 7)}`;
const SECRET = 'Bearer s3cr3t-partner-token';
const COOKIE = 'paywall=abc123; session=zz9';

const feedRoute = (name: string) =>
  fixtureRoute(name, {
    headers: { 'content-type': 'application/rss+xml' },
    body: rss('Partner', [{ guid: 'p1', title: 'ข่าวสมาชิก', link: 'https://partner.test/1' }]),
  });

async function add(env: Env, body: Record<string, unknown>): Promise<Response> {
  return call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ discover: false, categories: ['partners'], ...body }) });
}

async function poll(env: Env, id: string): Promise<{ results: { id: string; outcome: string; error?: string }[] }> {
  return (await call(env, `/admin/poll?force=1&source=${id}`, { method: 'POST' })).json();
}

/** A deployment that may fetch the fixture server under two names: two origins, for redirects across them. */
function twoOrigins(): { env: Env; other: string } {
  const origin = (baseEnv as unknown as { FIXTURE_ORIGIN: string }).FIXTURE_ORIGIN;
  const other = origin.replace('127.0.0.1', 'localhost');
  return { env: isolatedEnv({ PRIVATE_SOURCE_ORIGINS: `${origin},${other}` }).env, other };
}

describe('per-source controls', () => {
  it('sends the User-Agent override and the allowlisted headers to the origin', async () => {
    const { env } = isolatedEnv();
    const name = uniq('ua');
    const url = await feedRoute(name);
    const res = await add(env, {
      id: 'partner',
      url,
      userAgent: 'Mozilla/5.0 (compatible; PartnerBot/2.0)',
      headers: { 'accept-language': 'th-TH, th;q=0.9', authorization: SECRET, Cookie: COOKIE },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect((await poll(env, 'partner')).results[0].outcome).toBe('fresh');
    const seen = (await fixtureHits(name)).lastHeaders;
    expect(seen['user-agent']).toBe('Mozilla/5.0 (compatible; PartnerBot/2.0)');
    expect(seen['accept-language']).toBe('th-TH, th;q=0.9');
    expect(seen.authorization).toBe(SECRET);
    expect(seen.cookie).toBe(COOKIE);
  });

  it('never shows a secret header value back, anywhere', async () => {
    const { env } = isolatedEnv();
    const url = await feedRoute(uniq('secret'));
    const added = await add(env, { id: 'partner', url, headers: { Authorization: SECRET, Cookie: COOKIE, 'Accept-Language': 'vi' } });
    expect(await added.json()).toMatchObject({ headers: { 'Accept-Language': 'vi' }, secretHeaders: ['Authorization', 'Cookie'] });
    await poll(env, 'partner');
    const patched = await call(env, '/admin/sources/partner', { method: 'PATCH', body: JSON.stringify({ title: 'Đối tác' }) });
    await call(env, '/admin/console', { method: 'GET' });
    const answers = [
      await patched.text(),
      await (await call(env, '/admin/sources')).text(),
      await (await call(env, '/admin/sources/partner')).text(),
      await (await call(env, '/status.json')).text(),
      await (await call(env, '/status')).text(),
      await (await call(env, '/feeds.opml')).text(),
      await (await call(env, '/feeds/partners.json')).text(),
    ];
    for (const text of answers) {
      expect(text).not.toContain('s3cr3t');
      expect(text).not.toContain('abc123');
    }
    expect(answers[1]).toContain('"secretHeaders":["Authorization","Cookie"]');
  });

  it('changes headers one by one: a value sets, null removes, the rest stay', async () => {
    const { env } = isolatedEnv();
    const name = uniq('patch');
    const url = await feedRoute(name);
    await add(env, { id: 'partner', url, headers: { Authorization: SECRET, 'Accept-Language': 'th' } });
    const res = await call(env, '/admin/sources/partner', {
      method: 'PATCH',
      body: JSON.stringify({ headers: { 'Accept-Language': null, Cookie: COOKIE }, userAgent: 'Custom/1' }),
    });
    expect(res.status).toBe(200);
    const view = await res.json<Record<string, unknown>>();
    expect(view.headers).toBeUndefined();
    expect(view.secretHeaders).toEqual(['Authorization', 'Cookie']);
    await poll(env, 'partner');
    const seen = (await fixtureHits(name)).lastHeaders;
    expect(seen.authorization).toBe(SECRET);
    expect(seen.cookie).toBe(COOKIE);
    expect(seen['accept-language']).toBeUndefined();
    expect(seen['user-agent']).toBe('Custom/1');
    // Back to the honest default, and no headers at all.
    const reset = await call(env, '/admin/sources/partner', { method: 'PATCH', body: JSON.stringify({ headers: null, userAgent: null }) });
    expect(await reset.json()).not.toHaveProperty('secretHeaders');
    await poll(env, 'partner');
    const after = (await fixtureHits(name)).lastHeaders;
    expect(after.authorization).toBeUndefined();
    expect(after['user-agent']).toMatch(/^Tributary\//);
  });

  it('does not take credentials along a redirect to another origin', async () => {
    const { env, other } = twoOrigins();
    const target = uniq('target');
    await feedRoute(target);
    const from = await fixtureRoute(uniq('from'), { status: 302, redirectTo: `${other}/r/${target}` });
    await add(env, { id: 'moved', url: from, headers: { Authorization: SECRET, 'Accept-Language': 'th' } });
    expect((await poll(env, 'moved')).results[0].outcome).toBe('fresh');
    const seen = (await fixtureHits(target)).lastHeaders;
    expect(seen.authorization).toBeUndefined();
    expect(seen['accept-language']).toBe('th');
  });

  it('sends no credentials to the origin a permanent redirect moved the source to, when it is polled there directly', async () => {
    const { env, other } = twoOrigins();
    const target = uniq('moved-target');
    await feedRoute(target);
    const from = uniq('moved-from');
    await add(env, {
      id: 'moved-away',
      url: await fixtureRoute(from, { status: 301, redirectTo: `${other}/r/${target}` }),
      headers: { Cookie: COOKIE, 'Accept-Language': 'vi' },
    });
    expect((await poll(env, 'moved-away')).results[0].outcome).toBe('fresh');
    expect((await poll(env, 'moved-away')).results[0].outcome).toBe('not-modified');
    const [hitsFrom, hitsTarget] = [await fixtureHits(from), await fixtureHits(target)];
    expect(hitsFrom.hits).toBe(1);
    expect(hitsFrom.lastHeaders.cookie).toBe(COOKIE);
    expect(hitsTarget.hits).toBe(2);
    expect(hitsTarget.lastHeaders.cookie).toBeUndefined();
    expect(hitsTarget.lastHeaders['accept-language']).toBe('vi');
    // An edit that leaves the headers as they are (the console's form sends them every time) keeps the move.
    const same = await call(env, '/admin/sources/moved-away', {
      method: 'PATCH',
      body: JSON.stringify({ title: 'Đối tác', headers: { 'Accept-Language': 'vi' } }),
    });
    expect(same.status).toBe(200);
    await poll(env, 'moved-away');
    expect((await fixtureHits(from)).hits).toBe(1);
    // New credentials: the registered URL is asked again (it may answer them instead of redirecting).
    const patched = await call(env, '/admin/sources/moved-away', { method: 'PATCH', body: JSON.stringify({ headers: { Cookie: 'paywall=new' } }) });
    expect(patched.status).toBe(200);
    await poll(env, 'moved-away');
    expect((await fixtureHits(from)).hits).toBe(2);
    expect((await fixtureHits(from)).lastHeaders.cookie).toBe('paywall=new');
  });

  it('keeps the move forgotten when new headers come while a poll is out at the moved address', async () => {
    const { env, other } = twoOrigins();
    const [target, from] = [uniq('slow-target'), uniq('slow-from')];
    await feedRoute(target);
    await add(env, { id: 'slow-move', url: await fixtureRoute(from, { status: 301, redirectTo: `${other}/r/${target}` }), headers: { Cookie: 'a=1' } });
    await poll(env, 'slow-move');
    await fixtureRoute(target, {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('Partner', [{ guid: 'p1', title: 'ข่าวสมาชิก', link: 'https://partner.test/1' }]),
      delayMs: 800,
    });
    const patch = () => call(env, '/admin/sources/slow-move', { method: 'PATCH', body: JSON.stringify({ headers: { Cookie: 'paywall=new' } }) });
    const [, patched] = await Promise.all([poll(env, 'slow-move'), sleep(200).then(patch)]);
    expect(patched.status).toBe(200);
    await poll(env, 'slow-move');
    expect((await fixtureHits(from)).lastHeaders.cookie).toBe('paywall=new');
  });

  it('does not learn a move from a 301 answered to the headers a PATCH has since replaced', async () => {
    const { env, other } = twoOrigins();
    const [target, from] = [uniq('late-target'), uniq('late-from')];
    await feedRoute(target);
    const url = await fixtureRoute(from, { status: 301, redirectTo: `${other}/r/${target}`, delayMs: 800 });
    await add(env, { id: 'late-301', url, headers: { Cookie: 'a=1' } });
    const patch = () => call(env, '/admin/sources/late-301', { method: 'PATCH', body: JSON.stringify({ headers: { Cookie: 'paywall=new' } }) });
    const [, patched] = await Promise.all([poll(env, 'late-301'), sleep(200).then(patch)]);
    expect(patched.status).toBe(200);
    expect((await fixtureHits(from)).lastHeaders.cookie).toBe('a=1');
    await poll(env, 'late-301');
    const hits = await fixtureHits(from);
    expect(hits.hits).toBe(2);
    expect(hits.lastHeaders.cookie).toBe('paywall=new');
  });

  it('refuses headers off the allowlist and values HTTP cannot carry, changing nothing', async () => {
    const { env } = isolatedEnv();
    const url = await feedRoute(uniq('bad'));
    await add(env, { id: 'partner', url });
    const cases: [unknown, RegExp][] = [
      [{ headers: { Host: 'evil.test' } }, /header "Host" is not allowed/],
      [{ headers: { 'If-None-Match': '"x"' } }, /not allowed/],
      // A name a plain object already has: it once passed as the header "Object".
      [{ headers: { constructor: 'x' } }, /header "constructor" is not allowed/],
      [{ headers: { toString: 'x' } }, /header "toString" is not allowed/],
      [{ headers: { Cookie: 'a=1\r\nX-Injected: 1' } }, /no line breaks/],
      [{ headers: { Cookie: 42 } }, /non-empty string/],
      [{ headers: ['Cookie'] }, /must be an object/],
      [{ userAgent: 'Bot\n2' }, /visible ASCII/],
      [{ userAgent: 'x'.repeat(301) }, /longer than 300/],
      [{ paused: 'yes' }, /"paused" must be true or false/],
    ];
    for (const [body, error] of cases) {
      const res = await call(env, '/admin/sources/partner', { method: 'PATCH', body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json<{ error: string }>()).error).toMatch(error);
    }
    const stored = await (await call(env, '/admin/sources/partner')).json<Record<string, unknown>>();
    expect(stored).not.toHaveProperty('headers');
    expect(stored).not.toHaveProperty('userAgent');
    expect(stored).not.toHaveProperty('paused');
  });
});

describe('pausing a source', () => {
  it('keeps it out of scheduled and forced runs until resumed; a poll of it by name still runs', async () => {
    const { env } = isolatedEnv();
    const name = uniq('pause');
    const url = await feedRoute(name);
    await add(env, { id: 'quiet', url });
    const paused = await call(env, '/admin/sources/quiet', { method: 'PATCH', body: JSON.stringify({ paused: true }) });
    expect(await paused.json()).toMatchObject({ paused: true });

    const due = await (await call(env, '/admin/poll', { method: 'POST' })).json<{ polled: number }>();
    const forced = await (await call(env, '/admin/poll?force=1', { method: 'POST' })).json<{ polled: number }>();
    expect(due.polled).toBe(0);
    expect(forced.polled).toBe(0);
    expect((await fixtureHits(name)).hits).toBe(0);
    const status = (await (await call(env, '/status.json')).json<{ sources: Record<string, unknown>[] }>()).sources[0];
    expect(status).toMatchObject({ paused: true, pausedBy: 'operator' });
    expect(await (await call(env, '/status')).text()).toContain('Paused</span> by an operator');

    expect((await poll(env, 'quiet')).results[0].outcome).toBe('fresh');
    expect((await fixtureHits(name)).hits).toBe(1);
    expect((await (await call(env, '/admin/poll?force=1', { method: 'POST' })).json<{ polled: number }>()).polled).toBe(0);

    await call(env, '/admin/sources/quiet', { method: 'PATCH', body: JSON.stringify({ paused: false }) });
    const resumed = await (await call(env, '/admin/poll', { method: 'POST' })).json<{ polled: number }>();
    expect(resumed.polled).toBe(1);
    const after = (await (await call(env, '/status.json')).json<{ sources: Record<string, unknown>[] }>()).sources[0];
    expect(after).toMatchObject({ paused: false, pausedBy: null });
  });
});
