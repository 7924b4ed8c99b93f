// Part 4 of `npm run bench`: requests/s and latency of the Worker under `wrangler dev`, loaded by autocannon.
// Starts the bench origin and wrangler dev (own process group, fresh local KV), registers sources through the
// admin API (OPML import) and polls once, measures, and stops everything it started.
//   baseline  GET /nope                               the 404 JSON of an unknown path: no KV, no cache (the Worker
//                                                     has no static route; this is the cheapest thing it answers)
//   cached    GET /feeds/news.rss                     Cache API hit: no KV read, no render
//   304       GET /feeds/news.rss + If-None-Match     Cache API hit answered 304
//   miss      GET /feeds/news.rss?before=<unique>     a distinct cache key per request: KV read + select + render
//                                                     (the cursor is newer than every item: a full 50-item page)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startOrigin } from './origin.mjs';

const HOST = '127.0.0.1';
const SOURCES = 8;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopGroup(child, exited) {
  if (!child?.pid || !groupAlive(child.pid)) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {}
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
  for (let i = 0; i < 20 && groupAlive(child.pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(child.pid)) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
}

function load(opts) {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** One scenario: a short warm-up run (discarded), then the measured run. */
async function scenario(name, base, { path, headers = {}, unique }, seconds, connections) {
  let n = 0;
  const requests = unique ? [{ setupRequest: (req) => ({ ...req, path: unique(n++) }) }] : undefined;
  const opts = { url: base + path, headers, connections, requests };
  await load({ ...opts, duration: 1 });
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
  };
}

export async function benchServing({ root, workDir, seconds = 4, rounds = 2, connections = 10, log = () => {} }) {
  const origin = await startOrigin();
  const port = await freePort();
  const base = `http://${HOST}:${port}`;
  const token = `bench-${randomBytes(12).toString('hex')}`;
  const stateDir = join(workDir, 'wrangler-state');
  const envFile = join(workDir, 'serve.env');
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  writeFileSync(envFile, `ADMIN_TOKEN=${token}\n`, { mode: 0o600 });

  let child;
  let exited;
  let output = '';
  try {
    child = spawn(
      process.execPath,
      [
        join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
        'dev',
        '--ip', HOST,
        '--port', String(port),
        '--persist-to', stateDir,
        '--env-file', envFile,
        '--var', `PRIVATE_SOURCE_ORIGINS:${origin.origin}`,
        '--var', `PUBLIC_BASE_URL:${base}`,
        // One local host serves every source: no per-host spacing in the seeding poll.
        '--var', 'HOST_SPACING_MS:0',
        '--show-interactive-dev-session=false',
        // Request logging on stdout would be part of every measured request.
        '--log-level', 'warn',
      ],
      {
        cwd: root,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    exited = new Promise((r) => child.once('exit', r));
    const keep = (d) => (output = (output + d).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);

    log(`starting wrangler dev on ${base} …`);
    const deadline = Date.now() + 120_000;
    let ready = false;
    let gone = false;
    exited.then(() => (gone = true));
    while (!ready && !gone && Date.now() < deadline) {
      try {
        const r = await fetch(`${base}/nope`, { signal: AbortSignal.timeout(2000) });
        await r.arrayBuffer();
        ready = r.status === 404;
      } catch {
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    if (!ready) throw new Error(`wrangler dev did not answer on ${base}: ${output.slice(-1500)}`);

    const admin = async (method, path, body, type = 'application/json') => {
      const r = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${text.slice(0, 300)}`);
      return JSON.parse(text);
    };
    const outlines = Array.from({ length: SOURCES }, (_, i) => `<outline type="rss" text="Source ${i}" xmlUrl="${origin.origin}/src/${i}.xml"/>`).join('');
    await admin('POST', '/admin/opml', `<?xml version="1.0"?><opml version="2.0"><head><title>b</title></head><body><outline text="News">${outlines}</outline></body></opml>`, 'text/x-opml');
    const poll = await admin('POST', '/admin/poll?force=1');
    const fresh = poll.results.filter((r) => r.outcome === 'fresh').length;
    if (fresh !== SOURCES) throw new Error(`seeding poll: ${fresh} of ${SOURCES} sources fresh: ${JSON.stringify(poll.results).slice(0, 500)}`);

    const feedPath = '/feeds/news.rss';
    const first = await fetch(base + feedPath);
    const feedBytes = (await first.arrayBuffer()).byteLength;
    const etag = first.headers.get('etag');
    if (first.status !== 200 || !etag) throw new Error(`GET ${feedPath}: HTTP ${first.status}, etag ${etag}`);
    await new Promise((r) => setTimeout(r, 300)); // the cache put runs after the response (waitUntil)
    const check = await fetch(base + feedPath, { headers: { 'if-none-match': etag } });
    await check.arrayBuffer();
    if (check.status !== 304) throw new Error(`conditional GET answered ${check.status}, not 304`);

    // Rounds of every scenario in turn, so drift on a shared machine hits all of them; ratios are taken per round.
    const scenarios = [
      ['baseline (404 JSON, no KV)', { path: '/nope' }],
      ['cached feed (Cache API hit)', { path: feedPath }],
      ['304 (If-None-Match)', { path: feedPath, headers: { 'if-none-match': etag } }],
      ['cache miss (KV read + render)', { path: feedPath, unique: (n) => `${feedPath}?before=9999999999999.${typeof n === 'number' ? n.toString(16) : n}` }],
    ];
    log(`load: ${rounds} rounds × ${scenarios.length} scenarios × ${seconds} s, ${connections} connections …`);
    const measured = [];
    for (let round = 0; round < rounds; round++) {
      for (const [name, spec] of scenarios) measured.push({ round, ...(await scenario(name, base, spec, seconds, connections)) });
    }
    const median = (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    };
    const baselineOf = (round) => measured.find((m) => m.round === round && m.name === scenarios[0][0]);
    const summary = scenarios.map(([name]) => {
      const mine = measured.filter((m) => m.name === name);
      return {
        name,
        path: mine[0].path,
        requestsPerSec: Math.round(median(mine.map((m) => m.requestsPerSec))),
        latencyMs: { p50: median(mine.map((m) => m.latencyMs.p50)), p99: median(mine.map((m) => m.latencyMs.p99)) },
        statuses: mine.reduce((acc, m) => {
          for (const [k, v] of Object.entries(m.statuses)) acc[k] = (acc[k] ?? 0) + v;
          return acc;
        }, {}),
        errors: mine.reduce((n, m) => n + m.errors, 0),
        bytesPerResponse: mine[0].bytesPerResponse,
        // Baseline throughput ÷ this scenario's, round by round: 1.0 = as fast as the route that does nothing.
        baselineOverThis: Number(median(mine.map((m) => baselineOf(m.round).requestsPerSec / m.requestsPerSec)).toFixed(2)),
        p99OverBaseline: Number(median(mine.map((m) => m.latencyMs.p99 / baselineOf(m.round).latencyMs.p99)).toFixed(2)),
      };
    });
    return { wrangler: base, sources: SOURCES, feedBytes, itemsPerPage: 50, seconds, rounds, connections, runs: summary, measured };
  } finally {
    await stopGroup(child, exited);
    rmSync(envFile, { force: true });
    await origin.close();
  }
}
