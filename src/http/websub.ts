// The WebSub callback (subscriber side, W3C WebSub §5.3 and §7): GET verifies our intent or tells of a denial, POST
// brings the hub's content. Each subscription has its own unguessable URL; anything we did not ask for is 404 or 410.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { readConfig } from '../config';
import type { AppEnv } from '../model';
import { pushSource } from '../poll/run';
import { signatureValid } from '../poll/websub';
import { deploymentOf, directoryOf } from '../store/objects';
import { announceChanges } from './announce';
import { baseUrlOf } from './public';

export const websubRoutes = new Hono<AppEnv>();

const NO_STORE = { 'Cache-Control': 'no-store' };

websubRoutes.get('/:source/:token', async (c) => {
  const q = (name: string) => c.req.query(`hub.${name}`);
  const mode = q('mode');
  const challenge = q('challenge');
  if ((mode === 'subscribe' || mode === 'unsubscribe') && !challenge) return c.text('hub.challenge is missing', 400, NO_STORE);
  const lease = Number(q('lease_seconds'));
  const d = deploymentOf(c.env);
  const answer = await directoryOf(c.env, d).verifySubscription(d, c.req.param('source'), c.req.param('token'), {
    mode,
    topic: q('topic'),
    leaseSeconds: Number.isFinite(lease) ? lease : undefined,
    reason: q('reason'),
  });
  if (answer === 'challenge') return c.text(challenge!, 200, NO_STORE);
  if (answer === 'ok') return c.body(null, 204, NO_STORE);
  return c.text('no such subscription', 404, NO_STORE);
});

// A push is capped like a poll's body, judged before it is read whole.
websubRoutes.post('/:source/:token', (c, next) =>
  bodyLimit({ maxSize: readConfig(c.env).maxBodyBytes, onError: (cx) => cx.text('push over the body size limit: nothing was read', 413, NO_STORE) })(c, next),
);

websubRoutes.post('/:source/:token', async (c) => {
  const d = deploymentOf(c.env);
  const target = await directoryOf(c.env, d).pushTarget(d, c.req.param('source'), c.req.param('token'));
  // 410 tells the hub this subscription is over (§7).
  if (!target) return c.text('no live subscription here', 410, NO_STORE);
  const body = new Uint8Array(await c.req.arrayBuffer());
  // A missing or wrong signature is acknowledged and dropped (§8): the hub must not learn which it was.
  if (!(await signatureValid(c.req.header('x-hub-signature') ?? null, target.secret, body))) {
    console.warn(`WebSub push for "${target.task.source.id}" dropped: missing or wrong X-Hub-Signature`);
    return c.body(null, 202, NO_STORE);
  }
  const pushed = await pushSource(c.env, d, target.task, { body, contentType: c.req.header('content-type') });
  const config = readConfig(c.env);
  await announceChanges({ base: baseUrlOf(c, config), prefix: d.prefix }, config.websubHub, pushed.changedCategories);
  return c.body(null, 202, NO_STORE);
});
