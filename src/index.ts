// The Worker: HTTP (Hono), the cron trigger, and the queue consumer — one poll step behind all three.
import { app } from './http/app';
import { purgeRivers } from './http/caching';
import { readConfig } from './config';
import type { Env, PollMessage } from './model';
import { pollForQueue, runPoll, runQueueProducer } from './poll/run';

export default {
  fetch: app.fetch,

  async scheduled(_controller, env, ctx) {
    // With a queue bound the cron only merges and dispatches; without one it polls inline (Free plan default).
    const report = env.POLL_QUEUE ? await runQueueProducer(env, env.POLL_QUEUE) : await runPoll(env);
    const base = readConfig(env).publicBaseUrl;
    if (base && report.changedCategories.length) ctx.waitUntil(purgeRivers(base, report.changedCategories));
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
