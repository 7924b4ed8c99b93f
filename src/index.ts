// The Worker: HTTP (Hono), the cron trigger, and the queue consumer — one poll step behind all three.
import { app } from './http/app';
import { announceChanges } from './http/announce';
import { readConfig } from './config';
import type { Env, PollMessage } from './model';
import { pollForQueue, runPoll, runQueueProducer } from './poll/run';

export default {
  fetch: app.fetch,

  async scheduled(_controller, env, ctx) {
    // With a queue bound the cron only merges and dispatches; without one it polls inline (Free plan default).
    const report = env.POLL_QUEUE ? await runQueueProducer(env, env.POLL_QUEUE) : await runPoll(env);
    const config = readConfig(env);
    // Without PUBLIC_BASE_URL a cron run cannot know our public URLs: nothing to purge or announce.
    if (config.publicBaseUrl) ctx.waitUntil(announceChanges(config.publicBaseUrl, config.websubHub, report.changedCategories));
  },

  async queue(batch, env, _ctx) {
    const ids = batch.messages.map((m) => m.body.sourceId);
    try {
      const results = await pollForQueue(env, ids);
      // A source's own failure is recorded in its state and backoff (see /status): the message is done.
      batch.ackAll();
      const failed = results.filter((r) => r.outcome === 'failed').length;
      if (failed) console.log(`queue batch: ${failed} of ${results.length} sources failed (see /status)`);
    } catch (err) {
      // The platform failed us (KV, runtime): try the batch again later; max_retries then the dead-letter queue.
      console.error('queue batch failed, retrying', err);
      batch.retryAll({ delaySeconds: 60 * Math.min(10, batch.messages[0]?.attempts ?? 1) });
    }
  },
} satisfies ExportedHandler<Env, PollMessage>;
