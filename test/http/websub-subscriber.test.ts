// WebSub subscriber end to end in workerd: the hub is a local route that records what we send; the test plays the
// hub's part towards the Worker (verification GETs, signed pushes) through the real handler.
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/model';
import { call, fixtureHits, fixtureRoute, isolatedEnv, rss } from '../support/kv';

let n = 0;
const uniq = (name: string) => `websub-${name}-${++n}-${Math.random().toString(36).slice(2, 7)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TOPIC = 'https://vnexpress.test/rss/tin-moi-nhat.rss';

interface Hubbed {
  env: Env;
  hub: string;
  feed: string;
  /** What our subscribe request carried. */
  request: URLSearchParams;
  /** The callback's path (and query-less URL). */
  path: string;
}

async function hubRequests(hub: string, count: number, waitMs = 8000): Promise<URLSearchParams[]> {
  const end = Date.now() + waitMs;
  for (;;) {
    const bodies = (await fixtureHits(hub)).bodies.map((b) => new URLSearchParams(b));
    if (bodies.length >= count || Date.now() > end) return bodies;
    await sleep(100);
  }
}

function feedWithHub(hubUrl: string, items: { guid: string; title: string }[]): string {
  const links = `<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="hub" href="${hubUrl}"/><atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="self" href="${TOPIC}"/>`;
  return rss(
    'VnExpress',
    items.map((i) => ({ ...i, link: `https://vnexpress.test/${i.guid}` })),
    links,
  );
}

async function hubbedSource(overrides: Partial<Env> = {}): Promise<Hubbed> {
  const hub = uniq('hub');
  const hubUrl = await fixtureRoute(hub, { status: 202 });
  const feed = uniq('feed');
  const url = await fixtureRoute(feed, {
    headers: { 'content-type': 'application/rss+xml' },
    body: feedWithHub(hubUrl, [{ guid: 'a', title: 'Tin đầu tiên' }]),
  });
  const { env } = isolatedEnv(overrides);
  expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: 'vne', url, categories: ['vn'], discover: false }) })).status).toBe(
    201,
  );
  await poll(env);
  const [request] = await hubRequests(hub, 1);
  expect(request, 'the hub got no subscribe request').toBeDefined();
  return { env, hub, feed, request, path: new URL(request.get('hub.callback')!).pathname };
}

async function poll(env: Env): Promise<void> {
  expect((await call(env, '/admin/poll?force=1&source=vne', { method: 'POST' })).status).toBe(200);
}

async function verify(h: Hubbed, params: Record<string, string>): Promise<Response> {
  return call(h.env, `${h.path}?${new URLSearchParams({ 'hub.topic': TOPIC, ...params })}`);
}

async function activate(h: Hubbed, lease = '864000'): Promise<void> {
  const res = await verify(h, { 'hub.mode': 'subscribe', 'hub.challenge': 'ch-1', 'hub.lease_seconds': lease });
  expect(res.status).toBe(200);
}

async function sign(algorithm: string, secret: string, body: string): Promise<string> {
  const hash = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' }[algorithm]!;
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(body)));
  return `${algorithm}=${[...mac].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

async function push(h: Hubbed, body: string, signature: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/rss+xml' };
  if (signature) headers['x-hub-signature'] = signature;
  return call(h.env, h.path, { method: 'POST', body, headers });
}

async function titles(env: Env): Promise<string[]> {
  return (await (await call(env, '/feeds/vn.json')).json<{ items: { title: string }[] }>()).items.map((i) => i.title);
}

async function status(env: Env): Promise<Record<string, unknown>> {
  return (await (await call(env, '/status.json')).json<{ sources: Record<string, unknown>[] }>()).sources[0];
}

/** A live subscription, then a poll whose origin answers late (800 ms) and, 100 ms into it, a push of other items. */
async function pollOverlappingPush(polled: { guid: string; title: string }[], pushedItems: { guid: string; title: string }[]) {
  const h = await hubbedSource();
  await activate(h);
  const hubUrl = (await status(h.env)).hub as string;
  await fixtureRoute(h.feed, { headers: { 'content-type': 'application/rss+xml' }, body: feedWithHub(hubUrl, polled), delayMs: 800 });
  const pushed = feedWithHub(hubUrl, pushedItems);
  const signature = await sign('sha256', h.request.get('hub.secret')!, pushed);
  await Promise.all([poll(h.env), sleep(100).then(() => push(h, pushed, signature))]);
  return { h, hubUrl };
}

const RSS_TYPE = { 'content-type': 'application/rss+xml' };

/** A live subscription whose feed answers through a slow first hop (a 302 after `delayMs`) to `later`, and a push to send. */
async function slowHopAndPush(polled: { guid: string; title: string }[], pushedItems: { guid: string; title: string }[], delayMs: number) {
  const h = await hubbedSource();
  await activate(h);
  const hubUrl = (await status(h.env)).hub as string;
  const later = uniq('later');
  const laterUrl = await fixtureRoute(later, { headers: RSS_TYPE, body: feedWithHub(hubUrl, polled) });
  await fixtureRoute(h.feed, { status: 302, headers: { location: laterUrl }, delayMs });
  const pushed = feedWithHub(hubUrl, pushedItems);
  const signature = await sign('sha256', h.request.get('hub.secret')!, pushed);
  return { h, hubUrl, later, laterUrl, send: () => push(h, pushed, signature) };
}

describe('WebSub subscriber', () => {
  it('subscribes with the topic, an unguessable callback under PUBLIC_BASE_URL, a lease and a secret it never shows', async () => {
    const h = await hubbedSource();
    expect(h.request.get('hub.mode')).toBe('subscribe');
    expect(h.request.get('hub.topic')).toBe(TOPIC);
    expect(h.request.get('hub.callback')).toMatch(new RegExp(`^${h.env.PUBLIC_BASE_URL!.replace(/\./g, '\\.')}/websub/vne/[0-9a-f]{32}$`));
    expect(Number(h.request.get('hub.lease_seconds'))).toBeGreaterThan(0);
    const secret = h.request.get('hub.secret')!;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const s = await status(h.env);
    expect(s).toMatchObject({ hub: expect.stringContaining('/r/websub-hub-'), subscription: { state: 'pending', leaseExpiresAt: null, lastPushAt: null } });
    for (const page of ['/status.json', '/status', '/admin/sources', '/feeds/vn.json']) expect(await (await call(h.env, page)).text()).not.toContain(secret);
  });

  it('answers the verification for our topic only, and sends nothing without PUBLIC_BASE_URL', async () => {
    const h = await hubbedSource();
    expect((await verify(h, { 'hub.mode': 'subscribe', 'hub.challenge': 'x', 'hub.topic': 'https://other.test/feed' })).status).toBe(404);
    expect(
      (await call(h.env, `${h.path.replace(/[0-9a-f]{32}$/, '0'.repeat(32))}?hub.mode=subscribe&hub.challenge=x&hub.topic=${encodeURIComponent(TOPIC)}`))
        .status,
    ).toBe(404);
    expect((await call(h.env, `${h.path.replace('/vne/', '/other/')}?hub.mode=subscribe&hub.challenge=x&hub.topic=${encodeURIComponent(TOPIC)}`)).status).toBe(
      404,
    );
    expect((await verify(h, { 'hub.mode': 'unsubscribe', 'hub.challenge': 'x' })).status).toBe(404);
    const ok = await verify(h, { 'hub.mode': 'subscribe', 'hub.challenge': 'Thách-thức-42', 'hub.lease_seconds': '3600' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('Thách-thức-42');
    const s = (await status(h.env)).subscription as { state: string; leaseExpiresAt: string };
    expect(s.state).toBe('active');
    expect(Date.parse(s.leaseExpiresAt) - Date.now()).toBeGreaterThan(3500_000);

    const hub = uniq('hub-no-base');
    const hubUrl = await fixtureRoute(hub, { status: 202 });
    const url = await fixtureRoute(uniq('feed'), {
      headers: { 'content-type': 'application/rss+xml' },
      body: feedWithHub(hubUrl, [{ guid: 'a', title: 'x' }]),
    });
    const { env } = isolatedEnv({ PUBLIC_BASE_URL: '' });
    await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: 'vne', url, categories: ['vn'], discover: false }) });
    await poll(env);
    await sleep(1000);
    expect((await fixtureHits(hub)).hits).toBe(0);
    expect(await status(env)).toMatchObject({ hub: hubUrl, subscription: null });
  });

  it('ingests signed pushes (sha1, sha256, sha384, sha512) through the poll path; drops unsigned and wrongly signed ones', async () => {
    const h = await hubbedSource();
    await activate(h);
    const secret = h.request.get('hub.secret')!;
    const hubUrl = (await status(h.env)).hub as string;
    for (const algorithm of ['sha1', 'sha256', 'sha384', 'sha512']) {
      const body = feedWithHub(hubUrl, [{ guid: algorithm, title: `Tin nóng ${algorithm}` }]);
      expect((await push(h, body, await sign(algorithm, secret, body))).status).toBe(202);
    }
    const unsigned = feedWithHub(hubUrl, [{ guid: 'unsigned', title: 'Không ký' }]);
    expect((await push(h, unsigned, undefined)).status).toBe(202);
    const forged = feedWithHub(hubUrl, [{ guid: 'forged', title: 'Giả mạo' }]);
    expect((await push(h, forged, await sign('sha256', 'not-the-secret', forged))).status).toBe(202);
    expect((await push(h, forged, await sign('sha256', secret, unsigned))).status).toBe(202);

    const served = await titles(h.env);
    expect(served).toEqual(expect.arrayContaining(['Tin đầu tiên', 'Tin nóng sha1', 'Tin nóng sha256', 'Tin nóng sha384', 'Tin nóng sha512']));
    expect(served).not.toContain('Không ký');
    expect(served).not.toContain('Giả mạo');
    expect(((await status(h.env)).subscription as { lastPushAt: string | null }).lastPushAt).not.toBeNull();
    const checks = (await (await call(h.env, '/status.json')).json<{ sources: { lastOutcome: string }[] }>()).sources[0];
    expect(checks.lastOutcome).toBe('pushed');
  });

  it('refuses an oversize push before reading it, and a push to a subscription that is not live', async () => {
    const h = await hubbedSource({ MAX_BODY_BYTES: '2048' });
    const big = 'x'.repeat(4096);
    // Not verified yet: the hub is told this subscription is not there.
    expect((await push(h, '<rss/>', undefined)).status).toBe(410);
    await activate(h);
    expect((await push(h, big, await sign('sha256', h.request.get('hub.secret')!, big))).status).toBe(413);
  });

  it('polls a live subscription as a safety net (6 × the interval), and as usual once the hub denies it', async () => {
    const h = await hubbedSource();
    await activate(h);
    await poll(h.env);
    const live = await status(h.env);
    const gap = (s: Record<string, unknown>) => (Date.parse(s.nextCheckAt as string) - Date.parse(s.lastCheckedAt as string)) / 60_000;
    expect(gap(live)).toBeCloseTo(90, 0);
    const denied = await verify(h, { 'hub.mode': 'denied', 'hub.reason': 'topic not allowed' });
    expect(denied.status).toBe(204);
    await poll(h.env);
    const after = await status(h.env);
    expect(after.subscription).toMatchObject({ state: 'denied', error: expect.stringContaining('topic not allowed') });
    expect(gap(after)).toBeCloseTo(15, 0);
  });

  it('renews a lease before it ends', async () => {
    const h = await hubbedSource();
    await activate(h, '2');
    const requests = await hubRequests(h.hub, 2, 6000);
    expect(requests).toHaveLength(2);
    expect(requests[1].get('hub.mode')).toBe('subscribe');
    expect(requests[1].get('hub.callback')).toBe(h.request.get('hub.callback'));
  });

  it('unsubscribes when the source is removed, and then knows the callback no more', async () => {
    const h = await hubbedSource();
    await activate(h);
    expect((await call(h.env, '/admin/sources/vne', { method: 'DELETE' })).status).toBe(200);
    const requests = await hubRequests(h.hub, 2);
    expect(requests[1].get('hub.mode')).toBe('unsubscribe');
    expect(requests[1].get('hub.callback')).toBe(h.request.get('hub.callback'));
    const ok = await verify(h, { 'hub.mode': 'unsubscribe', 'hub.challenge': 'bye' });
    expect(await ok.text()).toBe('bye');
    expect((await verify(h, { 'hub.mode': 'subscribe', 'hub.challenge': 'again' })).status).toBe(404);
  });

  it('loses nothing when a push and a poll overlap', async () => {
    const { h } = await pollOverlappingPush(
      [
        { guid: 'polled', title: 'Từ lần đọc' },
        { guid: 'a', title: 'Tin đầu tiên' },
      ],
      [{ guid: 'pushed', title: 'Từ hub' }],
    );
    expect(await titles(h.env)).toEqual(expect.arrayContaining(['Từ lần đọc', 'Từ hub', 'Tin đầu tiên']));
  });

  it('keeps a pushed correction when a poll fetched before the push carries the story as it was', async () => {
    // The origin answered the poll before the correction; the hub pushes the corrected story while the poll is out.
    const { h, hubUrl } = await pollOverlappingPush(
      [
        { guid: 'story', title: 'Bão số 9 đổ bộ Quảng Ngãi' },
        { guid: 'other', title: 'Tin khác trong lần đọc' },
      ],
      [{ guid: 'story', title: 'Bão số 9 đổ bộ Quảng Nam (đính chính)' }],
    );
    const seen = await titles(h.env);
    expect(seen).toEqual(expect.arrayContaining(['Bão số 9 đổ bộ Quảng Nam (đính chính)', 'Tin khác trong lần đọc']));
    expect(seen).not.toContain('Bão số 9 đổ bộ Quảng Ngãi');
    // A poll fetched after the push is the source's word again: the feed now carries the correction, and one more edit.
    await fixtureRoute(h.feed, {
      headers: { 'content-type': 'application/rss+xml' },
      body: feedWithHub(hubUrl, [{ guid: 'story', title: 'Bão số 9 đổ bộ Quảng Nam' }]),
    });
    await poll(h.env);
    expect(await titles(h.env)).toContain('Bão số 9 đổ bộ Quảng Nam');
  });

  it('takes an edit made after the push from a poll that set out before it (its request reached the origin late)', async () => {
    // The poll's first hop answers after 2.5 s: by then the push has come and the publisher has edited the story again.
    const s = await slowHopAndPush([{ guid: 'a', title: 'v1' }], [{ guid: 'a', title: 'v2 (pushed)' }], 2500);
    const v3 = feedWithHub(s.hubUrl, [{ guid: 'a', title: 'v3 (edited after the push)' }]);
    await Promise.all([
      poll(s.h.env),
      sleep(100).then(async () => {
        await s.send();
        await fixtureRoute(s.later, { headers: RSS_TYPE, body: v3 });
      }),
    ]);
    // v3 is a version no push replaced: newer than the push, taken at once.
    expect(await titles(s.h.env)).toEqual(['v3 (edited after the push)']);
  });

  it('reads the next body again when an overlapping poll carried a story the push brought first, in another version', async () => {
    const s = await slowHopAndPush([{ guid: 'b', title: 'v3 (the origin, later)' }], [{ guid: 'b', title: 'v2 (pushed first)' }], 1500);
    await Promise.all([poll(s.h.env), sleep(100).then(s.send)]);
    // Which of the two is newer cannot be told: the push stands, and the poll's body is not trusted as read.
    expect(await titles(s.h.env)).toContain('v2 (pushed first)');
    await poll(s.h.env); // the same bytes: read again, not skipped as unchanged; fetched after the push, its word now
    expect(await titles(s.h.env)).toContain('v3 (the origin, later)');
  });

  it('keeps reading again after an unsettled poll, even when an older overlapping poll answers last', async () => {
    const s = await slowHopAndPush([{ guid: 'c', title: 'v3 (the origin, later)' }], [{ guid: 'c', title: 'v2 (pushed first)' }], 2500);
    const secondPoll = async () => {
      await fixtureRoute(s.h.feed, { status: 302, headers: { location: s.laterUrl }, delayMs: 1000 });
      await poll(s.h.env); // the newer run: answers first, unsettled by the push
    };
    await Promise.all([poll(s.h.env), sleep(50).then(secondPoll), sleep(300).then(s.send)]); // the first: stale, answers last
    expect(await titles(s.h.env)).toContain('v2 (pushed first)');
    await fixtureRoute(s.h.feed, { status: 302, headers: { location: s.laterUrl } });
    await poll(s.h.env); // the same bytes again: the stale answer's hash was not kept, so they are read
    expect(await titles(s.h.env)).toContain('v3 (the origin, later)');
  });

  it('gives a category joined just before a push the whole feed at the next poll, not only the pushed story', async () => {
    const h = await hubbedSource();
    await activate(h);
    const hubUrl = (await status(h.env)).hub as string;
    expect((await call(h.env, '/admin/sources/vne', { method: 'PATCH', body: JSON.stringify({ categories: ['vn', 'world'] }) })).status).toBe(200);
    const pushed = feedWithHub(hubUrl, [{ guid: 'p', title: 'Từ hub' }]);
    expect((await push(h, pushed, await sign('sha256', h.request.get('hub.secret')!, pushed))).status).toBe(202);
    const world = async () => (await (await call(h.env, '/feeds/world.json')).json<{ items: { title: string }[] }>()).items.map((i) => i.title);
    expect(await world()).toEqual(['Từ hub']);
    await poll(h.env);
    expect(await world()).toEqual(expect.arrayContaining(['Từ hub', 'Tin đầu tiên']));
  });
});
