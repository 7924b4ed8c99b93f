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

  async queue(batch, env) {
    const ids = batch.messages.map((m) => m.body.sourceId);
    const results = await pollForQueue(env, ids);
    // Retries are for the platform's failures; a source's own failure is recorded in its state and backoff.
    for (const m of batch.messages) m.ack();
    const failed = results.filter((r) => r.outcome === 'failed').length;
    if (failed) console.log(`queue batch: ${failed} of ${results.length} sources failed (see /status)`);
  },
} satisfies ExportedHandler<Env, PollMessage>;
