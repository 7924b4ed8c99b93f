// `npm run bench`: where Tributary stands against its peers and the Workers Free plan, in one run.
//   1. ingest vs the peers' parse alone (Node, same process, same inputs)          bench/cpu.ts
//   2. render a 500-item river vs `feed` and XMLBuilder                             bench/cpu.ts
//   3. polling runs of whole deployments: CPU per invocation in Node (the Worker   bench/scenarios.ts, runs.ts,
//      and its Durable Objects in one process), counts in workerd (KV operations    runtime.ts;
//      and bytes, object requests, SQLite rows, fetches)                             bench/cron.bench.test.ts
//   4. serving under wrangler dev with autocannon                                    bench/serve.mjs
//   5. WebSub (issue 13): push-to-served latency under wrangler dev with a real hub, bench/websub.mjs,
//      and the polls a day saved when half of 50 sources push (Node, the real       bench/scenarios.ts websubDay
//      scheduler over 96 cron ticks)
//   6. the Worker's upload size (wrangler deploy --dry-run --outdir), raw and gzip, against the Free plan's 3 MB
// Ends with issue 10's targets as a table, and writes bench/results.json (bench/report.mjs composes both). `--quick`
// shortens every budget and leaves out the 10,000-source queue deployment (for trying the bench out; the figures are
// noisier). `--report` composes the targets and the table again from the last bench/results.json without measuring.
// `--websub` measures part 5 alone (about a minute) and puts its figures into the last bench/results.json, the rest kept;
// `--bundle` does the same for part 6 (seconds).
// Work files go to node_modules/.cache/tributary-bench.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchServing } from './serve.mjs';
import { bundleSize } from './wrangler.mjs';
import { benchWebSub } from './websub.mjs';
import { dailyFigures, invocationRows, printTable, queueFigures, targets } from './report.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'node_modules', '.cache', 'tributary-bench');
const CORPUS = join(ROOT, '..', 'shared', 'corpus');
const QUICK = process.argv.includes('--quick');
const NODE = process.execPath;
const say = (s) => console.error(`[bench] ${s}`);

const WRANGLER_QUIET = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };
// node:sqlite is experimental in Node 22; the runs need gc() between ticks (bench/runs.ts).
const NODE_FLAGS = ['--disable-warning=ExperimentalWarning', '--expose-gc'];

function run(cmd, args, { env = {}, capture = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
    let out = '';
    if (capture) child.stdout.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code ?? signal}`))));
  });
}

// ───────────────────────────── CPU profiles ─────────────────────────────

/** Self time of a .cpuprofile by our source module (from esbuild's `// path` markers) and by function. */
export function summarizeProfile(profileFile, bundleFile) {
  const lines = readFileSync(bundleFile, 'utf8').split('\n');
  const markers = [];
  lines.forEach((l, i) => {
    const m = /^\/\/ ((?:src|bench|node_modules)\/\S+|package\.json)$/.exec(l);
    if (m) markers.push([i, m[1]]);
  });
  const moduleAt = (line) => {
    let name = 'bench';
    for (const [at, m] of markers) if (at <= line) name = m;
    return name;
  };
  const p = JSON.parse(readFileSync(profileFile, 'utf8'));
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const byModule = new Map();
  const byFunction = new Map();
  const inclusive = new Map(); // our functions (in the bundle), time on the stack
  let total = 0;
  const label = (cf) => {
    const inBundle = cf.url.endsWith('cpu.mjs');
    const where = inBundle ? moduleAt(cf.lineNumber) : cf.url ? cf.url.replace(/^.*node_modules\//, '') : cf.functionName || '(vm)';
    return { inBundle, where, fn: `${cf.functionName || '(anonymous)'} ${inBundle ? where : where.split('/').pop()}` };
  };
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const cf = nodes.get(id).callFrame;
    // The VM's idle/program ticks and the inspector's own calls (starting and stopping the profile) are not the workload.
    if (cf.functionName === '(program)' || cf.functionName === '(idle)' || cf.url === 'node:inspector' || cf.url.startsWith('node:internal/inspector')) return;
    const { where, fn } = label(cf);
    total += dt;
    byModule.set(where, (byModule.get(where) ?? 0) + dt);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
    const onStack = new Set();
    for (let n = id; n !== undefined; n = parentOf.get(n)) {
      const l = label(nodes.get(n).callFrame);
      if (l.inBundle && l.where.startsWith('src/')) onStack.add(l.fn);
    }
    for (const f of onStack) inclusive.set(f, (inclusive.get(f) ?? 0) + dt);
  });
  const top = (m, n) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => ({ where: k, selfPct: Number(((100 * v) / total).toFixed(1)) }));
  const inclusiveTop = top(inclusive, 14).map(({ where, selfPct }) => ({ where, totalPct: selfPct }));
  return { byModule: top(byModule, 10), byFunction: top(byFunction, 12), inclusive: inclusiveTop };
}

async function profile(what, bundle) {
  const file = join(WORK, `${what}.cpuprofile`);
  rmSync(file, { force: true });
  try {
    await run(NODE, [...NODE_FLAGS, bundle, 'profile', what, QUICK ? '800' : '2000', file]);
    return { file: file.slice(ROOT.length + 1), ...summarizeProfile(file, bundle) };
  } catch (e) {
    return { error: e.message };
  }
}

// ───────────────────────────── figures → table ─────────────────────────────

function ingestRow(input) {
  const t = input.timings;
  const ours = t['tributary ingest'].medianMs;
  const vs = (name) => (t[name] ? ours / t[name].medianMs : undefined);
  return {
    input: input.input,
    oursMs: ours,
    oursMBps: t['tributary ingest'].mbPerS,
    vsFeedsmith: vs('feedsmith'),
    vsRssParser: vs('rss-parser'),
    vsFeedExtractor: vs('feed-extractor'),
    vsFastXmlParser: vs('fast-xml-parser') ?? vs('JSON.parse'),
    vsTextDecoder: vs('TextDecoder'),
    vsSax: vs('htmlparser2 SAX'),
  };
}

// ───────────────────────────── main ─────────────────────────────

/** esbuild: bench/cpu.ts (the Node half's entry) into one file, cloudflare:workers shimmed. */
async function bundleCpu() {
  const bundle = join(WORK, 'cpu.mjs');
  say('bundling bench/cpu.ts with esbuild (cloudflare:workers → bench/shims/cloudflare-workers.ts) …');
  await run(join(ROOT, 'node_modules', '.bin', 'esbuild'), [
    'bench/cpu.ts',
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node22',
    '--packages=external',
    '--alias:cloudflare:workers=./bench/shims/cloudflare-workers.ts',
    `--outfile=${bundle}`,
    '--log-level=warning',
  ]);
  return bundle;
}

/** Part 5: the WebSub day in Node (polls saved) and push-to-served under wrangler dev; a failure is kept as an error. */
async function websubPart(bundle, code) {
  const out = { date: new Date().toISOString(), quick: QUICK, code };
  say('part 5 (Node): WebSub, polls a day with and without a hub …');
  const file = join(WORK, 'runs-websub.json');
  try {
    rmSync(file, { force: true });
    await run(NODE, [...NODE_FLAGS, bundle, 'runs', 'websub', file, ...(QUICK ? ['--quick'] : [])]);
    out.day = JSON.parse(readFileSync(file, 'utf8')).websubDay;
  } catch (e) {
    say(`part 5 (Node) FAILED: ${e.message}`);
    out.day = { error: e.message };
  }
  say('part 5: WebSub push to served under wrangler dev …');
  try {
    out.latency = await benchWebSub({ root: ROOT, workDir: WORK, pushes: QUICK ? 10 : 20, log: say });
  } catch (e) {
    say(`part 5 (wrangler dev) FAILED:\n${e.message}`);
    out.latency = { error: e.message };
  }
  return out;
}

/** The derived figures, targets and table of `results`, composed again. */
function compose(results) {
  results.daily = dailyFigures(results);
  results.queueMode = queueFigures(results);
  results.invocationCpu = invocationRows(results);
  results.targets = targets(results);
  results.table = printTable(results, results.quick);
  return results;
}

/** `--report`: the targets, figures and table again from the last bench/results.json (no measuring). */
function reportOnly() {
  const file = join(ROOT, 'bench', 'results.json');
  const results = compose(JSON.parse(readFileSync(file, 'utf8')));
  console.log(results.table);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

/** `--bundle`: the Worker's upload size alone, put into the last bench/results.json (every other figure kept). */
async function bundleOnly() {
  mkdirSync(WORK, { recursive: true });
  const bundle = await bundleSize(ROOT, join(WORK, 'bundle-size'));
  const file = join(ROOT, 'bench', 'results.json');
  const results = compose({ ...JSON.parse(readFileSync(file, 'utf8')), bundle });
  console.log(results.table);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  say(`wrote the bundle size into bench/results.json (the other figures are those of ${results.date})`);
}

/** `--websub`: part 5 alone, its figures put into the last bench/results.json (every other figure kept). */
async function websubOnly(code) {
  mkdirSync(WORK, { recursive: true });
  const websub = await websubPart(await bundleCpu(), code);
  const file = join(ROOT, 'bench', 'results.json');
  const results = compose({ ...JSON.parse(readFileSync(file, 'utf8')), websub });
  console.log(results.table);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  say(`wrote the websub figures into bench/results.json (the other figures are those of ${results.date})`);
}

async function main() {
  if (process.argv.includes('--report')) return reportOnly();
  if (Number(process.versions.node.split('.')[0]) < 22) {
    console.error(`Node ${process.versions.node}: the bench needs the project's Node 22 (npm run bench uses it).`);
    process.exit(1);
  }
  const started = Date.now();
  // The code measured: the tree may move while the bench runs (each part builds or loads it when it starts).
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
  const code = { head: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain', '--', 'src', 'wrangler.toml') || '' };
  if (process.argv.includes('--websub')) return websubOnly(code);
  if (process.argv.includes('--bundle')) return bundleOnly();
  const stamp = () => `${Math.round((Date.now() - started) / 1000)} s`;
  mkdirSync(WORK, { recursive: true });
  const bundle = await bundleCpu();

  say('parts 1–2: ingest and render (Node) …');
  const cpuOut = join(WORK, 'cpu.json');
  const corpusArgs = existsSync(join(CORPUS, 'index.json')) ? [CORPUS] : [];
  if (!corpusArgs.length) say(`corpus not found at ${CORPUS}: that input is skipped`);
  await run(NODE, [...NODE_FLAGS, bundle, 'parts', cpuOut, WORK, ...corpusArgs, ...(QUICK ? ['--quick'] : [])]);
  const cpu = JSON.parse(readFileSync(cpuOut, 'utf8'));

  say(`[${stamp()}] peak memory on the 5 MB feed, one child process per contestant …`);
  const memory5MB = [];
  for (const name of ['tributary ingest', 'feedsmith', 'rss-parser', 'feed-extractor', 'fast-xml-parser', 'htmlparser2 SAX']) {
    try {
      memory5MB.push(JSON.parse(await run(NODE, ['--expose-gc', bundle, 'memory', name, cpu.bigFile], { capture: true })));
    } catch (e) {
      memory5MB.push({ name, error: e.message });
    }
  }

  say(`[${stamp()}] part 3 (Node): polling runs, CPU per invocation (one process per group) …`);
  const runs = {};
  const groups = ['newsroom', 'inline-500', 'inline-50-long', 'queue-500', ...(QUICK ? [] : ['queue-10000'])];
  for (const group of groups) {
    const out = join(WORK, `runs-${group}.json`);
    try {
      rmSync(out, { force: true });
      await run(NODE, [
        ...NODE_FLAGS,
        ...(group === 'queue-10000' ? ['--max-old-space-size=6144'] : []),
        bundle,
        'runs',
        group,
        out,
        ...(QUICK ? ['--quick'] : []),
      ]);
      const { seconds, ...figures } = JSON.parse(readFileSync(out, 'utf8'));
      Object.assign(runs, figures);
      (runs.seconds ??= {})[group] = seconds;
    } catch (e) {
      say(`part 3 (Node) group ${group} FAILED: ${e.message}`);
      (runs.errors ??= {})[group] = e.message;
    }
  }
  const runsQueue10k = runs['queue-10000'];

  const profileTargets = [
    'ingest-100k',
    'render-rss',
    'render-json',
    'run-50-all-304',
    'run-50-one-changed',
    'serve-miss',
    ...(QUICK ? [] : ['queue-10k-producer']),
  ];
  say(`[${stamp()}] CPU profiles: ${profileTargets.join(', ')} …`);
  const profiles = {};
  for (const what of profileTargets) profiles[what] = await profile(what, bundle);

  say(`[${stamp()}] part 3 (workerd): the same deployments in vitest-pool-workers, KV / object / SQLite counts …`);
  let workerd;
  try {
    rmSync(join(WORK, 'cron.json'), { force: true });
    await run(join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', '--config', 'bench/vitest.cron.config.ts', '--reporter=dot'], {
      env: { TRIBUTARY_BENCH_DIR: WORK, TRIBUTARY_BENCH_QUICK: QUICK ? '1' : '0', TRIBUTARY_BENCH_QUEUE_10K: QUICK ? '0' : '1', ...WRANGLER_QUIET },
    });
    workerd = JSON.parse(readFileSync(join(WORK, 'cron.json'), 'utf8')).cron;
  } catch (e) {
    say(`part 3 (workerd) FAILED: ${e.message}`);
    // What the tests posted before failing is kept.
    try {
      workerd = { ...JSON.parse(readFileSync(join(WORK, 'cron.json'), 'utf8')).cron, error: e.message };
    } catch {
      workerd = { error: e.message };
    }
  }

  say(`[${stamp()}] part 4: serving under wrangler dev …`);
  let serving;
  const failedAttempts = [];
  for (let attempt = 1; attempt <= 2 && !serving; attempt++) {
    try {
      serving = await benchServing({ root: ROOT, workDir: WORK, seconds: QUICK ? 2 : 4, rounds: QUICK ? 1 : 3, log: say });
    } catch (e) {
      say(`serving attempt ${attempt} FAILED:\n${e.message}`);
      failedAttempts.push(e.message);
    }
  }
  if (!serving) serving = { error: failedAttempts.join('\n\n---\n\n') };
  if (failedAttempts.length) serving.failedAttempts = failedAttempts;
  if (serving.serverErrors?.length) say(`serving: ${serving.serverErrors.length} scenario problem(s) (retried): see results.serving.serverErrors`);

  say(`[${stamp()}] part 5: WebSub …`);
  const websub = await websubPart(bundle, code);
  say('the Worker bundle (wrangler deploy --dry-run) …');
  const workerBundle = await bundleSize(ROOT, join(WORK, 'bundle-size')).catch((e) => ({ error: e.message }));

  const versionOf = (pkg) => {
    try {
      return JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
    } catch {
      return 'unknown';
    }
  };
  const peers = Object.fromEntries(
    [
      'feedsmith',
      'rss-parser',
      '@extractus/feed-extractor',
      'fast-xml-parser',
      'htmlparser2',
      'feed',
      'autocannon',
      'wrangler',
      'workerd',
      '@cloudflare/vitest-pool-workers',
    ].map((p) => [p, versionOf(p)]),
  );
  const results = {
    date: new Date().toISOString(),
    peers,
    quick: QUICK,
    code: { ...code, headAtEnd: git('rev-parse', '--short', 'HEAD') },
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGB: Math.round(totalmem() / 2 ** 30),
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
    },
    method: {
      timing: 'medians of rounds after warm-up; each round runs every contestant once in rotated order, same process',
      ours: 'ingestFeed(bytes): decode + parse + normalize + sanitize; peers get the decoded string and only parse',
      fastXmlParser: "XMLParser with feedsmith's parser options (attributes kept, no value parsing, no entity processing)",
      runsCpu:
        "Node (bench/runtime.ts): the real Worker handlers and Durable Object classes in one process — namespaces whose stubs pass arguments and results through structuredClone, one instance per name, SQLite on node:sqlite, KV as a Map of strings (JSON kept), a Map for the Cache API, a simulated clock; MAX_CONCURRENCY=1, HOST_SPACING_MS=0, one invocation at a time; a stack of timers charges process.cpuUsage to the running invocation at every object call and return; fetches answered in memory from the origin's SourceSet, their CPU apart (stubMs) and excluded; objects evicted between runs; a full GC between runs, outside every invocation. Node's fetch, Request, Response and Headers are JavaScript (undici) where workerd's are native: the Worker-side figures of runs with many fetches are upper bounds",
      runsCounts:
        "workerd (vitest-pool-workers, real local KV and Durable Objects): kvUsage(prefix) and objectRequests(prefix) of the code itself, SQLite rows from SqlStorage cursors (SqlStorage.prototype.exec wrapped), fetches from the origin's tally; a fresh STORE_PREFIX per deployment; KV_WRITE_GAP_MS=0 (wall time only); the pool's prototype-proxy bug worked around (bench/pool-fix.ts, cloudflare/workers-sdk#15092)",
      feeds:
        'every source serves ~100 KB of RSS (45 stories with Thai/Vietnamese HTML, the shape of generate.mjs sizedDocument(100_000)); in the 10,000-source queue deployment only every 50th source does, the others serve 3 short stories; a changed source gains one story',
      serving:
        "wrangler dev on a wrangler-built bundle (no rebuild mid-run), autocannon 10 connections; baseline = 404 JSON of an unknown path (no KV, no cache); every answer's status checked",
    },
    ingest: cpu.ingest,
    ingestTable: cpu.ingest.map(ingestRow),
    ingestStages100k: cpu.ingestStages100k,
    corpus: cpu.corpus,
    memory5MB,
    render: cpu.render,
    runs,
    runsQueue10k,
    workerd,
    serving,
    websub,
    bundle: workerBundle,
    profiles,
  };
  compose(results);
  results.elapsedSeconds = Math.round((Date.now() - started) / 1000);
  console.log(results.table);
  console.log(`\n(bench took ${results.elapsedSeconds} s)`);
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  say(`wrote bench/results.json in ${results.elapsedSeconds} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`[bench] failed: ${e.stack ?? e}`);
    process.exit(1);
  });
}
