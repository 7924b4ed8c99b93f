// Alerts end to end: real polls of a local source that breaks and mends, a local webhook that records what it gets
// (and is down for a while), the Directory's alarm delivering.
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/model';
import { call, fixtureHits, fixtureRoute, isolatedEnv, rss } from '../support/kv';

let n = 0;
const uniq = (name: string) => `alerts-${name}-${++n}-${Math.random().toString(36).slice(2, 7)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const good = { headers: { 'content-type': 'application/rss+xml' }, body: rss('Báo Mới', [{ guid: 'v1', title: 'Tin nóng', link: 'https://baomoi.test/1' }]) };
const broken = { status: 500, body: 'upstream down' };

interface Event {
  event: string;
  source: { id: string; url: string; title: string };
  error: string | null;
  errorCode: string | null;
  since: string;
  by?: string;
  statusUrl: string;
  text: string;
  content: string;
}

/** The events the webhook received (each POST body), once `count` have arrived or the wait is over. */
async function received(hook: string, count: number, waitMs = 8000): Promise<Event[]> {
  const end = Date.now() + waitMs;
  for (;;) {
    const bodies = (await fixtureHits(hook)).bodies.map((b) => JSON.parse(b) as Event);
    if (bodies.length >= count || Date.now() > end) return bodies;
    await sleep(100);
  }
}

async function pollNow(env: Env, id: string): Promise<string> {
  const res = await call(env, `/admin/poll?force=1&source=${id}`, { method: 'POST' });
  return (await res.json<{ results: { outcome: string }[] }>()).results[0].outcome;
}

async function setup(hookRoute: { status: number; body?: string }): Promise<{ env: Env; hook: string; source: string }> {
  const hook = uniq('hook');
  const hookUrl = await fixtureRoute(hook, hookRoute);
  const source = uniq('source');
  const url = await fixtureRoute(source, broken);
  // Failing after 2 failures in a row (half of 4), paused after 4.
  const { env } = isolatedEnv({ ALERT_WEBHOOK_URL: hookUrl, PAUSE_AFTER_FAILURES: '4' });
  const res = await call(env, '/admin/sources', {
    method: 'POST',
    body: JSON.stringify({ id: 'baomoi', url, categories: ['vn'], title: 'Báo Mới', discover: false }),
  });
  expect(res.status).toBe(201);
  return { env, hook, source };
}

describe('alerts', () => {
  it('sends one event per state change: failing, paused, recovered', async () => {
    const { env, hook, source } = await setup({ status: 204 });
    expect(await pollNow(env, 'baomoi')).toBe('failed');
    expect(await received(hook, 1, 1500)).toEqual([]);
    await pollNow(env, 'baomoi');
    const [failing] = await received(hook, 1);
    expect(failing).toMatchObject({
      event: 'failing',
      source: { id: 'baomoi', title: 'Báo Mới' },
      error: expect.stringMatching(/HTTP 500/),
      errorCode: 'http',
    });
    expect(failing.statusUrl).toMatch(/\/status#source-baomoi$/);
    expect(failing.text).toContain('“Báo Mới” is failing since');
    expect(failing.content).toBe(failing.text);

    await pollNow(env, 'baomoi');
    await pollNow(env, 'baomoi');
    const [, paused] = await received(hook, 2);
    expect(paused).toMatchObject({ event: 'paused', by: 'failures' });
    await pollNow(env, 'baomoi');

    await fixtureRoute(source, good);
    expect(await pollNow(env, 'baomoi')).toBe('fresh');
    await pollNow(env, 'baomoi');
    const events = await received(hook, 3);
    expect(events.map((e) => e.event)).toEqual(['failing', 'paused', 'recovered']);
    expect(events[2].error).toBeNull();
    expect(events[2].errorCode).toBeNull();
    // Nothing more arrives: the checks that changed no state sent nothing.
    await sleep(1500);
    expect((await received(hook, 4, 0)).length).toBe(3);
    const status = (await (await call(env, '/status.json')).json<{ sources: { failingSince: string | null }[] }>()).sources[0];
    expect(status.failingSince).toBeNull();
  });

  it('keeps an event while the webhook is down and delivers it once it is back', async () => {
    const { env, hook } = await setup({ status: 503, body: 'maintenance' });
    await pollNow(env, 'baomoi');
    await pollNow(env, 'baomoi');
    const tried = await received(hook, 1);
    expect(tried.map((e) => e.event)).toEqual(['failing']);
    // Reprogramming the route also clears what it recorded: what follows is the retry alone.
    await fixtureRoute(hook, { status: 204 });
    // The alarm tries again after its back-off (2 s the first time), without waiting for another run.
    const after = await received(hook, 1, 10_000);
    expect(after).toEqual(tried);
    await sleep(2500);
    expect((await received(hook, 2, 0)).length).toBe(1);
  });

  it('says when an operator pauses or resumes a source', async () => {
    const { env, hook } = await setup({ status: 204 });
    await call(env, '/admin/sources/baomoi', { method: 'PATCH', body: JSON.stringify({ paused: true }) });
    await call(env, '/admin/sources/baomoi', { method: 'PATCH', body: JSON.stringify({ paused: true }) });
    await call(env, '/admin/sources/baomoi', { method: 'PATCH', body: JSON.stringify({ paused: false }) });
    const events = await received(hook, 2);
    expect(events.map((e) => [e.event, e.by])).toEqual([
      ['paused', 'operator'],
      ['resumed', undefined],
    ]);
  });

  it('sends nothing when no webhook is configured', async () => {
    const hook = uniq('unused');
    await fixtureRoute(hook, { status: 204 });
    const url = await fixtureRoute(uniq('source'), broken);
    const { env } = isolatedEnv({ PAUSE_AFTER_FAILURES: '2' });
    await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: 's', url, categories: ['vn'], discover: false }) });
    await pollNow(env, 's');
    await pollNow(env, 's');
    await sleep(500);
    expect((await fixtureHits(hook)).hits).toBe(0);
  });
});
