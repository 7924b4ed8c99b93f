// The Node half of part 3 of `npm run bench`: the same deployments as bench/cron.bench.test.ts, run in one process
// (bench/runtime.ts, bench/runs.ts) so that every invocation's CPU can be measured. Results go to JSON for bench/run.mjs.
import {
  CATEGORIES,
  Site,
  changedSource,
  ingestAloneMs,
  median,
  mergeTypes,
  percentile,
  queueShapeRules,
  type CpuFigures,
  type RunFigures,
  type TypeSummary,
} from './runs';
import { categoriesOf } from './layout';
import { readConfig } from '../src/config';
import { CPU_SOURCE, METER_OVERHEAD_US, meter } from './runtime';

const round = (x: number, d = 3): number => Number(x.toFixed(d));
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

/** What a run where source k alone changed should write to KV: its categories' pages, the all page, the index. */
export function expectedKeys(k: number): string[] {
  return [...categoriesOf(k).map((c) => `page:${c}`), 'page:all', 'index'].sort();
}

/** Whether a run wrote exactly `expected`, each key once. */
function sameKeys(written: string[], expected: string[]): boolean {
  const w = [...written].sort();
  return w.length === expected.length && w.every((k, i) => k === expected[i]);
}

/** What the figures keep of one run (no per-batch detail unless asked). */
function slim(r: RunFigures, batches = false) {
  return {
    label: r.label,
    cpuMs: r.cpu.totalMs,
    stubMs: r.cpu.stubMs,
    byType: r.cpu.byType,
    kv: {
      reads: r.kv.reads,
      writes: r.kv.writes,
      deletes: r.kv.deletes,
      lists: r.kv.lists,
      bytesRead: r.kv.bytesRead,
      bytesWritten: r.kv.bytesWritten,
      writtenKeys: r.kv.writtenKeys,
      largestValue: r.kv.largestValue,
    },
    objectRequests: r.objectRequestsTotal,
    objectRequestsByMethod: r.objectRequests,
    sql: r.sql,
    fetched: r.fetched,
    alarms: r.alarms,
    wallMs: r.wallMs,
    ...(r.queue ? { queue: r.queue } : {}),
    ...(r.batches
      ? {
          batchSummary: batchSummary(r),
          ...(batches
            ? {
                batches: r.batches.map((b) => ({
                  messages: b.messages,
                  sources: b.sources,
                  polled: b.polled,
                  cpuMs: b.cpu.totalMs,
                  consumerMs: b.cpu.byType['queue batch (consumer)']?.totalMs ?? 0,
                  kvOps: b.kvOps,
                  objectRequests: b.objectRequests,
                })),
              }
            : {}),
        }
      : {}),
  };
}

function batchSummary(r: RunFigures) {
  const b = r.batches ?? [];
  const consumer = b.map((x) => x.cpu.byType['queue batch (consumer)']?.totalMs ?? 0);
  const withObjects = b.map((x) => x.cpu.totalMs);
  return {
    batches: b.length,
    sourcesSent: b.reduce((n, x) => n + x.sources, 0),
    polled: b.reduce((n, x) => n + x.polled, 0),
    consumerInvocationMs: { median: round(median(consumer)), max: round(Math.max(0, ...consumer)) },
    batchWithItsObjectCallsMs: { median: round(median(withObjects)), max: round(Math.max(0, ...withObjects)) },
    kvOpsMax: Math.max(0, ...b.map((x) => x.kvOps)),
    objectRequestsMax: Math.max(0, ...b.map((x) => x.objectRequests)),
    acked: b.every((x) => x.acked),
    retried: b.some((x) => x.retried),
  };
}

function summary(runs: RunFigures[]) {
  const cpu = runs.map((r) => r.cpu.totalMs);
  return {
    samples: runs.length,
    cpuMs: { median: round(median(cpu)), min: round(Math.min(...cpu)), max: round(Math.max(...cpu)) },
    stubMs: round(median(runs.map((r) => r.cpu.stubMs))),
    byType: mergeTypes(runs.map((r) => r.cpu)),
    kv: runs[0] && {
      reads: median(runs.map((r) => r.kv.reads)),
      writes: median(runs.map((r) => r.kv.writes)),
      bytesRead: median(runs.map((r) => r.kv.bytesRead)),
      bytesWritten: median(runs.map((r) => r.kv.bytesWritten)),
    },
    objectRequests: median(runs.map((r) => r.objectRequestsTotal)),
    sqlRows: { read: median(runs.map((r) => r.sql.rowsRead)), written: median(runs.map((r) => r.sql.rowsWritten)) },
    fetched: runs[0]?.fetched,
  };
}

async function settle(site: Site, max = 8): Promise<RunFigures[]> {
  const out: RunFigures[] = [];
  for (let i = 0; i < max; i++) {
    const r = await site.tick(`settling (run ${i + 2})`);
    out.push(r);
    if (i >= 2 && r.kv.writes === 0 && r.fetched[200] === 0) break;
  }
  return out;
}

/** Cold, settling, samples of all-304 runs and of runs where one 100 KB source changed (each followed by a quiet run). */
export async function inlineScenario(name: string, opts: { sources: number; budget: number; samples: number; itemsPerCategory?: number; fillTo?: number }) {
  const t0 = performance.now();
  const site = new Site({ name, sources: opts.sources, subrequestBudget: opts.budget, itemsPerCategory: opts.itemsPerCategory });
  await site.register();
  const cold = await site.tick('cold (all new, 200)');
  let fillRuns = 0;
  if (opts.fillTo) {
    const all = Array.from({ length: opts.sources }, (_, k) => k);
    for (; fillRuns < 16; fillRuns++) {
      const counts = site.riverCounts();
      if (Object.keys(counts).length === CATEGORIES + 1 && Object.values(counts).every((n) => n >= opts.fillTo!)) break;
      site.sources.bump({ ids: all, by: 45 });
      await site.tick(`fill ${fillRuns + 1}`);
    }
  }
  const settling = await settle(site);
  const quiet: RunFigures[] = [];
  const changed: RunFigures[] = [];
  const after: RunFigures[] = [];
  const ingestAlone: number[] = [];
  const changedSources: number[] = [];
  // Interleaved, so drift on a shared machine hits both kinds alike.
  for (let i = 0; i < opts.samples; i++) {
    quiet.push(await site.tick('all 304'));
    const k = changedSource(i, opts.sources);
    changedSources.push(k);
    site.sources.bump({ ids: [k] });
    changed.push(await site.tick('one changed (100 KB)'));
    ingestAlone.push(await ingestAloneMs(new Uint8Array(site.sources.body(k)), 15));
    after.push(await site.tick('quiet after a change'));
  }
  // Each change against the all-304 runs on either side of it (the one before, the quiet one after).
  const paired = changed.map((c, i) => c.cpu.totalMs - (quiet[i].cpu.totalMs + after[i].cpu.totalMs) / 2);
  const res = {
    name,
    sources: opts.sources,
    categories: CATEGORIES,
    subrequestBudget: opts.budget,
    itemsPerCategory: opts.itemsPerCategory ?? 300,
    fillRuns,
    rivers: site.riverCounts(),
    changedSources,
    changedFeedBytes: changedSources.map((k) => site.sources.body(k).length),
    cold: slim(cold),
    settling: settling.map((r) => slim(r)),
    all304: summary(quiet),
    oneChanged: summary(changed),
    quietAfterChange: summary(after),
    ingestAloneMs: { median: round(median(ingestAlone)), samples: ingestAlone },
    changeCostMs: {
      // The brief's definition: the one-changed run's CPU minus the all-304 run's, medians at this size.
      medianDifference: round(median(changed.map((r) => r.cpu.totalMs)) - median(quiet.map((r) => r.cpu.totalMs))),
      // The same, each change against the mean of the all-304 runs right before and after it (less exposed to drift).
      pairedMedian: round(median(paired)),
      paired: paired.map((x) => round(x)),
    },
    samples: {
      all304: quiet.map((r) => slim(r)),
      oneChanged: changed.map((r, i) => ({ ...slim(r), changed: changedSources[i], expectedKeys: expectedKeys(changedSources[i]) })),
    },
    largestKvValue: site.largestKvValue(),
    largestRow: site.rt.largestRow(),
    seconds: round((performance.now() - t0) / 1000, 1),
  };
  return { res, site };
}

/** CPU of single requests through the Worker's fetch handler (median of `n` each; the Cache API is a Map here). */
export async function servingCpu(site: Site, n: number) {
  const out: Record<string, { cpuMs: number; maxMs: number; kvReads: number; status: number }> = {};
  const take = async (label: string, mk: (i: number) => [string, RequestInit?]) => {
    const xs: number[] = [];
    let last = { status: 0, kvReads: 0 };
    for (let i = 0; i < n; i++) {
      const [path, init] = mk(i);
      const r = await site.request(path, init ?? {}, `fetch ${label}`);
      xs.push(r.cpuMs);
      last = { status: r.status, kvReads: r.kv.reads };
    }
    out[label] = { cpuMs: round(median(xs)), maxMs: round(Math.max(...xs)), kvReads: last.kvReads, status: last.status };
  };
  await site.request('/feeds/category-1.rss');
  await take('static route (404 JSON of an unknown path)', () => ['/nope']);
  let salt = Date.now();
  await take('feed: cache miss (RSS, 50 items)', () => [`/feeds/category-1.rss?before=9999999999999.${(++salt).toString(16)}`]);
  await take('feed: cache miss (Atom, 50 items)', () => [`/feeds/category-2.atom?before=9999999999999.${(++salt).toString(16)}`]);
  await take('feed: cache miss (JSON Feed, 50 items)', () => [`/feeds/category-3.json?before=9999999999999.${(++salt).toString(16)}`]);
  await take('page: cache miss (HTML, 50 items)', () => [`/c/category-4?before=9999999999999.${(++salt).toString(16)}`]);
  await take('feed: cached (memory / Cache API hit)', () => ['/feeds/category-1.rss']);
  await take('index page (cached)', () => ['/']);
  await take('older page (the river object answers)', () => [`/feeds/category-5.rss?before=1735700000000.${(++salt).toString(16)}`]);
  await take('status.json', () => ['/status.json']);
  return out;
}

/**
 * The Free-plan newsroom for a day: 50 sources, 7 categories, inline mode, a cron tick every 15 minutes (96), every
 * tick with one changed 100 KB source (a different one each time, any of the 50), and readers after each tick: each
 * changed category's feed in three formats and the index page, each a cache miss once (the run purged them).
 */
export async function newsroomDay(site: Site, ticks: number) {
  const runs: RunFigures[] = [];
  const serve: Record<string, number[]> = {};
  let kvWrites = 0;
  let kvReadsRuns = 0;
  let kvReadsServe = 0;
  let objectRequests = 0;
  let objectRequestsServe = 0;
  let rowsRead = 0;
  let rowsWritten = 0;
  let alarms = 0;
  const keyMismatches: { tick: number; changed: number; written: string[]; expected: string[] }[] = [];
  for (let t = 0; t < ticks; t++) {
    const k = (t * 7 + 3) % site.opts.sources;
    site.sources.bump({ ids: [k] });
    const r = await site.tick(`day tick ${t + 1}`);
    runs.push(r);
    if (!sameKeys(r.kv.writtenKeys, expectedKeys(k))) keyMismatches.push({ tick: t + 1, changed: k, written: r.kv.writtenKeys, expected: expectedKeys(k) });
    kvWrites += r.kv.writes;
    kvReadsRuns += r.kv.reads;
    objectRequests += r.objectRequestsTotal;
    rowsRead += r.sql.rowsRead;
    rowsWritten += r.sql.rowsWritten;
    alarms += r.alarms;
    const slugs = [...categoriesOf(k), 'all'];
    meter.take();
    site.rt.resetRequests();
    for (const slug of slugs) {
      for (const ext of ['rss', 'atom', 'json']) {
        const type = `fetch: feed, first request after a change (${ext})`;
        const q = await site.request(`/feeds/${slug}.${ext}`, {}, type);
        kvReadsServe += q.kv.reads;
        (serve[type] ??= []).push(q.cpuMs);
      }
    }
    const type = 'fetch: index page, first request after a change';
    const idx = await site.request('/', {}, type);
    kvReadsServe += idx.kv.reads;
    (serve[type] ??= []).push(idx.cpuMs);
    objectRequestsServe += site.rt.requests.total;
  }
  const types: Record<string, TypeSummary> = mergeTypes(runs.map((r) => r.cpu));
  for (const [type, xs] of Object.entries(serve)) {
    types[type] = {
      maxMs: round(Math.max(...xs)),
      p95Ms: round(percentile(xs, 95)),
      medianMaxMs: round(median(xs)),
      medianCountPerRun: xs.length / ticks,
      medianTotalMsPerRun: round((median(xs) * xs.length) / ticks),
      runs: xs.length,
    };
  }
  return {
    ticks,
    invocationTypes: types,
    runCpuMs: { median: round(median(runs.map((r) => r.cpu.totalMs))), max: round(Math.max(...runs.map((r) => r.cpu.totalMs))) },
    keyCheck: { runs: ticks, mismatches: keyMismatches },
    largestKvValueWritten: Math.max(...runs.map((r) => r.kv.largestValue)),
    perDay: {
      kvWrites,
      kvReadsByRuns: kvReadsRuns,
      kvReadsByFirstReaders: kvReadsServe,
      objectRequestsByRuns: objectRequests,
      objectRequestsByReaders: objectRequestsServe,
      sqlRowsRead: rowsRead,
      sqlRowsWritten: rowsWritten,
      alarms,
    },
    scaleTo96: ticks === 96 ? 1 : 96 / ticks,
  };
}

/** Queue mode: cold ticks until every source was fetched once, a quiet tick, then ticks where one 100 KB source changed. */
export async function queueScenario(name: string, sources: number, changedTicks: number) {
  const t0 = performance.now();
  const site = new Site({ name, sources, mode: 'queue', rules: queueShapeRules(0, sources) });
  await site.register();
  const cold: RunFigures[] = [];
  for (let i = 0; i < 8 && site.ingestedOnce.size < sources; i++) {
    cold.push(await site.tick(`cold tick ${i + 1}`));
    log(`  ${name}: cold tick ${i + 1}: ${site.ingestedOnce.size} of ${sources} sources ingested`);
  }
  const quiet = await site.tick('quiet tick');
  const changed: RunFigures[] = [];
  const late: RunFigures[] = [];
  for (let i = 0; i < changedTicks; i++) {
    site.sources.bump({ ids: [50 * (i + 1)] }); // a 100 KB news feed in either shape
    // A batch that carries more sources than its subrequest budget fetches hands the rest out again next tick: the
    // changed source may be among them.
    for (let t = 0; t < 3; t++) {
      const r = await site.tick('one changed (100 KB)');
      if (r.fetched[200] > 0) {
        changed.push(r);
        break;
      }
      r.label = 'one changed, not fetched this tick (its batch was over the subrequest budget)';
      late.push(r);
    }
  }
  const steady = [quiet, ...changed, ...late];
  return {
    name,
    sources,
    consumerBatch: site.opts.consumerBatch,
    subrequestBudget: 50,
    coldTicks: cold.map((r) => slim(r)),
    quiet: slim(quiet, true),
    oneChanged: changed.map((r) => slim(r, true)),
    changeFetchedLate: late.length,
    producerMs: {
      median: round(median(steady.map((r) => r.cpu.byType['queue producer (cron tick)']?.maxMs ?? 0))),
      dueSourcesMs: round(median(steady.map((r) => r.cpu.byType['Directory.dueSources']?.maxMs ?? 0))),
    },
    invocationTypes: mergeTypes(steady.map((r) => r.cpu)),
    largestKvValue: site.largestKvValue(),
    largestKvValueWritten: Math.max(...[...cold, ...steady].map((r) => r.kv.largestValue)),
    largestRow: site.rt.largestRow(),
    rivers: site.riverCounts(),
    seconds: round((performance.now() - t0) / 1000, 1),
  };
}

/**
 * Polls saved a day by WebSub (issue 13): the newsroom of 50 sources in 7 categories, half of whose feeds (the odd
 * indexes) name a hub, for a day of 96 cron ticks after warm-up, twice on fresh deployments: without the hub (every
 * source is polled each interval) and with it (the Directory's alarm subscribes, the hub stand-in verifies through
 * the Worker's callback, and the 25 pushing sources are polled as the safety net only). Polls are counted where they
 * land, per source, in the fetch stand-in: what the real scheduler (plan, stateAfter, the Directory's due index) did.
 * Every tick one non-pushing source changes (its poll finds it) and, on the hub's day, one pushing source's new story
 * is pushed to its callback, signed, and looked for in its category's JSON Feed.
 */
export async function websubDay(ticks: number) {
  const SOURCES = 50;
  const pushing = (k: number) => k % 2 === 1;
  const day = async (name: string, withHub: boolean) => {
    const site = new Site({ name, sources: SOURCES, hub: withHub ? { url: 'https://hub.example/websub', pushing } : undefined });
    await site.register();
    await site.tick('cold (all new, 200)');
    let verified = await site.verifyHubRequests();
    // Warm-up: the polls scheduled before the subscriptions were live come due once more.
    for (let i = 0; i < 8; i++) {
      await site.tick('warm-up');
      verified += await site.verifyHubRequests();
    }
    const polls = new Map<number, number>();
    const push = { sent: 0, accepted: 0, served: 0, cpu: [] as CpuFigures[] };
    for (let t = 0; t < ticks; t++) {
      const j = (t * 7) % (SOURCES / 2);
      site.sources.bump({ ids: [2 * j] }); // a source without a hub changes: only a poll finds it
      await site.tick(`day tick ${t + 1}`);
      for (const [k, n] of site.sources.servedBy) polls.set(k, (polls.get(k) ?? 0) + n);
      if (!withHub) continue;
      const k = 2 * j + 1;
      const p = await site.push(k);
      push.sent++;
      if (p.status === 202) push.accepted++;
      push.cpu.push(p.cpu);
      const feed = await site.request(`/feeds/${categoriesOf(k)[0]}.json`, {}, 'fetch: feed after a push (JSON Feed)');
      if (feed.body.includes(`/src${k}/story-${p.story}`)) push.served++;
    }
    verified += await site.verifyHubRequests();
    const sum = (pick: (k: number) => boolean) => [...polls].filter(([k]) => pick(k)).reduce((n, [, v]) => n + v, 0);
    const status = JSON.parse((await site.request('/status.json')).body) as { sources: { url: string; subscription: { state: string } | null }[] };
    const config = readConfig(site.env);
    return {
      site,
      figures: {
        pollsPerDay: sum(() => true),
        pollsOfPushingSources: sum(pushing),
        pollsOfOtherSources: sum((k) => !pushing(k)),
        perSource: {
          pushing: median([...polls].filter(([k]) => pushing(k)).map(([, v]) => v)),
          other: median([...polls].filter(([k]) => !pushing(k)).map(([, v]) => v)),
        },
        subscriptionsActive: status.sources.filter((s) => s.subscription?.state === 'active').length,
        verifications: verified,
        pushes: withHub ? { ...push, cpu: undefined, invocations: mergeTypes(push.cpu) } : undefined,
        config: { pollIntervalMinutes: config.pollIntervalMinutes, websubPollFactor: config.websubPollFactor },
      },
    };
  };
  const t0 = performance.now();
  const without = (await day('websub-off', false)).figures;
  const withHub = (await day('websub-on', true)).figures;
  const perDay = (24 * 60) / without.config.pollIntervalMinutes;
  const pushingSources = SOURCES / 2;
  // What the configuration alone says: every source each interval, a pushing one each interval × the factor.
  const computedWith = (SOURCES - pushingSources) * perDay + pushingSources * (perDay / withHub.config.websubPollFactor);
  return {
    sources: SOURCES,
    pushingSources,
    ticks,
    without,
    with: withHub,
    pollsSavedPerDay: (without.pollsPerDay - withHub.pollsPerDay) * (96 / ticks),
    computed: { without: SOURCES * perDay, with: computedWith, saved: SOURCES * perDay - computedWith },
    seconds: round((performance.now() - t0) / 1000, 1),
  };
}

export const METHOD = {
  cpu: CPU_SOURCE,
  meterOverheadUs: round(METER_OVERHEAD_US, 3),
  attribution:
    'one invocation runs at a time (sibling object calls in sequence, MAX_CONCURRENCY=1, HOST_SPACING_MS=0); a stack of timers charges CPU to the running invocation at every object call and return; arguments and results cross calls through structuredClone (charged to the caller and the callee); objects are evicted between runs (a 15-minute cron meets cold objects) and constructed inside the first request that needs them; the JIT stays warm (one process per group of scenarios, warm-up runs first)',
  fetchStandIn: 'fetch answered in memory from the SourceSet the HTTP origin serves; its own CPU is measured apart (stubMs) and excluded from every figure',
  clock: 'simulated: ticks 15 minutes apart, timers of the code under test advance it (no sleeping for KV write gaps)',
};

/** One group of the Node half, in its own process (bench/run.mjs): its own heap, its own warm-up. */
export async function scenarioGroup(group: string, quick: boolean): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const out: Record<string, unknown> = {};
  if (group === 'newsroom') {
    log('runs (Node): 50 sources, 7 categories …');
    const n50 = await inlineScenario('inline-50', { sources: 50, budget: 50, samples: quick ? 5 : 11 });
    out['inline-50'] = n50.res;
    log('runs (Node): serving CPU per request …');
    out.serving = await servingCpu(n50.site, quick ? 5 : 15);
    log(`runs (Node): the newsroom for a day (${quick ? 32 : 96} ticks) …`);
    out.day = await newsroomDay(n50.site, quick ? 32 : 96);
  } else if (group === 'inline-500') {
    log('runs (Node): 500 sources …');
    out['inline-500'] = (await inlineScenario('inline-500', { sources: 500, budget: 500, samples: quick ? 3 : 7 })).res;
  } else if (group === 'inline-50-long') {
    log('runs (Node): 50 sources, rivers of 3,000 …');
    out['inline-50-long'] = (
      await inlineScenario('inline-50-long', { sources: 50, budget: 50, samples: quick ? 4 : 9, itemsPerCategory: 3000, fillTo: 3000 })
    ).res;
  } else if (group === 'queue-500') {
    log('runs (Node): queue mode, 500 sources …');
    out['queue-500'] = await queueScenario('queue-500', 500, 2);
  } else if (group === 'websub') {
    log(`runs (Node): WebSub, 50 sources of which 25 push, a day (${quick ? 32 : 96} ticks) with and without the hub …`);
    out.websubDay = await websubDay(quick ? 32 : 96);
  } else if (group === 'queue-10000') {
    log('runs (Node): queue mode, 10,000 sources …');
    out['queue-10000'] = await queueScenario('queue-10000', 10_000, 2);
  } else throw new Error(`no scenario group ${group}`);
  out.method = METHOD;
  out.seconds = round((performance.now() - t0) / 1000, 1);
  return out;
}
