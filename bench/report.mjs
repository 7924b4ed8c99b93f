// From the bench's raw figures (bench/run.mjs gathers them) to issue 10's targets, the daily Free-plan figures, the
// queue-mode figures and the printed table.
const FREE = {
  kvWritesPerDay: 1000,
  kvReadsPerDay: 100_000,
  queueOpsPerDay: 10_000,
  objectRequestsPerDay: 100_000,
  sqlRowsReadPerDay: 5_000_000,
  sqlRowsWrittenPerDay: 100_000,
  externalSubrequests: 50,
  serviceSubrequests: 1000,
  cpuMsPerInvocation: 10,
};
const RUNS_PER_DAY = (24 * 60) / 15;
const CATEGORIES = 7;
const MIB = 1024 * 1024;

const fmt = (x, d = 2) => (x === undefined || x === null || Number.isNaN(x) ? '–' : Number(x).toFixed(d));
const int = (x) => (x === undefined || x === null || Number.isNaN(x) ? '–' : Math.round(x).toLocaleString('en-US'));
const kb = (bytes) => `${fmt(bytes / 1024, 1)} KB`;
const median = (xs) => {
  const s = xs.filter((x) => x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Cycles of a workerd deployment by label. */
function cycles(dep, label) {
  return (dep?.cycles ?? []).filter((c) => c.label === label);
}

function medianOf(list, pick) {
  return median(list.map(pick));
}

/** "a ms (b–c, n runs)" */
function spread(s) {
  return `${fmt(s.median)} ms (range ${fmt(s.min)}–${fmt(s.max)})`;
}

function byTypeText(byType, keys = 'medianTotalMsPerRun') {
  return Object.entries(byType)
    .sort((a, b) => b[1][keys] - a[1][keys])
    .map(([t, v]) => `${t} ${fmt(v[keys])}`)
    .join(', ');
}

/** Within 20 % of the reference: at most 1.2× (cheaper counts as within). Equal zeros are within. */
function within20(x, ref) {
  if (ref === 0) return x === 0 ? { ok: true, ratio: 1 } : { ok: false, ratio: Infinity };
  const ratio = x / ref;
  return { ok: ratio <= 1.2, ratio };
}

// ───────────────────────────── daily figures ─────────────────────────────

export function dailyFigures(r) {
  const w50 = r.workerd?.['inline-50'];
  const n50 = r.runs?.['inline-50'];
  const day = r.runs?.day;
  if (!w50 && !n50) return undefined;
  const one = cycles(w50, 'one changed (100 KB)');
  const quiet = cycles(w50, 'all 304');
  const perRun = {
    kvWrites: one.length ? medianOf(one, (c) => c.kv.writes) : n50?.oneChanged.kv.writes,
    kvReads: one.length ? medianOf(one, (c) => c.kv.reads) : n50?.oneChanged.kv.reads,
    objectRequests: one.length ? medianOf(one, (c) => c.objectRequests.total) : n50?.oneChanged.objectRequests,
    objectRequests304: quiet.length ? medianOf(quiet, (c) => c.objectRequests.total) : n50?.all304.objectRequests,
    sqlRowsRead: one.length ? medianOf(one, (c) => c.sql.rowsRead) : undefined,
    sqlRowsWritten: one.length ? medianOf(one, (c) => c.sql.rowsWritten) : undefined,
    sqlRowsRead304: quiet.length ? medianOf(quiet, (c) => c.sql.rowsRead) : undefined,
    sqlRowsWritten304: quiet.length ? medianOf(quiet, (c) => c.sql.rowsWritten) : undefined,
    fetches: one.length ? medianOf(one, (c) => c.fetches) : 50,
  };
  const serving = r.workerd?.serving ?? [];
  const readsOf = (label) => serving.find((s) => s.label.startsWith(label))?.kv.reads;
  const maxReads = serving.length ? Math.max(...serving.map((s) => s.kv.reads)) : undefined;
  // Reads come from readers. The version pointer of a river is cached 60 s in the colo's Cache API (10 s in an
  // isolate's memory): a colo reads a river's page at most once a minute while readers keep asking, and a request
  // that finds the pointer reads nothing (the rendered answer is cached under the version).
  const readers = 20;
  const feeds = CATEGORIES + 1; // 7 category rivers and all; formats share one page and one pointer
  const minutesHit = 15 * (1 - (14 / 15) ** readers); // distinct minutes of an interval in which ≥ 1 of N readers asks
  const readsPerDayOneColo = Math.round((feeds + 1) * minutesHit * RUNS_PER_DAY);
  const busyColoPerDay = (feeds + 1) * 24 * 60;
  const perChangeObjectRequests = perRun.objectRequests - perRun.objectRequests304;
  const q500 = r.workerd?.['queue-500'] ?? r.runs?.['queue-500'];
  const sourcesPerMessage = (() => {
    const t = r.workerd?.['queue-500']?.ticks?.find((x) => x.label === 'quiet tick');
    return t ? t.sourcesSent / t.messages : 10;
  })();
  const newsroomMessages = Math.ceil(50 / sourcesPerMessage);
  const queueOpsPerMessage = 3; // write, read, delete; per 64 KB (a message here is ~170 bytes)
  const queueOpsPerDayNewsroom = newsroomMessages * queueOpsPerMessage * RUNS_PER_DAY;
  const maxSourcesQueueFree = Math.floor(FREE.queueOpsPerDay / queueOpsPerMessage / RUNS_PER_DAY) * sourcesPerMessage;
  return {
    deployment:
      '50 sources, 7 categories, inline mode (no queue), cron every 15 minutes (96 runs a day), SUBREQUEST_BUDGET 50; every run has one changed 100 KB source',
    perRun,
    kvWritesPerDay: perRun.kvWrites * RUNS_PER_DAY,
    kvWritesPerDaySimulated: day?.perDay?.kvWrites !== undefined ? Math.round(day.perDay.kvWrites * (day.scaleTo96 ?? 1)) : undefined,
    kvWritesMaxPerRun: CATEGORIES + 2,
    kvWritesNote: `a run writes the page of each changed river (at most ${CATEGORIES} categories + all) and the index: at most ${CATEGORIES + 2} writes a run, ${(CATEGORIES + 2) * RUNS_PER_DAY} a day however many sources change, so runs alone never reach the 1,000 (admin changes add a few)`,
    kvReadsPerDayByRuns: perRun.kvReads * RUNS_PER_DAY,
    kvReadsPerRequest: {
      first: readsOf('first request of a feed'),
      cached: readsOf('cached feed'),
      notModified: readsOf('304'),
      missPointerKnown: readsOf('cache miss (unique'),
      index: readsOf('index page (first)'),
      olderPage: readsOf('second page'),
      max: maxReads,
    },
    kvReadsAssumption: `readers in one colo; each of the ${feeds} feeds (7 categories + all, any format) and the index page asked by ${readers} readers per 15-minute interval at random times; the Cache API in front (a rendered answer is cached under the river's version, the version pointer 60 s)`,
    kvReadsPerDay: readsPerDayOneColo,
    kvReadsBusyColoPerDay: busyColoPerDay,
    kvReadsLimitAt: `${fmt(FREE.kvReadsPerDay / busyColoPerDay, 1)} colos where every feed is asked at least once a minute (${int(busyColoPerDay)} reads a day each); changed sources add none, except the purge after a run with changes (≤ ${CATEGORIES + 2} reads, in the cron's colo only)`,
    objectRequestsPerDay: perRun.objectRequests * RUNS_PER_DAY,
    objectRequestsPerChangedSource: perChangeObjectRequests,
    objectRequestsLimitAt: Math.floor((FREE.objectRequestsPerDay - perRun.objectRequests304 * RUNS_PER_DAY) / Math.max(1, perChangeObjectRequests)),
    sqlRowsPerDay: perRun.sqlRowsRead !== undefined ? { read: perRun.sqlRowsRead * RUNS_PER_DAY, written: perRun.sqlRowsWritten * RUNS_PER_DAY } : undefined,
    sqlRowsWrittenLimitAt:
      perRun.sqlRowsWritten !== undefined
        ? Math.floor((FREE.sqlRowsWrittenPerDay - perRun.sqlRowsWritten304 * RUNS_PER_DAY) / Math.max(1, perRun.sqlRowsWritten - perRun.sqlRowsWritten304))
        : undefined,
    queueOpsPerDayInline: 0,
    queueMode: {
      sourcesPerMessage,
      messagesPerTick: newsroomMessages,
      opsPerMessage: queueOpsPerMessage,
      opsPerDay: queueOpsPerDayNewsroom,
      sourcesAtLimit: maxSourcesQueueFree,
    },
    queue500OpsPerDay: q500?.ticks ? (q500.ticks.find((t) => t.label === 'quiet tick')?.messages ?? 0) * queueOpsPerMessage * RUNS_PER_DAY : undefined,
    limits: FREE,
  };
}

// ───────────────────────────── queue mode ─────────────────────────────

export function queueFigures(r) {
  const out = {};
  for (const n of [500, 10000]) {
    const w = r.workerd?.[`queue-${n}`];
    const node = n === 500 ? r.runs?.['queue-500'] : r.runsQueue10k;
    if (!w && !node) continue;
    const steady = w?.ticks?.find((t) => t.label === 'one changed (100 KB)');
    const quiet = w?.ticks?.find((t) => t.label === 'quiet tick');
    const nodeOne = node?.oneChanged?.[0];
    // Every measured batch of the steady ticks (Node): the batch invocation plus the object calls it made.
    const allBatches = [node?.quiet, ...(node?.oneChanged ?? [])].flatMap((t) => t?.batches ?? []);
    const withCalls = allBatches.map((b) => b.cpuMs).sort((a, b) => a - b);
    const pct = (xs, p) => (xs.length ? xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)] : undefined);
    const types = node?.invocationTypes ?? {};
    out[n] = {
      sources: n,
      consumerBatch: w?.consumerBatch ?? node?.consumerBatch,
      messagesPerTick: steady?.messages ?? nodeOne?.queue?.messages,
      maxMessageBytes: steady?.maxMessageBytes ?? nodeOne?.queue?.maxMessageBytes,
      batchesPerTick: steady?.batches ?? nodeOne?.batchSummary?.batches,
      sourcesSentPerTick: steady?.sourcesSent ?? nodeOne?.batchSummary?.sourcesSent,
      sourcesFetchedPerTick: steady?.fetched ?? nodeOne?.batchSummary?.polled,
      coldTicksUntilAllFetched: w?.ticks?.filter((t) => t.label.startsWith('cold')).length ?? node?.coldTicks?.length,
      producer: {
        cpuMs: types['queue producer (cron tick)']?.maxMs,
        dueSourcesCpuMs: types['Directory.dueSources']?.maxMs,
        kvOps: steady?.producer?.kvOps,
        objectRequests: steady?.producer?.objectRequests?.total,
        sqlRowsRead: steady?.producer?.sql?.rowsRead,
        sqlRowsWritten: steady?.producer?.sql?.rowsWritten,
      },
      consumer: {
        cpuMsMedian: nodeOne?.batchSummary?.consumerInvocationMs?.median,
        cpuMsMax: types['queue batch (consumer)']?.maxMs,
        withObjectCallsMsMax: withCalls.length ? withCalls[withCalls.length - 1] : nodeOne?.batchSummary?.batchWithItsObjectCallsMs?.max,
        withObjectCallsMsMedian: pct(withCalls, 0.5),
        withObjectCallsMsP95: pct(withCalls, 0.95),
        batchesMeasured: withCalls.length,
        kvOpsMax: steady?.consumer?.maxKvOps ?? nodeOne?.batchSummary?.kvOpsMax,
        kvOpsQuietMax: quiet?.consumer?.maxKvOps,
        objectRequestsMax: steady?.consumer?.maxObjectRequests ?? nodeOne?.batchSummary?.objectRequestsMax,
        fetchesMax: steady?.consumer?.maxFetches,
        sqlRowsReadMax: steady?.consumer?.maxSqlRowsRead,
        sqlRowsWrittenMax: steady?.consumer?.maxSqlRowsWritten,
      },
      sqlRowsPerTick: steady
        ? {
            read: (steady.producer?.sql?.rowsRead ?? 0) + (steady.consumer?.sqlRowsRead ?? 0),
            written: (steady.producer?.sql?.rowsWritten ?? 0) + (steady.consumer?.sqlRowsWritten ?? 0),
          }
        : undefined,
      invocationMaxMs: Object.fromEntries(Object.entries(types).map(([t, v]) => [t, v.maxMs])),
      largestKvValue: Math.max(w?.largestKvValue ?? 0, node?.largestKvValueWritten ?? 0),
      largestKvValueKey: node?.largestKvValue?.key,
      largestRow: Math.max(node?.largestRow?.bytes ?? 0, ...Object.values(w?.largestRows ?? {})),
      largestRowWhere: node?.largestRow?.where,
      largestRowsWorkerd: w?.largestRows,
      maxKvOpsAnyInvocation: Math.max(steady?.producer?.kvOps ?? 0, ...(w?.ticks ?? []).map((t) => Math.max(t.producer.kvOps, t.consumer.maxKvOps))),
      acked: w?.ticks?.every((t) => t.acked),
      retried: w?.ticks?.some((t) => t.retried),
    };
  }
  return out;
}

// ───────────────────────────── targets ─────────────────────────────

export function targets(r) {
  const out = [];
  const add = (name, met, figure) => out.push({ name, met, figure });
  const notMeasured = (name, why) => add(name, null, `not measured: ${why}`);

  // Kept from before: ingest vs peers, memory, render, cached serve.
  const rss = r.ingestTable?.find((x) => x.input.startsWith('news RSS'));
  const atom = r.ingestTable?.find((x) => x.input.startsWith('news Atom'));
  if (rss && atom) {
    add('ingest 100 KB RSS faster than feedsmith parse', rss.vsFeedsmith < 1, `${fmt(rss.vsFeedsmith)}× feedsmith's time (Atom: ${fmt(atom.vsFeedsmith)}×)`);
    add('ingest 100 KB RSS faster than rss-parser parse', rss.vsRssParser < 1, `${fmt(rss.vsRssParser)}× rss-parser's time (Atom: ${fmt(atom.vsRssParser)}×)`);
    add(
      'ingest 100 KB RSS within 1.3× of fast-xml-parser (feed options)',
      rss.vsFastXmlParser <= 1.3,
      `${fmt(rss.vsFastXmlParser)}× (Atom: ${fmt(atom.vsFastXmlParser)}×)`,
    );
  }
  const mem = r.memory5MB?.find((m) => m.name === 'tributary ingest');
  if (mem && !mem.error)
    add(
      'peak memory for the 5 MB feed well inside 128 MB (under 64 MB)',
      mem.peakRssGrowthMB < 64,
      `peak RSS growth ${mem.peakRssGrowthMB} MB, result ${mem.retainedResultMB} MB`,
    );
  if (r.render?.formats) {
    const rend = r.render.formats;
    const feedOverOurs = (f) => rend[f]['feed package'].medianMs / rend[f]['tributary render'].medianMs;
    for (const f of ['rss', 'atom', 'json']) add(`render ${f} ≥ 4× faster than feed`, feedOverOurs(f) >= 4, `${fmt(feedOverOurs(f))}× faster`);
  }
  const serve = r.serving?.runs;
  const sBase = serve?.find((x) => x.name.startsWith('baseline'));
  const sCached = serve?.find((x) => x.name.startsWith('cached'));
  const sMiss = serve?.find((x) => x.name.startsWith('cache miss'));
  if (sCached) {
    add(
      'cached serve within 1.5× of the baseline route',
      sCached.baselineOverThis <= 1.5,
      `baseline ${sBase.requestsPerSec} req/s vs cached ${sCached.requestsPerSec} req/s: ${fmt(sCached.baselineOverThis)}× (median of per-round ratios); p99 ${sCached.latencyMs.p99} vs ${sBase.latencyMs.p99} ms`,
    );
  }

  // Issue 10.
  const n50 = r.runs?.['inline-50'];
  const n500 = r.runs?.['inline-500'];
  const long = r.runs?.['inline-50-long'];
  const w50 = r.workerd?.['inline-50'];
  const w500 = r.workerd?.['inline-500'];
  const wLong = r.workerd?.['inline-50-long'];
  const T = {
    quiet: '50 sources / 7 categories: an all-304 run ≤ 3 ms CPU',
    one: "50 sources / 7 categories: a run in which one 100 KB source changed ≤ that feed's ingest time + 3 ms",
    at500: 'one changed source at 500 sources: CPU (fetches aside), KV bytes read and written within 20 % of the 50-source figure',
    long: 'one changed source with rivers ten times as long: CPU (fetches aside), KV bytes read and written within 20 % of the 50-source figure',
    perSource: 'all-304 run ≤ 0.1 ms CPU per polled source',
    writes: 'a run writes the changed items plus at most one page-sized document per changed category, never a whole river',
    newsroom: 'every invocation type of the Free-plan newsroom setup under 10 ms CPU',
    kvWrites: 'Free plan: KV writes a day',
    kvReads: 'Free plan: KV reads a day',
    queueOps: 'Free plan: Queue operations a day',
    objects: 'Free plan: Durable Object requests a day',
    queue: 'queue mode, 500 and 10,000 sources: CPU and KV operations per producer tick and per consumer batch, and the largest stored value',
    miss: "serving: a cache miss within 1.5× of the static route's time",
    oneRead: 'serving: one KV read per request at most',
  };

  if (n50) {
    const q = n50.all304;
    add(
      T.quiet,
      q.cpuMs.median <= 3,
      `${spread(q.cpuMs)}, median of ${q.samples} runs of 50 fetches (all 304); per run: ${byTypeText(q.byType)} ms; fetch stand-in ${fmt(q.stubMs)} ms excluded (Node, CPU per invocation)`,
    );
    const o = n50.oneChanged;
    const ing = n50.ingestAloneMs.median;
    add(
      T.one,
      o.cpuMs.median <= ing + 3,
      `${spread(o.cpuMs)} vs ${fmt(ing)} ms ingest of the same 100 KB feed alone + 3 = ${fmt(ing + 3)} ms (${fmt(o.cpuMs.median - ing)} ms beyond the ingest); per run: ${byTypeText(o.byType)} ms`,
    );
  } else notMeasured(T.quiet, 'the Node runs failed');

  const bytesOf = (w, node, pick) => {
    const c = cycles(w, 'one changed (100 KB)');
    return c.length ? medianOf(c, pick) : node ? pick({ kv: node.oneChanged.kv }) : undefined;
  };
  const compare = (name, other, wOther, what) => {
    if (!n50 || !other) return notMeasured(name, 'the Node runs of this size failed');
    // Each change against the all-304 runs right before and after it, medians over the samples.
    const c50 = n50.changeCostMs.pairedMedian;
    const cX = other.changeCostMs.pairedMedian;
    const cpu = within20(cX, c50);
    const r50 = bytesOf(w50, n50, (c) => c.kv.bytesRead);
    const rX = bytesOf(wOther, other, (c) => c.kv.bytesRead);
    const w50b = bytesOf(w50, n50, (c) => c.kv.bytesWritten);
    const wXb = bytesOf(wOther, other, (c) => c.kv.bytesWritten);
    const rd = within20(rX, r50);
    const wr = within20(wXb, w50b);
    add(
      name,
      cpu.ok && rd.ok && wr.ok,
      `CPU of the change ("fetches aside": the one-changed run's CPU minus the all-304 runs' at the same size, each change against the all-304 runs right before and after it, median of ${other.changeCostMs.paired?.length ?? '?'}): ${fmt(cX)} ms ${what} vs ${fmt(c50)} ms at 50 sources = ${fmt(cpu.ratio)}× (difference of the medians: ${fmt(other.changeCostMs.medianDifference)} vs ${fmt(n50.changeCostMs.medianDifference)} ms); KV bytes read ${int(rX)} vs ${int(r50)}; written ${int(wXb)} vs ${int(w50b)} = ${fmt(wr.ratio)}× (workerd)`,
    );
  };
  compare(T.at500, n500, w500, 'at 500 sources');
  compare(
    T.long,
    long,
    wLong,
    `with rivers of ${long ? Math.min(...Object.values(long.rivers)) : '?'}+ entries (ITEMS_PER_CATEGORY ${long?.itemsPerCategory}, filled in ${long?.fillRuns} runs)`,
  );

  if (n50 && n500) {
    const p50 = n50.all304.cpuMs.median / 50;
    const p500 = n500.all304.cpuMs.median / 500;
    add(
      T.perSource,
      p50 <= 0.1 && p500 <= 0.1,
      `${fmt(p50, 3)} ms per source at 50 (${fmt(n50.all304.cpuMs.median)} ms a run), ${fmt(p500, 3)} ms at 500 (${fmt(n500.all304.cpuMs.median)} ms a run)`,
    );
  }

  {
    // Every one-changed run: KV keys written = the pages of the changed source's categories, page:all and index.
    const checks = [];
    for (const [name, dep] of Object.entries(r.workerd ?? {})) {
      for (const c of cycles(dep, 'one changed (100 KB)')) {
        const got = [...c.kv.writtenKeys].sort();
        checks.push({
          where: `workerd ${name}`,
          ok: JSON.stringify(got) === JSON.stringify(c.expectedKeys),
          got,
          expected: c.expectedKeys,
          bytes: c.kv.bytesWritten,
          largest: c.kv.largestValue,
          rows: c.sql.rowsWritten,
        });
      }
    }
    for (const name of ['inline-50', 'inline-500', 'inline-50-long']) {
      for (const s of r.runs?.[name]?.samples?.oneChanged ?? []) {
        const got = [...s.kv.writtenKeys].sort();
        checks.push({
          where: `node ${name}`,
          ok: JSON.stringify(got) === JSON.stringify(s.expectedKeys),
          got,
          expected: s.expectedKeys,
          bytes: s.kv.bytesWritten,
          largest: s.kv.largestValue,
        });
      }
    }
    const dayMismatches = r.runs?.day?.keyCheck?.mismatches ?? [];
    const bad = checks.filter((c) => !c.ok);
    const largestPage = Math.max(...checks.map((c) => c.largest ?? 0));
    const wc = checks.find((c) => c.where === 'workerd inline-50');
    add(
      T.writes,
      checks.length > 0 && bad.length === 0 && dayMismatches.length === 0 && largestPage < MIB,
      checks.length
        ? `${checks.length - bad.length} of ${checks.length} one-changed runs (workerd and Node, 50/500/long rivers) and ${(r.runs?.day?.keyCheck?.runs ?? 0) - dayMismatches.length} of ${r.runs?.day?.keyCheck?.runs ?? 0} newsroom-day runs wrote exactly page:<its category>, page:all and index, each once${wc ? ` (e.g. ${wc.got.join(', ')}: ${kb(wc.bytes)})` : ''}; largest value written ${kb(largestPage)} (a 50-item page; a river of 300 is never written to KV); the items themselves go to the River's SQLite (${wc?.rows ?? '?'} rows written in that run)${
            bad.length
              ? `; WRONG: ${bad
                  .slice(0, 3)
                  .map((b) => `${b.where} wrote ${b.got.join(',')} expected ${b.expected.join(',')}`)
                  .join('; ')}`
              : ''
          }${dayMismatches.length ? `; day mismatches: ${JSON.stringify(dayMismatches.slice(0, 2))}` : ''}`
        : 'no one-changed run measured',
    );
  }

  const day = r.runs?.day;
  if (day) {
    const types = Object.entries(day.invocationTypes).sort((a, b) => b[1].maxMs - a[1].maxMs);
    const over = types.filter(([, v]) => v.maxMs >= FREE.cpuMsPerInvocation);
    const overP95 = types.filter(([, v]) => v.p95Ms >= FREE.cpuMsPerInvocation);
    add(
      T.newsroom,
      over.length === 0,
      `${day.ticks} ticks (a day) with one changed 100 KB source each, readers after each: largest single invocation per type (p95 in brackets): ${types.map(([t, v]) => `${t} ${fmt(v.maxMs)} (${fmt(v.p95Ms)})`).join('; ')}${over.length ? `; over 10 ms: ${over.map(([t]) => t).join(', ')}${overP95.length < over.length ? ` (p95 under 10 ms for ${over.length - overP95.length} of them: single outliers)` : ''}` : ''}`,
    );
  } else notMeasured(T.newsroom, 'the Node runs failed');

  const daily = dailyFigures(r);
  if (daily) {
    add(
      T.kvWrites,
      daily.kvWritesPerDay <= FREE.kvWritesPerDay,
      `${int(daily.kvWritesPerDay)} a day (${daily.perRun.kvWrites} a run × 96; the simulated day: ${int(daily.kvWritesPerDaySimulated)}) of 1,000; changed sources a day to reach the limit: none — ${daily.kvWritesNote}`,
    );
    const k = daily.kvReadsPerRequest;
    add(
      T.kvReads,
      daily.kvReadsPerDay + daily.kvReadsPerDayByRuns <= FREE.kvReadsPerDay,
      `runs read ${int(daily.kvReadsPerDayByRuns)}; readers ~${int(daily.kvReadsPerDay)} a day under the assumption (${daily.kvReadsAssumption}); measured per request: first request of a feed ${k.first}, cached ${k.cached}, 304 ${k.notModified}, cache miss with the version known ${k.missPointerKnown}, index page ${k.index}, an older page ${k.olderPage} (+ 1 object request); the limit is reached at ${daily.kvReadsLimitAt}`,
    );
    const qm = daily.queueMode;
    add(
      T.queueOps,
      daily.queueOpsPerDayInline <= FREE.queueOpsPerDay && qm.opsPerDay <= FREE.queueOpsPerDay,
      `0 a day inline (the Free newsroom has no queue); in queue mode the same newsroom sends ${qm.messagesPerTick} messages a tick (${qm.sourcesPerMessage} sources each, ~170 bytes: one 64 KB unit) × 3 operations × 96 = ${int(qm.opsPerDay)} a day of 10,000; changed sources do not count (every due source is sent each tick): the limit is reached at ~${int(qm.sourcesAtLimit)} sources polled every 15 minutes${daily.queue500OpsPerDay ? ` (500 sources: ${int(daily.queue500OpsPerDay)} a day)` : ''}`,
    );
    add(
      T.objects,
      daily.objectRequestsPerDay <= FREE.objectRequestsPerDay,
      `${int(daily.objectRequestsPerDay)} a day (${daily.perRun.objectRequests} a run with one change, ${daily.perRun.objectRequests304} an all-304 run; readers 0 unless they page back or filter: 1 each) of 100,000; each changed source costs ${daily.objectRequestsPerChangedSource} (Feed.ingest, River.merge per river, River.flush per river, Directory.finishRun): the limit is reached at ~${int(daily.objectRequestsLimitAt)} changed sources a day`,
    );
    if (daily.sqlRowsPerDay) {
      add(
        'Free plan: SQLite rows read and written a day (Durable Objects)',
        daily.sqlRowsPerDay.read <= FREE.sqlRowsReadPerDay && daily.sqlRowsPerDay.written <= FREE.sqlRowsWrittenPerDay,
        `${int(daily.sqlRowsPerDay.read)} read (of 5,000,000) and ${int(daily.sqlRowsPerDay.written)} written (of 100,000) a day: ${int(daily.perRun.sqlRowsRead)} / ${int(daily.perRun.sqlRowsWritten)} rows a run with one change, ${int(daily.perRun.sqlRowsRead304)} / ${int(daily.perRun.sqlRowsWritten304)} all-304 (workerd, SqlStorage cursors' rowsRead/rowsWritten); writes reach the limit at ~${int(daily.sqlRowsWrittenLimitAt)} changed sources a day`,
      );
    }
  }

  const qf = queueFigures(r);
  if (qf[500] || qf[10000]) {
    const parts = [];
    let ok = true;
    for (const n of [500, 10000]) {
      const q = qf[n];
      if (!q) {
        parts.push(`${n.toLocaleString('en-US')}: not measured${r.quick ? ' (--quick)' : ''}`);
        ok = false;
        continue;
      }
      ok &&= q.maxKvOpsAnyInvocation < 1000 && q.largestKvValue <= MIB && q.largestRow <= MIB;
      parts.push(
        `${n.toLocaleString('en-US')} sources: producer tick ${fmt(q.producer.cpuMs)} ms in the Worker + ${fmt(q.producer.dueSourcesCpuMs)} ms Directory.dueSources, ${q.producer.kvOps ?? '–'} KV ops, ${q.messagesPerTick} messages; consumer batch (${q.consumerBatch} messages, ${q.sourcesSentPerTick && q.batchesPerTick ? Math.round(q.sourcesSentPerTick / q.batchesPerTick) : '?'} sources) ${fmt(q.consumer.cpuMsMedian)} ms median / ${fmt(q.consumer.cpuMsMax)} ms max in the Worker (with the object calls it made: median ${fmt(q.consumer.withObjectCallsMsMedian)}, p95 ${fmt(q.consumer.withObjectCallsMsP95)}, max ${fmt(q.consumer.withObjectCallsMsMax)} ms over ${q.consumer.batchesMeasured} batches), ≤ ${q.consumer.kvOpsMax} KV ops, ≤ ${q.consumer.objectRequestsMax} object requests; ${q.sourcesFetchedPerTick} of ${q.sourcesSentPerTick} sources fetched a tick; largest KV value ${kb(q.largestKvValue)}, largest object row ${kb(q.largestRow)}`,
      );
    }
    add(T.queue, ok, parts.join(' — '));
  } else notMeasured(T.queue, 'the queue runs failed');

  if (sMiss) {
    add(
      T.miss,
      sMiss.meanLatencyOverBaseline <= 1.5,
      `cache miss ${sMiss.requestsPerSec} req/s, mean ${sMiss.latencyMs.mean} ms vs the static route (404 JSON) ${sBase.requestsPerSec} req/s, ${sBase.latencyMs.mean} ms: ${fmt(sMiss.meanLatencyOverBaseline)}× its time (throughput ratio ${fmt(sMiss.baselineOverThis)}×), wrangler dev, ${r.serving.connections} connections, median of ${r.serving.rounds} rounds; CPU in Node (median): a miss ${fmt(r.runs?.serving?.['feed: cache miss (RSS, 50 items)']?.cpuMs)} ms, the static route ${fmt(r.runs?.serving?.['static route (404 JSON of an unknown path)']?.cpuMs)} ms, a hit ${fmt(r.runs?.serving?.['feed: cached (memory / Cache API hit)']?.cpuMs)} ms`,
    );
  } else notMeasured(T.miss, r.serving?.error ? `serving failed: ${r.serving.error.split('\n')[0]}` : 'serving not run');

  const ws = r.workerd?.serving;
  if (ws?.length) {
    const max = Math.max(...ws.map((s) => s.kv.reads));
    add(T.oneRead, max <= 1, `KV reads per request (workerd, kvUsage): ${ws.map((s) => `${s.label} ${s.kv.reads}`).join('; ')}`);
  } else notMeasured(T.oneRead, 'the workerd part failed');

  websubTargets(r, add, notMeasured);
  const b = r.bundle;
  const BUNDLE = "Worker bundle within the Free plan's 3 MB (gzip), as wrangler deploy uploads it";
  if (b?.gzipBytes)
    add(
      BUNDLE,
      b.gzipBytes <= b.freePlanLimitBytes,
      `${fmt(b.gzipBytes / 1024, 0)} KB gzip (${fmt(b.bytes / 1024, 0)} KB raw) = ${fmt((100 * b.gzipBytes) / b.freePlanLimitBytes, 1)} % of 3 MB`,
    );
  else notMeasured(BUNDLE, b?.error ? `failed: ${b.error.split('\n')[0]}` : 'run npm run bench -- --bundle');
  return out;
}

// ───────────────────────────── WebSub (issue 13) ─────────────────────────────

const WS = {
  served: "WebSub: push to served (the hub's POST to the item in its category's JSON Feed) ≤ 1 s",
  saved: 'WebSub: polls saved a day, 50 sources of which 25 push ≥ 2,000',
};

function websubTargets(r, add, notMeasured) {
  const w = r.websub;
  const l = w?.latency;
  if (l && !l.error) {
    const s = l.pushToServedMs;
    add(
      WS.served,
      s.median <= 1000,
      `median ${fmt(s.median, 0)} ms, p95 ${fmt(s.p95, 0)} ms (${l.pushes} pushes of a ${kb(l.feedBytes)} feed, ${fmt(l.spacingMs / 1000, 1)} s apart; the hub's POST alone ${fmt(l.hubPostMs.median, 0)} / ${fmt(l.hubPostMs.p95, 0)} ms; ${l.pollsDuringPushes} polls meanwhile), wrangler dev, the real callback route and objects; a poll every 15 minutes serves a story 7.5 minutes late on average`,
    );
  } else notMeasured(WS.served, l?.error ? `failed: ${l.error.split('\n')[0]}` : 'run npm run bench -- --websub');
  const d = w?.day;
  if (d && !d.error) {
    add(
      WS.saved,
      d.pollsSavedPerDay >= 2000,
      `${int(d.without.pollsPerDay)} → ${int(d.with.pollsPerDay)} polls a day: ${int(d.pollsSavedPerDay)} saved, measured over ${d.ticks} cron ticks of the real scheduler (Node harness): a pushing source ${d.with.perSource.pushing} polls a day, the others ${d.with.perSource.other}; ${d.with.subscriptionsActive} subscriptions active, ${d.with.pushes.served}/${d.with.pushes.sent} pushed stories served; the config (POLL_INTERVAL_MINUTES ${d.with.config.pollIntervalMinutes}, WEBSUB_POLL_FACTOR ${d.with.config.websubPollFactor}) says ${int(d.computed.without)} → ${int(d.computed.with)}`,
    );
  } else notMeasured(WS.saved, d?.error ? `failed: ${d.error.split('\n')[0]}` : 'run npm run bench -- --websub');
}

// ───────────────────────────── per-invocation CPU ─────────────────────────────

export function invocationRows(r) {
  const rows = [];
  const day = r.runs?.day?.invocationTypes ?? {};
  const n500 = r.runs?.['inline-500']?.oneChanged?.byType ?? {};
  const q10 = r.runsQueue10k?.invocationTypes ?? {};
  const q500 = r.runs?.['queue-500']?.invocationTypes ?? {};
  const types = new Set([...Object.keys(day), ...Object.keys(n500), ...Object.keys(q500), ...Object.keys(q10)]);
  for (const t of [...types].sort()) {
    rows.push({
      type: t,
      newsroomMaxMs: day[t]?.maxMs,
      newsroomP95Ms: day[t]?.p95Ms,
      newsroomMedianMs: day[t]?.medianMaxMs,
      perRun: day[t]?.medianCountPerRun,
      inline500MaxMs: n500[t]?.maxMs,
      queue500MaxMs: q500[t]?.maxMs,
      queue10kMaxMs: q10[t]?.maxMs,
    });
  }
  return rows;
}

// ───────────────────────────── the printed table ─────────────────────────────

export function printTable(r, quick) {
  const lines = [];
  const p = (s = '') => lines.push(s);
  p(
    `Tributary bench ${r.date} — ${r.machine.cpu} ×${r.machine.cores}, Node ${r.machine.node}${quick ? ' (--quick: short budgets, no 10,000-source queue run)' : ''}`,
  );
  p(
    `Peers: ${Object.entries(r.peers)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
  );
  p('Ratios are our time ÷ theirs, measured side by side (below 1: we are faster).');
  p();
  if (r.ingestTable) {
    p('| ingest (decode+parse+normalize+sanitize) | ms | MB/s | ÷feedsmith | ÷rss-parser | ÷feed-extractor | ÷fast-xml-parser | ÷TextDecoder | ÷SAX |');
    p('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const x of r.ingestTable)
      p(
        `| ${x.input} | ${fmt(x.oursMs)} | ${fmt(x.oursMBps, 1)} | ${fmt(x.vsFeedsmith)} | ${fmt(x.vsRssParser)} | ${fmt(x.vsFeedExtractor)} | ${fmt(x.vsFastXmlParser)} | ${fmt(x.vsTextDecoder)} | ${fmt(x.vsSax)} |`,
      );
    p('(JSON Feed: the fast-xml-parser column is JSON.parse.)');
    p();
    const cols = ['tributary ingest', 'feedsmith', 'rss-parser', 'feed-extractor', 'fast-xml-parser', 'TextDecoder', 'htmlparser2 SAX'];
    p(`| ms per feed (median) | ${cols.join(' | ')} |`);
    p(`|---|${cols.map(() => '---:').join('|')}|`);
    for (const x of r.ingest) {
      const t = x.timings;
      p(`| ${x.input} | ${cols.map((c) => fmt((t[c] ?? (c === 'fast-xml-parser' ? t['JSON.parse'] : undefined))?.medianMs)).join(' | ')} |`);
    }
  }
  if (r.ingestStages100k) {
    const st = r.ingestStages100k;
    p(
      `Our 100 KB RSS ingest by stage (ms): decode ${fmt(st.decode)}, parse ${fmt(st.parse)}, normalize+sanitize ${fmt(st['normalize+sanitize'])}, whole ${fmt(st['whole ingest'])}.`,
    );
  }
  if (r.memory5MB) {
    p();
    p('| 5 MB feed, one parse | peak RSS growth MB | heap growth MB (no GC) | result MB |');
    p('|---|---:|---:|---:|');
    for (const m of r.memory5MB)
      p(m.error ? `| ${m.name} | ${m.error} | | |` : `| ${m.name} | ${m.peakRssGrowthMB} | ${m.heapGrowthNoGcMB} | ${m.retainedResultMB} |`);
  }
  if (r.render?.formats) {
    p();
    p('| render 500 items | ours ms | feed ms | feed ÷ ours | XMLBuilder/JSON.stringify ms |');
    p('|---|---:|---:|---:|---:|');
    for (const [f, t] of Object.entries(r.render.formats)) {
      const floor = Object.entries(t).find(([k]) => k !== 'tributary render' && k !== 'feed package')[1];
      p(
        `| ${f} | ${fmt(t['tributary render'].medianMs)} | ${fmt(t['feed package'].medianMs)} | ${fmt(t['feed package'].medianMs / t['tributary render'].medianMs, 1)}× | ${fmt(floor.medianMs)} |`,
      );
    }
  }
  // Runs: CPU from Node, counts from workerd.
  const runRows = [];
  for (const [name, label] of [
    ['inline-50', '50 sources'],
    ['inline-500', '500 sources'],
    ['inline-50-long', '50 sources, rivers of 3,000'],
  ]) {
    const n = r.runs?.[name];
    const w = r.workerd?.[name];
    for (const [scenario, key] of [
      ['all 304', 'all304'],
      ['one changed (100 KB)', 'oneChanged'],
    ]) {
      const c = cycles(w, scenario);
      runRows.push({
        what: `${label}: ${scenario}`,
        cpu: n?.[key]?.cpuMs?.median,
        stub: n?.[key]?.stubMs,
        kvR: c.length ? medianOf(c, (x) => x.kv.reads) : n?.[key]?.kv?.reads,
        kvW: c.length ? medianOf(c, (x) => x.kv.writes) : n?.[key]?.kv?.writes,
        bytesW: c.length ? medianOf(c, (x) => x.kv.bytesWritten) : n?.[key]?.kv?.bytesWritten,
        objects: c.length ? medianOf(c, (x) => x.objectRequests.total) : n?.[key]?.objectRequests,
        rows: c.length ? `${int(medianOf(c, (x) => x.sql.rowsRead))} / ${int(medianOf(c, (x) => x.sql.rowsWritten))}` : '–',
        fetches: c.length
          ? `${medianOf(c, (x) => x.fetches)} (${medianOf(c, (x) => x.fetchesByStatus['200'] ?? 0)}/${medianOf(c, (x) => x.fetchesByStatus['304'] ?? 0)})`
          : '–',
        wall: c.length ? medianOf(c, (x) => x.wallMs) : undefined,
      });
    }
  }
  p();
  p(
    '| run | CPU ms (Node, all invocations; fetch stand-in apart) | KV reads | KV writes | KV bytes written | object requests | SQLite rows read / written | fetches (200/304) | wall ms (workerd) |',
  );
  p('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const x of runRows)
    p(
      `| ${x.what} | ${fmt(x.cpu)} (${fmt(x.stub)}) | ${x.kvR ?? '–'} | ${x.kvW ?? '–'} | ${int(x.bytesW)} | ${x.objects ?? '–'} | ${x.rows} | ${x.fetches} | ${int(x.wall)} |`,
    );
  const n50 = r.runs?.['inline-50'];
  if (n50)
    p(
      `Ingest of the changed 100 KB feed alone: ${fmt(n50.ingestAloneMs.median)} ms. Change cost (a one-changed run minus the all-304 runs around it, median): ${fmt(n50.changeCostMs.pairedMedian)} ms at 50, ${fmt(r.runs['inline-500']?.changeCostMs.pairedMedian)} ms at 500, ${fmt(r.runs['inline-50-long']?.changeCostMs.pairedMedian)} ms with long rivers.`,
    );

  const inv = r.invocationCpu ?? [];
  if (inv.length) {
    p();
    p('| invocation (CPU ms, Node) | newsroom day: max | p95 | median | per run | 500 sources: max | queue 500: max | queue 10,000: max |');
    p('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const x of inv)
      p(
        `| ${x.type} | ${fmt(x.newsroomMaxMs)} | ${fmt(x.newsroomP95Ms)} | ${fmt(x.newsroomMedianMs)} | ${x.perRun === undefined ? '–' : fmt(x.perRun, 1)} | ${fmt(x.inline500MaxMs)} | ${fmt(x.queue500MaxMs)} | ${fmt(x.queue10kMaxMs)} |`,
      );
  }
  if (r.daily) {
    const d = r.daily;
    p();
    p(`Daily, ${d.deployment}:`);
    p(
      `  KV writes ${int(d.kvWritesPerDay)}/1,000 (${d.perRun.kvWrites} a run; at most ${d.kvWritesMaxPerRun} a run whatever changes); KV reads by runs ${int(d.kvReadsPerDayByRuns)}, by readers ~${int(d.kvReadsPerDay)}/100,000 (assumption: ${d.kvReadsAssumption})`,
    );
    p(
      `  object requests ${int(d.objectRequestsPerDay)}/100,000 (${d.objectRequestsPerChangedSource} per changed source: limit at ~${int(d.objectRequestsLimitAt)} changed sources a day); queue operations 0 inline, ${int(d.queueMode.opsPerDay)}/10,000 in queue mode`,
    );
    if (d.sqlRowsPerDay) p(`  SQLite rows ${int(d.sqlRowsPerDay.read)}/5,000,000 read, ${int(d.sqlRowsPerDay.written)}/100,000 written`);
  }
  const qf = r.queueMode ?? {};
  if (Object.keys(qf).length) {
    p();
    p(
      '| queue mode | messages/tick | producer Worker ms | Directory.dueSources ms | producer KV ops | batch Worker ms (median/max) | batch KV ops max | batch object requests max | fetched/sent a tick | SQLite rows read / written a tick | largest KV value | largest object row |',
    );
    p('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const q of Object.values(qf)) {
      p(
        `| ${q.sources.toLocaleString('en-US')} sources (batches of ${q.consumerBatch}) | ${q.messagesPerTick} | ${fmt(q.producer.cpuMs)} | ${fmt(q.producer.dueSourcesCpuMs)} | ${q.producer.kvOps ?? '–'} | ${fmt(q.consumer.cpuMsMedian)} / ${fmt(q.consumer.cpuMsMax)} | ${q.consumer.kvOpsMax ?? '–'} | ${q.consumer.objectRequestsMax ?? '–'} | ${q.sourcesFetchedPerTick}/${q.sourcesSentPerTick} | ${q.sqlRowsPerTick ? `${int(q.sqlRowsPerTick.read)} / ${int(q.sqlRowsPerTick.written)}` : '–'} | ${kb(q.largestKvValue)} | ${kb(q.largestRow)} |`,
      );
    }
  }
  if (r.serving?.runs) {
    p();
    p(
      `| serve (wrangler dev, autocannon, ${r.serving.connections} connections, ${r.serving.rounds}×${r.serving.seconds} s) | req/s | mean ms | p50 ms | p99 ms | time ÷ baseline | baseline ÷ this (req/s) | bytes/response | statuses |`,
    );
    p('|---|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const x of r.serving.runs) {
      p(
        `| ${x.name} | ${x.requestsPerSec} | ${x.latencyMs.mean} | ${x.latencyMs.p50} | ${x.latencyMs.p99} | ${fmt(x.meanLatencyOverBaseline)} | ${fmt(x.baselineOverThis)} | ${x.bytesPerResponse} | ${Object.entries(
          x.statuses,
        )
          .map(([k, v]) => `${k}×${v}`)
          .join(' ')} |`,
      );
    }
    if (r.serving.serverErrors?.length) p(`serving problems (retried): ${r.serving.serverErrors.map((e) => `${e.scenario}: ${e.problem}`).join('; ')}`);
  } else if (r.serving?.error) p(`\nserving: NOT MEASURED — ${r.serving.error.split('\n')[0]}`);
  const w = r.websub;
  if (w) {
    p();
    const l = w.latency;
    if (l?.pushToServedMs)
      p(
        `WebSub push to served (${w.date}${w.quick ? ', --quick' : ''}): median ${fmt(l.pushToServedMs.median, 0)} ms, p95 ${fmt(l.pushToServedMs.p95, 0)} ms, max ${fmt(l.pushToServedMs.max, 0)} ms over ${l.pushes} pushes (hub POST alone: median ${fmt(l.hubPostMs.median, 0)} ms); subscribed ${fmt(l.subscribedMs / 1000, 1)} s after the seeding poll began.`,
      );
    else if (l?.error) p(`WebSub push to served: NOT MEASURED — ${l.error.split('\n')[0]}`);
    const d = w.day;
    if (d?.with) {
      const inv = d.with.pushes.invocations;
      p(
        `WebSub day, 50 sources of which 25 push: ${int(d.without.pollsPerDay)} polls without the hub, ${int(d.with.pollsPerDay)} with it (${int(d.with.pollsOfPushingSources)} of the pushing sources): ${int(d.pollsSavedPerDay)} saved a day.`,
      );
      if (inv)
        p(
          `  a push (Node CPU, max / median): ${Object.entries(inv)
            .sort((a, b) => b[1].medianTotalMsPerRun - a[1].medianTotalMsPerRun)
            .map(([t, v]) => `${t} ${fmt(v.maxMs)} / ${fmt(v.medianMaxMs)}`)
            .join(', ')} ms`,
        );
    } else if (d?.error) p(`WebSub day: NOT MEASURED — ${d.error.split('\n')[0]}`);
  }
  p();
  for (const [what, prof] of Object.entries(r.profiles ?? {})) {
    if (prof.error) {
      p(`profile ${what}: failed (${prof.error})`);
      continue;
    }
    p(
      `profile ${what} (self time): ${prof.byModule
        .slice(0, 6)
        .map((m) => `${m.where} ${m.selfPct}%`)
        .join(', ')}`,
    );
    p(
      `    top functions: ${prof.byFunction
        .slice(0, 6)
        .map((m) => `${m.where} ${m.selfPct}%`)
        .join(', ')}`,
    );
    p(
      `    on the stack: ${prof.inclusive
        .slice(0, 8)
        .map((m) => `${m.where} ${m.totalPct}%`)
        .join(', ')}`,
    );
  }
  p();
  p('| target | met | figure |');
  p('|---|---|---|');
  for (const t of r.targets) p(`| ${t.name} | ${t.met === null ? '–' : t.met ? 'yes' : 'NO'} | ${t.figure} |`);
  return lines.join('\n');
}
