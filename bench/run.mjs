// `npm run bench`: where Tributary stands against its peers and the Workers Free plan, in one run.
//   1. ingest vs the peers' parse alone (Node, same process, same inputs)   bench/cpu.ts
//   2. render a 500-item river vs `feed` and XMLBuilder                      bench/cpu.ts
//   3. cron cycles in workerd (KV ops, subrequests, wall) + their CPU (Node)  bench/cron.bench.test.ts, bench/cpu.ts
//   4. serving under wrangler dev with autocannon                             bench/serve.mjs
// Ends with a table of ratios and targets, and writes bench/results.json. `--quick` shortens every budget
// (for trying the bench out; the figures are noisier). Work files go to node_modules/.cache/tributary-bench.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchServing } from './serve.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'node_modules', '.cache', 'tributary-bench');
const CORPUS = join(ROOT, '..', 'shared', 'corpus');
const QUICK = process.argv.includes('--quick');
const NODE = process.execPath;
const say = (s) => console.error(`[bench] ${s}`);

// Free plan limits (developers.cloudflare.com/workers/platform/limits, /kv/platform/limits).
const FREE = { kvWritesPerDay: 1000, kvReadsPerDay: 100_000, subrequestsPerInvocation: 50, cpuMsPerInvocation: 10 };
const RUNS_PER_DAY = (24 * 60) / 15;


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
  await run(NODE, [bundle, 'profile', what, QUICK ? '800' : '2000', file]);
  return { file: file.slice(ROOT.length + 1), ...summarizeProfile(file, bundle) };
}

// ───────────────────────────── figures → table ─────────────────────────────

const fmt = (x, d = 2) => (x === undefined || x === null || Number.isNaN(x) ? '–' : Number(x).toFixed(d));

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

function cronRow(size, scenario) {
  return size.cycles.find((c) => c.scenario === scenario);
}

function dailyFigures(cron, cpu50) {
  const size = cron.sizes.find((s) => s.sources === 50);
  const rows = [
    ['all 304', cronRow(size, 'all 304'), cpu50.quiet],
    ['1 of 10 changed', cronRow(size, '1 of 10 changed'), cpu50.oneInTen],
    ['all changed', cronRow(size, 'all changed'), cpu50.all],
  ];
  return {
    deployment: '50 sources, 7 categories, cron every 15 minutes (96 runs a day), inline mode, Free-plan subrequest budget (50)',
    sourcesPerInvocation: size.fetchesPerRunAllowed,
    note:
      size.fetchesPerRunAllowed < 50
        ? `the run fetches at most ${size.fetchesPerRunAllowed} sources per invocation (SUBREQUEST_BUDGET 50 minus a reserve for redirects and WebSub); the other ${50 - size.fetchesPerRunAllowed} wait for the next run, first in line`
        : undefined,
    everyRunLike: rows.map(([name, c, cpu]) => ({
      scenario: name,
      kvWritesPerDay: c.kvWrites * RUNS_PER_DAY,
      kvReadsPerDay: c.kvReads * RUNS_PER_DAY,
      fetchesPerInvocation: c.fetches,
      kvOpsPerInvocation: c.kvReads + c.kvWrites + c.kvDeletes + c.kvLists,
      cpuMsPerInvocationNode: cpu.cpuMs,
      cpuMsOfFetchStandIn: cpu.stubMs,
      kvBytesWrittenPerDay: c.kvBytesWritten * RUNS_PER_DAY,
      withinFree: {
        writes: c.kvWrites * RUNS_PER_DAY <= FREE.kvWritesPerDay,
        reads: c.kvReads * RUNS_PER_DAY <= FREE.kvReadsPerDay,
        subrequests: c.fetches <= FREE.subrequestsPerInvocation,
        // Our code's share: the in-memory fetch stand-in's own CPU taken out (workerd does that part natively).
        cpu: cpu.cpuMs - (cpu.stubMs ?? 0) <= FREE.cpuMsPerInvocation,
      },
    })),
    limits: FREE,
  };
}

function targets(r) {
  const rss = r.ingestTable.find((x) => x.input.startsWith('news RSS'));
  const atom = r.ingestTable.find((x) => x.input.startsWith('news Atom'));
  const mem = r.memory5MB.find((m) => m.name === 'tributary ingest');
  const rend = r.render.formats;
  const feedOverOurs = (f) => rend[f]['feed package'].medianMs / rend[f]['tributary render'].medianMs;
  const serve = r.serving;
  const out = [];
  const add = (target, met, figure) => out.push({ target, met, figure });
  add('ingest 100 KB RSS faster than feedsmith parse', rss.vsFeedsmith < 1, `${fmt(rss.vsFeedsmith)}× feedsmith's time (Atom: ${fmt(atom.vsFeedsmith)}×)`);
  add('ingest 100 KB RSS faster than rss-parser parse', rss.vsRssParser < 1, `${fmt(rss.vsRssParser)}× rss-parser's time (Atom: ${fmt(atom.vsRssParser)}×)`);
  add('ingest 100 KB RSS within 1.3× of fast-xml-parser (feed options)', rss.vsFastXmlParser <= 1.3, `${fmt(rss.vsFastXmlParser)}× (Atom: ${fmt(atom.vsFastXmlParser)}×)`);
  if (mem) add('peak memory for the 5 MB feed well inside 128 MB (under 64 MB)', mem.peakRssGrowthMB < 64, `peak RSS growth ${mem.peakRssGrowthMB} MB, result ${mem.retainedResultMB} MB`);
  for (const f of ['rss', 'atom', 'json']) add(`render ${f} ≥ 4× faster than feed`, feedOverOurs(f) >= 4, `${fmt(feedOverOurs(f))}× faster`);
  if (serve?.runs) {
    const base = serve.runs.find((x) => x.name.startsWith('baseline'));
    const cached = serve.runs.find((x) => x.name.startsWith('cached'));
    add(
      'cached serve within 1.5× of the baseline route',
      cached.baselineOverThis <= 1.5,
      `baseline ${base.requestsPerSec} req/s vs cached ${cached.requestsPerSec} req/s: ${fmt(cached.baselineOverThis)}× (median of per-round ratios); p99 ${cached.latencyMs.p99} vs ${base.latencyMs.p99} ms`,
    );
  }
  if (r.daily) {
    add(
      '50 sources: every source fetched in every run within the Free subrequest budget',
      r.daily.sourcesPerInvocation >= 50,
      `${r.daily.sourcesPerInvocation} of 50 per invocation`,
    );
    for (const row of r.daily.everyRunLike) {
      const w = row.withinFree;
      const missing = Object.entries(w).filter(([, ok]) => !ok).map(([k]) => k);
      add(
        `50 sources inside the Free plan if every run is "${row.scenario}"`,
        missing.length === 0,
        `${row.kvWritesPerDay} writes/day, ${row.kvReadsPerDay} reads/day, ${row.fetchesPerInvocation} fetches/run, ~${fmt(row.cpuMsPerInvocationNode - (row.cpuMsOfFetchStandIn ?? 0), 1)} ms CPU/run (Node, fetch stand-in excluded)${missing.length ? `; over: ${missing.join(', ')}` : ''}`,
      );
    }
  }
  return out;
}

function printTable(r) {
  const lines = [];
  const p = (s = '') => lines.push(s);
  p(`Tributary bench ${r.date} — ${r.machine.cpu} ×${r.machine.cores}, Node ${r.machine.node}${QUICK ? ' (--quick: short budgets)' : ''}`);
  p(`Peers: ${Object.entries(r.peers).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  p('Ratios are our time ÷ theirs, measured side by side (below 1: we are faster).');
  p();
  p('| ingest (decode+parse+normalize+sanitize) | ms | MB/s | ÷feedsmith | ÷rss-parser | ÷feed-extractor | ÷fast-xml-parser | ÷TextDecoder | ÷SAX |');
  p('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const x of r.ingestTable) {
    p(`| ${x.input} | ${fmt(x.oursMs)} | ${fmt(x.oursMBps, 1)} | ${fmt(x.vsFeedsmith)} | ${fmt(x.vsRssParser)} | ${fmt(x.vsFeedExtractor)} | ${fmt(x.vsFastXmlParser)} | ${fmt(x.vsTextDecoder)} | ${fmt(x.vsSax)} |`);
  }
  p('(JSON Feed: the fast-xml-parser column is JSON.parse.)');
  p();
  const cols = ['tributary ingest', 'feedsmith', 'rss-parser', 'feed-extractor', 'fast-xml-parser', 'TextDecoder', 'htmlparser2 SAX'];
  p(`| ms per feed (median) | ${cols.join(' | ')} |`);
  p(`|---|${cols.map(() => '---:').join('|')}|`);
  for (const x of r.ingest) {
    const t = x.timings;
    p(`| ${x.input} | ${cols.map((c) => fmt((t[c] ?? (c === 'fast-xml-parser' ? t['JSON.parse'] : undefined))?.medianMs)).join(' | ')} |`);
  }
  if (r.ingestStages100k) {
    const st = r.ingestStages100k;
    p(`Our 100 KB RSS ingest by stage (ms): decode ${fmt(st.decode)}, parse ${fmt(st.parse)}, normalize+sanitize ${fmt(st['normalize+sanitize'])}, whole ${fmt(st['whole ingest'])}.`);
  }
  p();
  p('| 5 MB feed, one parse | peak RSS growth MB | heap growth MB (no GC) | result MB |');
  p('|---|---:|---:|---:|');
  for (const m of r.memory5MB) p(m.error ? `| ${m.name} | ${m.error} | | |` : `| ${m.name} | ${m.peakRssGrowthMB} | ${m.heapGrowthNoGcMB} | ${m.retainedResultMB} |`);
  p();
  p('| render 500 items | ours ms | feed ms | feed ÷ ours | XMLBuilder/JSON.stringify ms |');
  p('|---|---:|---:|---:|---:|');
  for (const [f, t] of Object.entries(r.render.formats)) {
    const floor = Object.entries(t).find(([k]) => k !== 'tributary render' && k !== 'feed package')[1];
    p(`| ${f} | ${fmt(t['tributary render'].medianMs)} | ${fmt(t['feed package'].medianMs)} | ${fmt(t['feed package'].medianMs / t['tributary render'].medianMs, 1)}× | ${fmt(floor.medianMs)} |`);
  }
  if (r.cron?.sizes) {
    p();
    p('| cron run (workerd) | sources fetched | wall ms | KV reads | KV writes | fetches (200/304) | CPU ms (Node; of which fetch stand-in) |');
    p('|---|---:|---:|---:|---:|---:|---:|');
    for (const size of r.cron.sizes) {
      const cpu = r.cronCpu.find((c) => c.sources === size.sources);
      const cpuOf = { 'all 304': cpu?.quiet, '1 of 10 changed': cpu?.oneInTen, 'all changed': cpu?.all, 'cold (all new, 200)': cpu?.cold };
      for (const c of size.cycles.filter((c) => !c.scenario.startsWith('settling'))) {
        const st = c.fetchesByStatus;
        p(`| ${size.sources} sources: ${c.scenario} | ${c.polled}/${size.sources} | ${c.wallMs} | ${c.kvReads} | ${c.kvWrites} | ${c.fetches} (${st['200'] ?? 0}/${st['304'] ?? 0}) | ${cpuOf[c.scenario] ? `${fmt(cpuOf[c.scenario].cpuMs, 1)}${cpuOf[c.scenario].stubMs !== undefined ? ` (${fmt(cpuOf[c.scenario].stubMs, 1)})` : ''}` : '–'} |`);
      }
    }
  }
  if (r.daily) {
    p();
    p(`Daily, ${r.daily.deployment}:`);
    for (const row of r.daily.everyRunLike) {
      p(`  every run "${row.scenario}": ${row.kvWritesPerDay}/1000 writes, ${row.kvReadsPerDay}/100000 reads, ${row.fetchesPerInvocation}/50 subrequests, ~${fmt(row.cpuMsPerInvocationNode - (row.cpuMsOfFetchStandIn ?? 0), 1)}/10 ms CPU`);
    }
    if (r.daily.note) p(`  note: ${r.daily.note}`);
  }
  if (r.serving?.runs) {
    p();
    p(`| serve (wrangler dev, autocannon, ${r.serving.connections} connections, ${r.serving.rounds}×${r.serving.seconds} s) | req/s | p50 ms | p99 ms | baseline ÷ this | bytes/response | statuses |`);
    p('|---|---:|---:|---:|---:|---:|---|');
    for (const x of r.serving.runs) {
      p(`| ${x.name} | ${x.requestsPerSec} | ${x.latencyMs.p50} | ${x.latencyMs.p99} | ${fmt(x.baselineOverThis)} | ${x.bytesPerResponse} | ${Object.entries(x.statuses).map(([k, v]) => `${k}×${v}`).join(' ')} |`);
    }
  } else if (r.serving?.error) p(`\nserving: not measured (${r.serving.error})`);
  p();
  for (const [what, prof] of Object.entries(r.profiles ?? {})) {
    p(`profile ${what} (self time): ${prof.byModule.slice(0, 6).map((m) => `${m.where} ${m.selfPct}%`).join(', ')}`);
    p(`    top functions: ${prof.byFunction.slice(0, 6).map((m) => `${m.where} ${m.selfPct}%`).join(', ')}`);
    p(`    on the stack: ${prof.inclusive.slice(0, 8).map((m) => `${m.where} ${m.totalPct}%`).join(', ')}`);
  }
  p();
  p('| target | met | figure |');
  p('|---|---|---|');
  for (const t of r.targets) p(`| ${t.target} | ${t.met ? 'yes' : 'NO'} | ${t.figure} |`);
  console.log(lines.join('\n'));
  return lines.join('\n');
}

// ───────────────────────────── main ─────────────────────────────

async function main() {
  if (Number(process.versions.node.split('.')[0]) < 22) {
    console.error(`Node ${process.versions.node}: the bench needs the project's Node 22 (npm run bench uses it).`);
    process.exit(1);
  }
  const started = Date.now();
  mkdirSync(WORK, { recursive: true });
  const bundle = join(WORK, 'cpu.mjs');
  say('bundling bench/cpu.ts with esbuild …');
  await run(join(ROOT, 'node_modules', '.bin', 'esbuild'), [
    'bench/cpu.ts', '--bundle', '--platform=node', '--format=esm', '--target=node22', '--packages=external', `--outfile=${bundle}`, '--log-level=warning',
  ]);

  say('parts 1–2 and cron CPU (Node) …');
  const cpuOut = join(WORK, 'cpu.json');
  const corpusArgs = existsSync(join(CORPUS, 'index.json')) ? [CORPUS] : [];
  if (!corpusArgs.length) say(`corpus not found at ${CORPUS}: that input is skipped`);
  await run(NODE, [bundle, 'parts', cpuOut, WORK, ...corpusArgs, ...(QUICK ? ['--quick'] : [])]);
  const cpu = JSON.parse(readFileSync(cpuOut, 'utf8'));

  say('peak memory on the 5 MB feed, one child process per contestant …');
  const memory5MB = [];
  for (const name of ['tributary ingest', 'feedsmith', 'rss-parser', 'feed-extractor', 'fast-xml-parser', 'htmlparser2 SAX']) {
    try {
      memory5MB.push(JSON.parse(await run(NODE, ['--expose-gc', bundle, 'memory', name, cpu.bigFile], { capture: true })));
    } catch (e) {
      memory5MB.push({ name, error: e.message });
    }
  }

  say('CPU profiles: ingest (100 KB RSS), renderers, a 50-source cron run with 1 of 10 changed …');
  const profiles = {};
  for (const what of ['ingest-100k', 'render-rss', 'render-json', 'cron-50-1of10']) profiles[what] = await profile(what, bundle);

  say('part 3: cron cycles in workerd (vitest-pool-workers) …');
  let cron;
  try {
    rmSync(join(WORK, 'cron.json'), { force: true });
    await run(join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', '--config', 'bench/vitest.cron.config.ts', '--reporter=dot'], {
      env: { TRIBUTARY_BENCH_DIR: WORK, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' },
    });
    cron = JSON.parse(readFileSync(join(WORK, 'cron.json'), 'utf8')).cron;
  } catch (e) {
    cron = { error: e.message };
  }

  say('part 4: serving under wrangler dev …');
  let serving;
  try {
    serving = await benchServing({ root: ROOT, workDir: WORK, seconds: QUICK ? 2 : 4, rounds: QUICK ? 1 : 3, log: say });
  } catch (e) {
    serving = { error: e.message };
  }

  const versionOf = (pkg) => {
    try {
      return JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
    } catch {
      return 'unknown';
    }
  };
  const peers = Object.fromEntries(
    ['feedsmith', 'rss-parser', '@extractus/feed-extractor', 'fast-xml-parser', 'htmlparser2', 'feed', 'autocannon', 'wrangler', 'workerd'].map((p) => [p, versionOf(p)]),
  );
  const results = {
    date: new Date().toISOString(),
    peers,
    quick: QUICK,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGB: Math.round(totalmem() / 2 ** 30), node: process.versions.node, platform: `${process.platform}-${process.arch}` },
    method: {
      timing: 'medians of rounds after warm-up; each round runs every contestant once in rotated order, same process',
      ours: 'ingestFeed(bytes): decode + parse + normalize + sanitize; peers get the decoded string and only parse',
      fastXmlParser: 'XMLParser with feedsmith\'s parser options (attributes kept, no value parsing, no entity processing)',
      cron: 'workerd via @cloudflare/vitest-pool-workers, real local KV behind a counting wrapper; HOST_SPACING_MS=0 (one local host); SUBREQUEST_BUDGET 50 for 10 and 50 sources, raised for 500',
      cronCpu: 'Node: runPoll with an in-memory KV (JSON parse/stringify kept) and fetch answered in memory; process.cpuUsage',
      serving: 'wrangler dev (local), autocannon 10 connections; baseline = 404 JSON of an unknown path (no KV, no cache)',
    },
    ingest: cpu.ingest,
    ingestTable: cpu.ingest.map(ingestRow),
    ingestStages100k: cpu.ingestStages100k,
    corpus: cpu.corpus,
    memory5MB,
    render: cpu.render,
    cronCpu: cpu.cronCpu,
    cron,
    daily: cron?.sizes ? dailyFigures(cron, cpu.cronCpu.find((c) => c.sources === 50)) : undefined,
    serving,
    profiles,
  };
  results.targets = targets(results);
  results.table = printTable(results);
  results.elapsedSeconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  say(`wrote bench/results.json in ${results.elapsedSeconds} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`[bench] failed: ${e.stack ?? e}`);
    process.exit(1);
  });
}
