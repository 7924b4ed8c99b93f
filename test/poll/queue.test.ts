// Queue mode end to end: the cron producer sends due sources, the real queue handler polls them and leaves
// snapshots, the next cron run merges them — the same results as an inline run.
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

describe('queue mode', () => {
  it('produces, consumes and merges with the same outcome as inline mode', async () => {
    const { queue, sent } = recordingQueue();
    const { env, counts, resetCounts } = isolatedEnv({ POLL_QUEUE: queue });
    const tag = Math.random().toString(36).slice(2);
    const good = await fixtureRoute(`q-good-${tag}`, {
      headers: { 'content-type': 'application/rss+xml', etag: '"q1"' },
      conditional: true,
      body: rss('Queue source', [{ guid: 'q1', title: 'Polled through the queue consumer', link: 'https://q.test/1', date: 'Fri, 20 Nov 2026 08:00:00 GMT' }]),
    });
    const bad = await fixtureRoute(`q-bad-${tag}`, { status: 500, body: 'oops' });
    for (const [id, url] of [['good', good], ['bad', bad]]) {
      expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id, url, categories: ['news'] }) })).status).toBe(201);
    }

    await cron(env); // producer: nothing to merge yet, sends both due sources
    expect(sent.map((m) => m.body.sourceId).sort()).toEqual(['bad', 'good']);

    const batch = createMessageBatch<PollMessage>('tributary-poll', sent.map((m, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body: m.body })));
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.ackAll).toBe(true);
    expect(result.retryBatch.retry).toBe(false);
    // Consumers write one snapshot per changed source and nothing else.
    expect(counts.writtenKeys.filter((k) => k.startsWith('snap:')).sort()).toEqual(['snap:bad', 'snap:good']);

    sent.length = 0;
    resetCounts();
    await cron(env); // merges the snapshots, sends nothing that is not due
    expect(counts.writtenKeys.sort()).toEqual(['river:all', 'river:news', 'state']);
    const feed = await (await call(env, '/feeds/news.json')).json<{ items: { title: string }[] }>();
    expect(feed.items.map((i) => i.title)).toEqual(['Polled through the queue consumer']);
    const status = await (await call(env, '/status.json')).json<{ sources: { id: string; lastError: string | null; lastStatus: number | null }[] }>();
    const byId = Object.fromEntries(status.sources.map((s) => [s.id, s]));
    expect(byId.bad.lastError).toMatch(/HTTP 500/);
    expect(byId.good.lastStatus).toBe(200);
    expect(sent).toEqual([]);

    // A second merge of the same snapshots changes nothing and writes nothing.
    resetCounts();
    await cron(env);
    expect(counts.writes).toBe(0);
  });
});

describe('queue mode on a real Miniflare queue', () => {
  it('the cron producer sends to the queue, Miniflare delivers to the Worker consumer, the next cron merges', async () => {
    // The consumer runs with the Worker's own bindings (the shared, unscoped KV): this is the one test that uses them.
    const globalEnv = workerEnv as unknown as Env & { TEST_POLL_QUEUE: Queue<PollMessage> };
    const env: Env = { ...globalEnv, POLL_QUEUE: globalEnv.TEST_POLL_QUEUE, PUBLIC_BASE_URL: 'https://queue.tributary.test' };
    const tag = Math.random().toString(36).slice(2);
    const url = await fixtureRoute(`mq-${tag}`, {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('Real queue', [{ guid: `mq-${tag}`, title: `Delivered by Miniflare ${tag}`, link: `https://mq.test/${tag}`, date: 'Fri, 20 Nov 2026 08:00:00 GMT' }]),
    });
    expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: `mq-${tag}`, url, categories: ['queued'] }) })).status).toBe(201);

    await cron(env); // producer: sends the due source to the real queue
    // Wait (bounded) for the consumer to leave its snapshot.
    let snap: unknown = null;
    for (let i = 0; i < 100 && !snap; i++) {
      await new Promise((r) => setTimeout(r, 100));
      snap = await globalEnv.TRIBUTARY.get(`snap:mq-${tag}`);
    }
    expect(snap).not.toBeNull();

    await cron(env); // merges the snapshot
    const feed = await (await call(env, '/feeds/queued.json')).json<{ items: { title: string }[] }>();
    expect(feed.items.map((i) => i.title)).toContain(`Delivered by Miniflare ${tag}`);
  });
});
