// Part 5 of `npm run bench` (alone: `npm run bench -- --websub`): push-to-served latency under `wrangler dev`.
// One 100 KB source (the bench origin's shape) whose feed names a real HTTP hub (scripts/demo/hub.mjs, the demo's own,
// on a free port); the Worker runs with PUBLIC_BASE_URL at its own origin, so after the seeding poll the Directory's
// alarm subscribes and the hub verifies the callback (GET with hub.challenge). Then `pushes` times: the source gains a
// story, the hub POSTs the new feed to the callback signed with the subscription's secret (X-Hub-Signature: sha256),
// and the category's JSON Feed is read until the story is in it. Measured from the hub starting its POST to the first
// read that shows the story, through the real handler (the callback route, the Feed and River objects, KV, the
// purge; the JSON Feed through the serve path, cached before each push as readers keep it warm). Pushes are spaced
// by more than KV_WRITE_GAP_MS (1 s), the least gap between two writes of a river's page; no poll runs meanwhile
// (the origin's tally is checked).
import { createServer } from 'node:http';
import { createHub } from '../scripts/demo/hub.mjs';
import { newestStory, sourceTopic } from './generate.mjs';
import { startOrigin } from './origin.mjs';
import { HOST, freePort, startWorker } from './wrangler.mjs';

const SOURCE = 0;
const CATEGORY = 'news';
const SPACING_MS = 1200;
const SERVED_TIMEOUT_MS = 10_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, d = 1) => Number(x.toFixed(d));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const spread = (xs) => ({ median: round(median(xs)), p95: round(percentile(xs, 95)), min: round(Math.min(...xs)), max: round(Math.max(...xs)) });

async function startHub(log) {
  const port = await freePort();
  const url = `http://${HOST}:${port}/hub`;
  const hub = createHub({ url, log });
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', url).pathname === '/hub') hub.handle(req, res).catch(() => res.destroy());
    else res.writeHead(404).end();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, resolve);
  });
  return {
    hub,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The category's JSON Feed items, and whether one is story `n` of the source. */
async function servedStory(base, n) {
  const res = await fetch(`${base}/feeds/${CATEGORY}.json`, { signal: AbortSignal.timeout(5_000) });
  const feed = await res.json();
  return (feed.items ?? []).some((i) => String(i.url ?? '').includes(`/src${SOURCE}/story-${n}`));
}

export async function benchWebSub({ root, workDir, pushes = 20, log = () => {} }) {
  const hubLog = [];
  const { hub, close: closeHub } = await startHub((line) => hubLog.push(line));
  const origin = await startOrigin({ hub: { url: hub.url, pushing: (i) => i === SOURCE } });
  const topic = sourceTopic(SOURCE);
  let worker;
  try {
    worker = await startWorker({ root, workDir, name: 'websub', vars: { PRIVATE_SOURCE_ORIGINS: origin.origin, HOST_SPACING_MS: '0' }, log });
    const { base, admin, tail } = worker;
    await admin(
      'POST',
      '/admin/opml',
      `<?xml version="1.0"?><opml version="2.0"><head><title>b</title></head><body><outline text="News"><outline type="rss" text="Source ${SOURCE}" xmlUrl="${origin.origin}/src/${SOURCE}.xml"/></outline></body></opml>`,
      'text/x-opml',
    );
    const t0 = performance.now();
    const poll = await admin('POST', '/admin/poll?force=1');
    if (poll.results.filter((r) => r.outcome === 'fresh').length !== 1) throw new Error(`seeding poll: ${JSON.stringify(poll.results).slice(0, 300)}`);
    log('websub: waiting for the Directory to subscribe and the hub to verify …');
    try {
      await hub.whenSubscribed(topic, 60_000);
    } catch (e) {
      throw new Error(`${e.message}\nhub: ${hubLog.join('\n')}\n${tail()}`);
    }
    const subscribedMs = performance.now() - t0;
    const status = await (await fetch(`${base}/status.json`)).json();
    const state = status.sources?.[0]?.subscription?.state;
    if (state !== 'active') throw new Error(`/status.json: subscription ${JSON.stringify(status.sources?.[0]?.subscription)}`);

    log(`websub: ${pushes} pushes, ${SPACING_MS} ms apart …`);
    // The seeding poll wrote the river's page a moment ago: the first push must not wait out KV's write gap either.
    await sleep(SPACING_MS);
    const polledBefore = origin.sources.served[200] + origin.sources.served[304];
    const served = [];
    const posts = [];
    const reads = [];
    let bodyBytes = 0;
    for (let i = 0; i < pushes; i++) {
      // Readers keep the feed cached: the push must purge it, not find it cold.
      await servedStory(base, -1);
      origin.sources.bump({ ids: [SOURCE] });
      const n = newestStory(origin.sources.generation.get(SOURCE), origin.sources.shapeOf(SOURCE));
      const body = origin.sources.body(SOURCE);
      bodyBytes = body.length;
      const start = performance.now();
      const [delivery] = await hub.publish(topic, body, 'application/rss+xml; charset=utf-8');
      if (delivery?.status !== 202) throw new Error(`push ${i + 1}: the callback answered ${delivery?.status}\n${tail()}`);
      posts.push(performance.now() - start);
      let read = 0;
      for (;;) {
        read++;
        if (await servedStory(base, n)) break;
        if (performance.now() - start > SERVED_TIMEOUT_MS) throw new Error(`push ${i + 1}: story ${n} not served after ${SERVED_TIMEOUT_MS} ms\n${tail()}`);
        await sleep(5);
      }
      served.push(performance.now() - start);
      reads.push(read);
      await sleep(SPACING_MS);
    }
    const polled = origin.sources.served[200] + origin.sources.served[304] - polledBefore;
    const after = (await (await fetch(`${base}/status.json`)).json()).sources?.[0];
    return {
      wrangler: base,
      pushes,
      spacingMs: SPACING_MS,
      feedBytes: bodyBytes,
      category: CATEGORY,
      // From the seeding poll's start to the hub's verified subscription (the Directory's alarm follows the poll).
      subscribedMs: round(subscribedMs),
      pushToServedMs: spread(served),
      hubPostMs: spread(posts),
      readsUntilServed: { median: median(reads), max: Math.max(...reads) },
      pollsDuringPushes: polled,
      lastOutcome: after?.lastOutcome,
      subscription: after?.subscription ? { state: after.subscription.state, lastPushAt: after.subscription.lastPushAt } : null,
      samples: { pushToServedMs: served.map((x) => round(x)), hubPostMs: posts.map((x) => round(x)) },
    };
  } finally {
    await worker?.stop();
    await origin.close();
    await closeHub();
  }
}
