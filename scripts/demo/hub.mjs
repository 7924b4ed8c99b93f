// A minimal WebSub hub (W3C WebSub, the hub's side of §5–§7), on Node built-ins only. The demo server mounts it at
// /hub, so one demo source can be pushed instead of polled; the bench (bench/websub.mjs) plays the hub with it too.
//   POST <hub>   hub.mode=subscribe|unsubscribe, hub.topic, hub.callback[, hub.lease_seconds, hub.secret] (a form):
//                202 at once, then the intent is verified by a GET to the callback with hub.mode, hub.topic,
//                hub.challenge (and hub.lease_seconds), which must answer 2xx with the challenge, else nothing changes.
//                A topic the hub does not carry is denied the same way (hub.mode=denied, hub.reason).
//   publish()    POSTs a topic's new content to each subscriber, signed X-Hub-Signature: sha256=<HMAC of the body
//                with its hub.secret>, with the Link rel="hub" / rel="self" headers of §7; a 410 ends the subscription.
// Subscriptions are kept in memory and, given `stateFile`, in that JSON file (secrets included: keep it out of git).
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const MAX_FORM_BYTES = 64 * 1024;
const DEFAULT_LEASE_SECONDS = 10 * 24 * 3600;
const MAX_LEASE_SECONDS = 30 * 24 * 3600;
const CALL_TIMEOUT_MS = 10_000;

/**
 * @param {{ url: string, topics?: (topic: string) => boolean, stateFile?: string, log?: (line: string) => void }} options
 *   `url`: the hub's own URL (for the Link header of a push); `topics`: which topics it carries (default: any).
 */
export function createHub({ url, topics = () => true, stateFile, log = () => {} }) {
  /** callback → { topic, callback, secret, leaseSeconds, expiresAt } */
  const subscriptions = new Map(load(stateFile));
  /** Resolvers waiting for a verified subscription to a topic (`whenSubscribed`). */
  const waiting = [];

  function save() {
    if (!stateFile) return;
    mkdirSync(dirname(stateFile), { recursive: true });
    const tmp = `${stateFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify([...subscriptions], null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, stateFile);
  }

  function live(topic, now = Date.now()) {
    return [...subscriptions.values()].filter((s) => s.topic === topic && Date.parse(s.expiresAt) > now);
  }

  /** §5.3 (and §5.2 for a denial): asks the callback to confirm; true when it echoed the challenge. */
  async function verify(form) {
    const mode = form.get('hub.mode');
    const topic = form.get('hub.topic');
    const callback = form.get('hub.callback');
    const query = new URLSearchParams({ 'hub.mode': mode, 'hub.topic': topic });
    if (!topics(topic)) {
      query.set('hub.mode', 'denied');
      query.set('hub.reason', 'this hub does not carry that topic');
      await call(callback, { method: 'GET' }, query).catch(() => undefined);
      log(`hub: denied ${topic} to ${callback}`);
      return false;
    }
    const challenge = randomBytes(16).toString('hex');
    query.set('hub.challenge', challenge);
    const asked = Number(form.get('hub.lease_seconds'));
    const lease = Math.min(MAX_LEASE_SECONDS, asked > 0 ? Math.floor(asked) : DEFAULT_LEASE_SECONDS);
    if (mode === 'subscribe') query.set('hub.lease_seconds', String(lease));
    let res;
    try {
      res = await call(callback, { method: 'GET' }, query);
    } catch (error) {
      log(`hub: ${mode} ${topic}: the callback could not be reached (${error.message})`);
      return false;
    }
    const echoed = res.ok && (await res.text()) === challenge;
    if (!echoed) {
      log(`hub: ${mode} ${topic}: the callback did not confirm (HTTP ${res.status})`);
      return false;
    }
    if (mode === 'subscribe') {
      const secret = form.get('hub.secret') || undefined;
      subscriptions.set(callback, { topic, callback, secret, leaseSeconds: lease, expiresAt: new Date(Date.now() + lease * 1000).toISOString() });
    } else subscriptions.delete(callback);
    save();
    log(`hub: ${mode} ${topic} verified for ${masked(callback)}`);
    for (const w of waiting.splice(0)) if (!w(topic)) waiting.push(w);
    return true;
  }

  /**
   * Handles a request to the hub's URL (POST with a form); false when it is not one (another route's).
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   */
  async function handle(req, res) {
    const text = (status, body) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body === undefined ? undefined : `${body}\n`);
    };
    if (req.method !== 'POST') return text(405, 'a WebSub hub takes POST (hub.mode=subscribe or unsubscribe)');
    let form;
    try {
      form = new URLSearchParams(await readBody(req, MAX_FORM_BYTES));
    } catch (error) {
      return text(413, error.message);
    }
    const mode = form.get('hub.mode');
    const topic = form.get('hub.topic');
    const callback = form.get('hub.callback');
    if (mode !== 'subscribe' && mode !== 'unsubscribe') return text(400, 'hub.mode must be subscribe or unsubscribe');
    if (!topic || !callback || !/^https?:\/\//i.test(callback)) return text(400, 'hub.topic and an http(s) hub.callback are required');
    text(202, 'accepted: the callback will be asked to verify');
    // After the 202 is on its way (§5.3: verification is asynchronous).
    setTimeout(() => void verify(form), 0);
  }

  /**
   * Pushes `body` (the topic's new content) to every live subscriber of `topic`.
   * @returns {Promise<{ callback: string, status: number | string, ms: number }[]>}
   */
  async function publish(topic, body, contentType) {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const results = await Promise.all(
      live(topic).map(async (s) => {
        const headers = { 'content-type': contentType, link: `<${url}>; rel="hub", <${topic}>; rel="self"` };
        if (s.secret) headers['x-hub-signature'] = `sha256=${createHmac('sha256', s.secret).update(bytes).digest('hex')}`;
        const t0 = performance.now();
        let status;
        try {
          const res = await call(s.callback, { method: 'POST', headers, body: bytes });
          await res.arrayBuffer();
          status = res.status;
        } catch (error) {
          status = error.message;
        }
        // §7: 410 Gone ends the subscription.
        if (status === 410) {
          subscriptions.delete(s.callback);
          save();
        }
        return { callback: masked(s.callback), status, ms: Number((performance.now() - t0).toFixed(1)) };
      }),
    );
    for (const r of results) log(`hub: pushed ${bytes.length} B of ${topic} → HTTP ${r.status} in ${r.ms} ms`);
    return results;
  }

  /** Resolves once `topic` has a live, verified subscription (at once if it has one); rejects after `timeoutMs`. */
  function whenSubscribed(topic, timeoutMs = 30_000) {
    if (live(topic).length) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no verified subscription to ${topic} within ${timeoutMs / 1000} s`)), timeoutMs);
      waiting.push((t) => {
        if (t !== topic || !live(topic).length) return false;
        clearTimeout(timer);
        resolve();
        return true;
      });
    });
  }

  /** What the hub knows, without secrets (nor the callbacks' unguessable tails). */
  function list() {
    return [...subscriptions.values()].map(({ secret, callback, ...s }) => ({ ...s, callback: masked(callback), signed: Boolean(secret) }));
  }

  return { url, handle, publish, whenSubscribed, list, subscribers: (topic) => live(topic).length };
}

/** A callback URL without its last path segment's token (a subscriber's unguessable part). */
export function masked(callback) {
  return callback.replace(/\/[^/]{16,}$/, '/…');
}

function load(stateFile) {
  if (!stateFile) return [];
  try {
    const entries = JSON.parse(readFileSync(stateFile, 'utf8'));
    return Array.isArray(entries) ? entries.filter((e) => Array.isArray(e) && e[1]?.callback === e[0]) : [];
  } catch {
    return [];
  }
}

function call(target, init, query) {
  const u = new URL(target);
  if (query) for (const [k, v] of query) u.searchParams.append(k, v);
  return fetch(u, { ...init, redirect: 'manual', signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
}

/** The request body as text; over `max` bytes it is drained and refused (the answer still reaches the client). */
function readBody(req, max) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.once('end', () => (size > max ? reject(new Error(`body over ${max} bytes`)) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.once('error', reject);
  });
}
