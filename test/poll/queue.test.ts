// Queue mode end to end: the cron producer reads the due index and sends due sources, the real queue handler polls
// them through the same steps as an inline run (Feeds deliver to Rivers, the Directory records), with the same outcome.
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { env as workerEnv } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import type { Env, PollMessage } from '../../src/model';
import { call, fixtureRoute, isolatedEnv, rss } from '../support/kv';

/** A Queue producer binding that keeps what it was sent, so the test can hand it to the consumer. */
function recordingQueue(): { queue: Queue<PollMessage>; sent: { body: PollMessage; delaySeconds?: number }[] } {
  const sent: { body: PollMessage; delaySeconds?: number }[] = [];
  const queue = {
    async send(body: PollMessage, opts?: QueueSendOptions) {
      sent.push({ body, delaySeconds: opts?.delaySeconds });
    },
    async sendBatch(messages: Iterable<MessageSendRequest<PollMessage>>) {
      for (const m of messages) sent.push({ body: m.body, delaySeconds: m.delaySeconds });
    },
  } as unknown as Queue<PollMessage>;
  return { queue, sent };
}

async function cron(env: Env): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '*/15 * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function consume(env: Env, bodies: PollMessage[]) {
  const batch = createMessageBatch<PollMessage>(
    'tributary-poll',
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe('queue mode', () => {
  it('produces from the due index and consumes with the same outcome as inline mode', async () => {
    const { queue, sent } = recordingQueue();
    const { env, counts, resetCounts } = isolatedEnv({ POLL_QUEUE: queue });
    const tag = Math.random().toString(36).slice(2);
    const good = await fixtureRoute(`q-good-${tag}`, {
      headers: { 'content-type': 'application/rss+xml', etag: '"q1"' },
      conditional: true,
      body: rss('Queue source', [{ guid: 'q1', title: 'Polled through the queue consumer', link: 'https://q.test/1', date: 'Fri, 20 Nov 2026 08:00:00 GMT' }]),
    });
    const bad = await fixtureRoute(`q-bad-${tag}`, { status: 500, body: 'oops' });
    for (const [id, url] of [
      ['good', good],
      ['bad', bad],
    ]) {
      expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id, url, categories: ['news'] }) })).status).toBe(201);
    }

    resetCounts();
    await cron(env); // producer: reads the due index only, sends both due sources in one message
    expect(counts.writes).toBe(0);
    expect(sent.flatMap((m) => m.body.sourceIds ?? []).sort()).toEqual(['bad', 'good']);

    const result = await consume(
      env,
      sent.map((m) => m.body),
    );
    expect(result.ackAll).toBe(true);
    expect(result.retryBatch.retry).toBe(false);
    // The consumer's run writes the changed river pages and the index, nothing else.
    expect(counts.writtenKeys.sort()).toEqual(['index', 'page:all', 'page:news']);
    const feed = await (await call(env, '/feeds/news.json')).json<{ items: { title: string }[] }>();
    expect(feed.items.map((i) => i.title)).toEqual(['Polled through the queue consumer']);
    const status = await (await call(env, '/status.json')).json<{ sources: { id: string; lastError: string | null; lastStatus: number | null }[] }>();
    const byId = Object.fromEntries(status.sources.map((s) => [s.id, s]));
    expect(byId.bad.lastError).toMatch(/HTTP 500/);
    expect(byId.good.lastStatus).toBe(200);

    // Nothing is due now: the next tick sends nothing and writes nothing.
    sent.length = 0;
    resetCounts();
    await cron(env);
    expect(sent).toEqual([]);
    expect(counts.writes).toBe(0);

    // A message of the earlier shape (one sourceId) still polls its source; the same feed again changes nothing.
    resetCounts();
    const legacy = await consume(env, [{ sourceId: 'good' }]);
    expect(legacy.ackAll).toBe(true);
    expect(counts.writes).toBe(0);
    expect((await (await call(env, '/feeds/news.json')).json<{ items: unknown[] }>()).items).toHaveLength(1);
  });
});

describe('queue mode on a real Miniflare queue', () => {
  it('the cron producer sends to the queue and Miniflare delivers to the Worker consumer', async () => {
    // The consumer runs with the Worker's own bindings (no key prefix, its PUBLIC_BASE_URL): the one test of that deployment.
    const globalEnv = workerEnv as unknown as Env & { TEST_POLL_QUEUE: Queue<PollMessage> };
    const env: Env = { ...globalEnv, POLL_QUEUE: globalEnv.TEST_POLL_QUEUE };
    const tag = Math.random().toString(36).slice(2);
    const url = await fixtureRoute(`mq-${tag}`, {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('Real queue', [
        { guid: `mq-${tag}`, title: `Delivered by Miniflare ${tag}`, link: `https://mq.test/${tag}`, date: 'Fri, 20 Nov 2026 08:00:00 GMT' },
      ]),
    });
    expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: `mq-${tag}`, url, categories: ['queued'] }) })).status).toBe(201);

    await cron(env); // producer: sends the due source to the real queue
    // Wait (bounded) for the consumer to deliver the item.
    let titles: string[] = [];
    for (let i = 0; i < 100 && !titles.includes(`Delivered by Miniflare ${tag}`); i++) {
      await new Promise((r) => setTimeout(r, 100));
      titles = (await (await call(env, '/feeds/queued.json?limit=100')).json<{ items: { title: string }[] }>()).items.map((i) => i.title);
    }
    expect(titles).toContain(`Delivered by Miniflare ${tag}`);
  });
});
