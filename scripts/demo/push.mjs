// Pushes a new story through the demo's WebSub hub and watches it arrive, with `npm start` running:
//   npx node scripts/demo/push.mjs [--title "…"] [--category <slug>] [--worker http://127.0.0.1:8787]
// The demo server (127.0.0.1:8799) puts a new Vietnamese story on top of the hub-backed feed (catalog.mjs `hub: true`)
// and its hub POSTs the new feed, signed with each subscriber's hub.secret, to every subscriber's callback; then this
// reads the category's JSON Feed from the Worker until the story is there. No poll is involved: the time printed is
// from the push to the story being served.
import { DEMO_ORIGIN, HUB_URL, SOURCES } from './catalog.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const source = SOURCES.find((s) => s.hub);
const worker = arg('worker', 'http://127.0.0.1:8787').replace(/\/+$/, '');
const category = arg('category', source.categories[0]);
const title = arg('title', '');
const WAIT_MS = 15_000;

async function main() {
  const query = new URLSearchParams({ source: source.id, ...(title ? { title } : {}) });
  const t0 = performance.now();
  let res;
  try {
    res = await fetch(`${HUB_URL}/publish?${query}`, { method: 'POST', signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    console.error(`no demo server on ${DEMO_ORIGIN} (${error.cause?.code ?? error.message}): start it with npm start.`);
    process.exit(1);
  }
  if (!res.ok) {
    console.error(`POST ${HUB_URL}/publish: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    process.exit(1);
  }
  const pushed = await res.json();
  const pushMs = performance.now() - t0;
  console.log(`new story on ${source.id}: ${pushed.story.title}`);
  console.log(`  ${pushed.story.link}`);
  if (!pushed.deliveries.length) {
    console.error(`the hub has no verified subscriber for ${pushed.topic}: the story waits for the next poll.`);
    console.error(`  Is npm start running, and is the subscription active? ${worker}/status.json (source "${source.id}", subscription.state)`);
    console.error(`  The hub's side: ${HUB_URL}`);
    process.exit(1);
  }
  for (const d of pushed.deliveries) console.log(`  hub → ${d.callback}: HTTP ${d.status} in ${d.ms} ms`);

  const feed = `${worker}/feeds/${category}.json`;
  const deadline = performance.now() + WAIT_MS;
  let reads = 0;
  while (performance.now() < deadline) {
    reads++;
    try {
      const r = await fetch(feed, { headers: { accept: 'application/feed+json' }, signal: AbortSignal.timeout(5_000) });
      const items = r.ok ? ((await r.json()).items ?? []) : [];
      if (items.some((i) => i.title === pushed.story.title)) {
        const ms = performance.now() - t0;
        console.log(
          `served in ${feed} ${ms.toFixed(0)} ms after the push (the push itself ${pushMs.toFixed(0)} ms; ${reads} read${reads > 1 ? 's' : ''} of the feed), no poll`,
        );
        return;
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 25));
  }
  console.error(`not in ${feed} after ${WAIT_MS / 1000} s (${reads} reads): see the [wrangler] lines of npm start, and ${worker}/status.json`);
  process.exit(1);
}

main();
