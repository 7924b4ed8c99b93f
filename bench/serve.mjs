// Part 4 of `npm run bench`: requests/s and latency of the Worker under `wrangler dev`, loaded by autocannon.
// Builds the Worker once (wrangler deploy --dry-run), starts the bench origin and wrangler dev on that bundle (own
// process group, fresh local state: bench/wrangler.mjs), waits until the Worker and its Durable Objects answer, registers sources through
// the admin API (OPML import) and polls once, measures, and stops everything it started. Every scenario's answers are
// checked (status, errors, a non-zero rate); a scenario with wrong answers is retried once, then the bench stops with
// the Worker's log. 5xx answers are reported with what the Worker logged.
//   baseline  GET /nope                               the 404 JSON of an unknown path: no KV, no cache (the Worker
//                                                     has no static route; this is the cheapest thing it answers)
//   cached    GET /feeds/news.rss                     Cache API hit: no KV read, no render
//   304       GET /feeds/news.rss + If-None-Match     Cache API hit answered 304
//   miss      GET /feeds/news.rss?before=<unique>     a distinct cache key per request: KV read + select + render
//                                                     (the cursor is newer than every item: a full 50-item page)
import autocannon from 'autocannon';
import { startOrigin } from './origin.mjs';
import { startWorker } from './wrangler.mjs';

const SOURCES = 8;

function load(opts) {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** One autocannon run of a scenario, summarized. */
async function loadOnce(name, base, { path, headers = {}, unique }, seconds, connections) {
  let n = 0;
  const requests = unique ? [{ setupRequest: (req) => ({ ...req, path: unique(n++) }) }] : undefined;
  const opts = { url: base + path, headers, connections, requests };
  const r = await load({ ...opts, duration: seconds });
  const statuses = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]));
  return {
    name,
    path: unique ? unique('…') : path,
    requestsPerSec: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, mean: Number(r.latency.average.toFixed(2)) },
    total: r.requests.total,
    bytesPerResponse: r.requests.total ? Math.round(r.throughput.total / r.requests.total) : 0,
    statuses,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

/** What is wrong with a measured run, or null: every answer must have the scenario's status, and there must be answers. */
function problemOf(m, expected) {
  const wrong = Object.entries(m.statuses).filter(([k]) => Number(k) !== expected);
  if (m.total === 0 || m.requestsPerSec === 0) return `no answers (${m.errors} errors/timeouts)`;
  if (m.errors > 0) return `${m.errors} connection errors or timeouts`;
  if (wrong.length) return `unexpected statuses ${wrong.map(([k, v]) => `${k}×${v}`).join(', ')} (expected ${expected} only)`;
  return null;
}

/** One scenario: a short warm-up run (discarded), then the measured run; a run with wrong answers is retried once. */
async function scenario(name, base, spec, seconds, connections, { expected, check, onProblem }) {
  for (let attempt = 1; ; attempt++) {
    await loadOnce(name, base, spec, 1, connections);
    const m = await loadOnce(name, base, spec, seconds, connections);
    const problem = problemOf(m, expected);
    if (!problem) return { ...m, attempts: attempt };
    await onProblem(name, spec, m, problem, attempt);
    if (attempt >= 2) throw new Error(`serving scenario "${name}" failed twice: ${problem}`);
    await check();
  }
}

/** Stack traces and error lines of the Worker in wrangler's output (what a 500 left behind). */
function errorLines(output) {
  const lines = output.split('\n');
  const out = [];
  lines.forEach((l, i) => {
    if (/unhandled error|✘|\bError\b|exception|Uncaught/i.test(l)) out.push(lines.slice(i, i + 12).join('\n'));
  });
  return [...new Set(out)].slice(-5);
}

export async function benchServing({ root, workDir, seconds = 4, rounds = 2, connections = 10, log = () => {} }) {
  const origin = await startOrigin();
  let worker;
  const serverErrors = [];
  try {
    worker = await startWorker({
      root,
      workDir,
      name: 'serve',
      // One local host serves every source: no per-host spacing in the seeding poll.
      vars: { PRIVATE_SOURCE_ORIGINS: origin.origin, HOST_SPACING_MS: '0' },
      log,
    });
    const { base, admin, waitReady, tail, debugTail } = worker;
    const output = () => worker.output();
    const gone = () => worker.gone();
    const outlines = Array.from({ length: SOURCES }, (_, i) => `<outline type="rss" text="Source ${i}" xmlUrl="${origin.origin}/src/${i}.xml"/>`).join('');
    await admin(
      'POST',
      '/admin/opml',
      `<?xml version="1.0"?><opml version="2.0"><head><title>b</title></head><body><outline text="News">${outlines}</outline></body></opml>`,
      'text/x-opml',
    );
    const poll = await admin('POST', '/admin/poll?force=1');
    const fresh = poll.results.filter((r) => r.outcome === 'fresh').length;
    if (fresh !== SOURCES) throw new Error(`seeding poll: ${fresh} of ${SOURCES} sources fresh: ${JSON.stringify(poll.results).slice(0, 500)}`);

    const feedPath = '/feeds/news.rss';
    const first = await fetch(base + feedPath);
    const feedBytes = (await first.arrayBuffer()).byteLength;
    const etag = first.headers.get('etag');
    if (first.status !== 200 || !etag) throw new Error(`GET ${feedPath}: HTTP ${first.status}, etag ${etag}\n${tail()}`);
    await new Promise((r) => setTimeout(r, 300)); // the cache put runs after the response (waitUntil)
    const check304 = await fetch(base + feedPath, { headers: { 'if-none-match': etag } });
    await check304.arrayBuffer();
    if (check304.status !== 304) throw new Error(`conditional GET answered ${check304.status}, not 304`);
    const missProbe = await fetch(`${base}${feedPath}?before=9999999999999.${Date.now().toString(16)}`);
    const missBody = await missProbe.text();
    if (missProbe.status !== 200 || !missBody.includes('<item>'))
      throw new Error(`cache-miss probe answered ${missProbe.status}: ${missBody.slice(0, 300)}\n${tail()}`);

    // Rounds of every scenario in turn, so drift on a shared machine hits all of them; ratios are taken per round.
    let salt = Date.now();
    const scenarios = [
      ['baseline (404 JSON, no KV)', { path: '/nope' }, 404],
      ['cached feed (Cache API hit)', { path: feedPath }, 200],
      ['304 (If-None-Match)', { path: feedPath, headers: { 'if-none-match': etag } }, 304],
      // Each request its own cache key: a cursor newer than every item (a full 50-item page from the KV page).
      [
        'cache miss (KV page + render)',
        { path: feedPath, unique: (n) => `${feedPath}?before=9999999999999.${typeof n === 'number' ? (salt + n).toString(16) : n}` },
        200,
      ],
    ];
    const onProblem = async (name, spec, m, problem, attempt) => {
      // Look at one answer of the failing route, and at what the Worker logged.
      const path = spec.unique ? spec.unique(1e9 + attempt) : spec.path;
      let sample = '';
      try {
        const r = await fetch(base + path, { headers: spec.headers ?? {}, signal: AbortSignal.timeout(10_000) });
        sample = `HTTP ${r.status} ${(await r.text()).slice(0, 300)}`;
      } catch (e) {
        sample = `request failed: ${e.message}`;
      }
      const entry = {
        scenario: name,
        attempt,
        problem,
        statuses: m.statuses,
        errors: m.errors,
        sample,
        workerLog: errorLines(output()),
        wranglerAlive: !gone(),
        debugLog: gone() ? debugTail() : undefined,
      };
      serverErrors.push(entry);
      log(`serving: "${name}" attempt ${attempt}: ${problem}; sample ${sample}; wrangler ${gone() ? 'exited' : 'alive'}`);
      for (const l of entry.workerLog) log(`  worker log: ${l.split('\n').join('\n    ')}`);
      salt += 1e6;
    };
    log(`load: ${rounds} rounds × ${scenarios.length} scenarios × ${seconds} s, ${connections} connections …`);
    const measured = [];
    for (let round = 0; round < rounds; round++) {
      for (const [name, spec, expected] of scenarios) {
        measured.push({ round, ...(await scenario(name, base, spec, seconds, connections, { expected, check: () => waitReady('retry', 60_000), onProblem })) });
      }
    }
    const median = (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    };
    const baselineOf = (round) => measured.find((m) => m.round === round && m.name === scenarios[0][0]);
    const summary = scenarios.map(([name, , expected]) => {
      const mine = measured.filter((m) => m.name === name);
      return {
        name,
        path: mine[0].path,
        expectedStatus: expected,
        requestsPerSec: Math.round(median(mine.map((m) => m.requestsPerSec))),
        latencyMs: {
          p50: median(mine.map((m) => m.latencyMs.p50)),
          p99: median(mine.map((m) => m.latencyMs.p99)),
          mean: median(mine.map((m) => m.latencyMs.mean)),
        },
        statuses: mine.reduce((acc, m) => {
          for (const [k, v] of Object.entries(m.statuses)) acc[k] = (acc[k] ?? 0) + v;
          return acc;
        }, {}),
        errors: mine.reduce((n, m) => n + m.errors, 0),
        retried: mine.some((m) => m.attempts > 1),
        bytesPerResponse: mine[0].bytesPerResponse,
        // Baseline throughput ÷ this scenario's, round by round: 1.0 = as fast as the route that does nothing.
        baselineOverThis: Number(median(mine.map((m) => baselineOf(m.round).requestsPerSec / m.requestsPerSec)).toFixed(2)),
        // This scenario's mean latency ÷ the baseline's, round by round: the time of a request relative to the static route.
        meanLatencyOverBaseline: Number(median(mine.map((m) => m.latencyMs.mean / baselineOf(m.round).latencyMs.mean)).toFixed(2)),
        p99OverBaseline: Number(median(mine.map((m) => m.latencyMs.p99 / baselineOf(m.round).latencyMs.p99)).toFixed(2)),
      };
    });
    const workerErrors = errorLines(output());
    return {
      wrangler: base,
      sources: SOURCES,
      feedBytes,
      itemsPerPage: 50,
      seconds,
      rounds,
      connections,
      runs: summary,
      measured,
      serverErrors,
      workerErrorsInLog: workerErrors,
    };
  } finally {
    await worker?.stop();
    await origin.close();
  }
}
