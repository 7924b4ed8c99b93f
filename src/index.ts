// The Worker: HTTP (Hono), the cron trigger, and the queue consumer — one poll step behind all three — and the
// Durable Objects that own what is stored (docs/storage.md).
import { app } from './http/app';
import { announceChanges } from './http/announce';
import { readConfig } from './config';
import type { Env, PollMessage } from './model';
import { pollForQueue, runPoll, runQueueProducer } from './poll/run';
import { deploymentOf } from './store/objects';

export { Directory } from './store/directory';
export { Feed } from './store/feed';
export { River } from './store/river';
export { Gate } from './store/gate';

export default {
  fetch: app.fetch,

  async scheduled(_controller, env, ctx) {
    // With a queue bound the cron only dispatches (consumers announce what they change); else it polls inline.
    if (env.POLL_QUEUE) {
      await runQueueProducer(env, env.POLL_QUEUE);
      return;
    }
    const report = await runPoll(env);
    const config = readConfig(env);
    // Without PUBLIC_BASE_URL a cron run cannot know our public URLs: nothing to purge or announce.
    if (config.publicBaseUrl)
      ctx.waitUntil(announceChanges({ base: config.publicBaseUrl, prefix: deploymentOf(env).prefix }, config.websubHub, report.changedCategories));
  },

  async queue(batch, env, ctx) {
    const ids = batch.messages.flatMap((m) => m.body.sourceIds ?? (m.body.sourceId ? [m.body.sourceId] : []));
    try {
      const { results, changedCategories } = await pollForQueue(env, ids);
      // A source's own failure is recorded in its state and backoff (see /status): the message is done.
      batch.ackAll();
      const config = readConfig(env);
      if (config.publicBaseUrl)
        ctx.waitUntil(announceChanges({ base: config.publicBaseUrl, prefix: deploymentOf(env).prefix }, config.websubHub, changedCategories));
      const failed = results.filter((r) => r.outcome === 'failed').length;
      if (failed) console.log(`queue batch: ${failed} of ${results.length} sources failed (see /status)`);
    } catch (err) {
      // The platform failed us (a Durable Object, the runtime): try the batch again later; max_retries then the DLQ.
      console.error('queue batch failed, retrying', err);
      batch.retryAll({ delaySeconds: 60 * Math.min(10, batch.messages[0]?.attempts ?? 1) });
    }
  },
} satisfies ExportedHandler<Env, PollMessage>;
