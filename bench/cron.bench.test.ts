// Part 3 of `npm run bench`, in workerd (vitest-pool-workers): real local KV, real Durable Objects (SQLite), the
// real Worker handlers, sources served by the bench origin (bench/origin.mjs, in Node). Counts, not CPU (workerd
// cannot report CPU; bench/runs.ts measures it in Node on the same scenarios):
//   KV operations, bytes and keys      src/store/kv.ts kvUsage(prefix), every KV op of the Worker and its objects
//   Durable Object requests            src/store/objects.ts objectRequests(prefix), alarms included
//   SQLite rows read / written         SqlStorage.prototype.exec wrapped (the prototype from a live object), the
//                                      cursors' rowsRead / rowsWritten summed once they are consumed
//   fetches to sources                 the origin's tally (200 / 304)
// Every deployment has its own STORE_PREFIX (KV keys and object names) and PUBLIC_BASE_URL (cache keys).
// Deployments:
//   inline-50         the Free-plan newsroom: 50 sources, 7 categories, SUBREQUEST_BUDGET 50
//   inline-500        500 sources (budget raised to 500: one invocation fetches them all)
//   inline-50-long    50 sources, ITEMS_PER_CATEGORY 3000, rivers filled to it before measuring
//   queue-500         queue mode: the producer (runQueueProducer, what scheduled() runs with a queue bound) and the
//   queue-10000       Worker's queue() handler on createMessageBatch batches of wrangler.toml's max_batch_size
// Scenarios per inline deployment: cold (through scheduled()), settling runs, all 304, one changed source (a 100 KB
// feed gained a story; a different source each sample), quiet after a change. Runs take `now` one interval apart
// (runPoll's option; scheduled() takes the wall clock, and nothing would be due for 15 minutes).
// KV_WRITE_GAP_MS=0 (local KV takes any rate; with the default 1000 the objects would sleep up to a second per write):
// wall time only, the counts do not change in sequential runs.
import { env } from 'cloudflare:workers';
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { expect, it } from 'vitest';
import worker from '../src/index';
import type { Env, PollMessage } from '../src/model';
import { runPoll, runQueueProducer } from '../src/poll/run';
import { decodePage, kvUsage, resetKvUsage } from '../src/store/kv';
import { objectRequests, resetObjectRequests } from '../src/store/objects';
import { CATEGORIES, CONSUMER_BATCH, INTERVAL_MS, categoriesOf, changedSource, opml, queueShapeRules } from './layout';
import { installPoolFix } from './pool-fix';

// Before any object is constructed: cloudflare/workers-sdk#15092 (see bench/pool-fix.ts).
installPoolFix();

const ORIGIN = (env as unknown as { BENCH_ORIGIN: string }).BENCH_ORIGIN;
const QUICK = (env as unknown as { BENCH_QUICK?: string }).BENCH_QUICK === '1';
const TOKEN = 'bench-admin-token';
const TIMEOUT = 900_000;
/** Messages per consumer invocation: wrangler.toml's max_batch_size (bench/vitest.cron.config.ts reads it). */
const BATCH = Number((env as unknown as { BENCH_CONSUMER_BATCH?: string }).BENCH_CONSUMER_BATCH ?? CONSUMER_BATCH);

// ───────────────────────────── origin ─────────────────────────────

async function originJson<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${ORIGIN}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`origin ${path}: HTTP ${res.status}`);
  return res.status === 204 ? (undefined as T) : res.json<T>();
}
const hits = () => originJson<{ total: number; byStatus: Record<string, number> }>('/__hits');
const resetHits = () => fetch(`${ORIGIN}/__hits/reset`, { method: 'POST' }).then((r) => r.body?.cancel());
const bump = (ids: number[], by = 1) => originJson('/__bump', { ids, by });
const sourceUrl = (k: number) => `${ORIGIN}/src/${k}.xml`;
const progress = (line: string) => originJson('/__log', { line });

// ───────────────────────────── SQLite rows ─────────────────────────────

const sql = { available: false, note: '', statements: 0, rowsRead: 0, rowsWritten: 0 };
let cursors: { rowsRead: number; rowsWritten: number }[] = [];

/** Adds up the cursors handed out so far (each is consumed in the synchronous code that asked for it). */
function flushCursors(): void {
  for (const c of cursors) {
    sql.rowsRead += c.rowsRead;
    sql.rowsWritten += c.rowsWritten;
  }
  cursors = [];
}

async function wrapSql(e: Env): Promise<void> {
  if (sql.available) return;
  try {
    const stub = e.DIRECTORY.get(e.DIRECTORY.idFromName('bench-sql-probe'));
    const proto = await runInDurableObject(
      stub,
      (_instance, state) => Object.getPrototypeOf(state.storage.sql) as { exec: (...a: unknown[]) => { rowsRead: number; rowsWritten: number } },
    );
    const exec = proto.exec;
    proto.exec = function (this: unknown, ...args: unknown[]) {
      const cursor = exec.apply(this, args);
      sql.statements++;
      if (cursors.push(cursor) === 1) queueMicrotask(flushCursors);
      return cursor;
    };
    sql.available = true;
  } catch (err) {
    sql.note = `SqlStorage.prototype.exec could not be wrapped: ${err instanceof Error ? err.message : String(err)}`;
  }
}

// ───────────────────────────── deployments ─────────────────────────────

interface Site {
  name: string;
  e: Env;
  prefix: string;
  indexes: number[];
}

function site(name: string, first: number, count: number, vars: Partial<Env> = {}): Site {
  const prefix = `bench-${name}-${Date.now().toString(36)}/`;
  resetKvUsage(prefix);
  resetObjectRequests(prefix);
  const e = {
    ...(env as unknown as Env),
    STORE_PREFIX: prefix,
    PUBLIC_BASE_URL: `https://${name}-${Date.now().toString(36)}.bench.test`,
    ADMIN_TOKEN: TOKEN,
    KV_WRITE_GAP_MS: '0',
    ...vars,
  } as Env;
  return { name, e, prefix, indexes: Array.from({ length: count }, (_, k) => first + k) };
}

async function call(s: Site, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (path.startsWith('/admin')) headers.set('authorization', `Bearer ${TOKEN}`);
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${s.e.PUBLIC_BASE_URL}${path}`, { ...init, headers }), s.e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function register(s: Site): Promise<void> {
  let added = 0;
  for (let i = 0; i < s.indexes.length; i += 2000) {
    const res = await call(s, '/admin/opml', {
      method: 'POST',
      body: opml(s.indexes.slice(i, i + 2000), sourceUrl),
      headers: { 'content-type': 'text/x-opml' },
    });
    const body = await res.json<{ added: unknown[] }>();
    added += body.added.length;
  }
  expect(added).toBe(s.indexes.length);
}

interface Figures {
  label: string;
  wallMs: number;
  kv: { reads: number; writes: number; deletes: number; lists: number; bytesRead: number; bytesWritten: number; writtenKeys: string[]; largestValue: number };
  kvOps: number;
  objectRequests: { directory: number; feed: number; river: number; total: number };
  sql: { statements: number; rowsRead: number; rowsWritten: number };
  fetches: number;
  fetchesByStatus: Record<string, number>;
}

/** Runs `fn` with this deployment's counters zeroed, and returns what it cost. */
async function measure(s: Site, label: string, fn: () => Promise<void>): Promise<Figures> {
  resetKvUsage(s.prefix);
  resetObjectRequests(s.prefix);
  flushCursors();
  const sql0 = { ...sql };
  await resetHits();
  const t0 = Date.now();
  await fn();
  const wallMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 0));
  flushCursors();
  const h = await hits();
  const kv = { ...kvUsage(s.prefix), writtenKeys: [...kvUsage(s.prefix).writtenKeys] };
  const o = objectRequests(s.prefix);
  return {
    label,
    wallMs,
    kv,
    kvOps: kv.reads + kv.writes + kv.deletes + kv.lists,
    objectRequests: { directory: o.directory, feed: o.feed, river: o.river, total: o.directory + o.feed + o.river },
    sql: { statements: sql.statements - sql0.statements, rowsRead: sql.rowsRead - sql0.rowsRead, rowsWritten: sql.rowsWritten - sql0.rowsWritten },
    fetches: h.total,
    fetchesByStatus: h.byStatus,
  };
}

// ───────────────────────────── inline deployments ─────────────────────────────

async function scheduled(s: Site): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '*/15 * * * *' }), s.e, ctx);
  await waitOnExecutionContext(ctx);
}

function inlineRunner(s: Site) {
  const start = Date.now();
  let tick = 0;
  return async () => {
    await runPoll(s.e, { now: new Date(start + ++tick * (INTERVAL_MS + 60_000)) });
  };
}

async function riverCounts(s: Site): Promise<Record<string, number>> {
  const index = await s.e.TRIBUTARY.get<{ categories: { slug: string; itemCount: number }[] }>(`${s.prefix}index`, 'json');
  const all = await s.e.TRIBUTARY.get(`${s.prefix}page:all`, 'text');
  return { ...Object.fromEntries((index?.categories ?? []).map((c) => [c.slug, c.itemCount])), all: all ? decodePage(all).meta.itemCount : 0 };
}

/** Cold, settling, then samples of all-304 and of one changed source. */
async function inlineDeployment(s: Site, samples: number, fill?: { cap: number; maxRuns: number }) {
  await wrapSql(s.e);
  await register(s);
  const cycles: Figures[] = [];
  cycles.push(await measure(s, 'cold (all new, 200)', () => scheduled(s)));
  const next = inlineRunner(s);
  let fillRuns = 0;
  if (fill) {
    // Every source gains a whole new window of stories per run until every river holds `cap` entries.
    for (; fillRuns < fill.maxRuns; fillRuns++) {
      const counts = await riverCounts(s);
      if (Object.values(counts).every((n) => n >= fill.cap) && Object.keys(counts).length === CATEGORIES + 1) break;
      await bump(s.indexes, 45);
      await next();
    }
  }
  for (let i = 0; i < 6; i++) {
    const f = await measure(s, `settling (run ${i + 2})`, next);
    cycles.push(f);
    if (f.kv.writes === 0 && (f.fetchesByStatus['304'] ?? 0) === f.fetches && i >= 1) break;
  }
  for (let i = 0; i < samples; i++) cycles.push(await measure(s, 'all 304', next));
  const changed: number[] = [];
  for (let i = 0; i < samples; i++) {
    const k = s.indexes[changedSource(i, s.indexes.length)];
    changed.push(k);
    await bump([k]);
    const f = await measure(s, 'one changed (100 KB)', next);
    cycles.push({ ...f, changed: k, expectedKeys: [...categoriesOf(k).map((c) => `page:${c}`), 'page:all', 'index'].sort() } as Figures);
    cycles.push(await measure(s, 'quiet after a change', next));
  }
  return { sources: s.indexes.length, categories: CATEGORIES, changedSources: changed, fillRuns, rivers: await riverCounts(s), cycles };
}

// ───────────────────────────── serving ─────────────────────────────

/** KV reads and object requests of single requests: the first of a feed, a repeat (cached), a 304, a cache miss, the index. */
async function servingCounts(s: Site) {
  const out: (Figures & { path: string; status: number })[] = [];
  const one = async (label: string, path: string, headers: Record<string, string> = {}) => {
    let status = 0;
    const f = await measure(s, label, async () => {
      const res = await call(s, path, { headers });
      status = res.status;
      await res.arrayBuffer();
    });
    out.push({ ...f, path, status });
    return f;
  };
  await one('first request of a feed (version pointer not known yet)', '/feeds/category-1.rss');
  const again = await call(s, '/feeds/category-1.rss');
  const etag = again.headers.get('etag') ?? '';
  await again.arrayBuffer();
  await one('cached feed (Cache API / memory hit)', '/feeds/category-1.rss');
  await one('304 (If-None-Match)', '/feeds/category-1.rss', { 'if-none-match': etag });
  await one('cache miss (unique ?before, version pointer known)', `/feeds/category-1.rss?before=9999999999999.${Date.now().toString(16)}`);
  await one('cache miss, another category (first request)', `/feeds/category-2.json?before=9999999999999.${(Date.now() + 1).toString(16)}`);
  await one('index page (first)', '/');
  await one('index page (cached)', '/');
  await one('second page (?before=<cursor in the page>: the river object answers)', '/feeds/category-3.rss?limit=50&before=1735700000000.0');
  return out;
}

// ───────────────────────────── queue deployments ─────────────────────────────

async function queueDeployment(s: Site) {
  await wrapSql(s.e);
  const sent: { body: PollMessage; delaySeconds?: number }[] = [];
  let sendBatchCalls = 0;
  const queue = {
    async send(body: PollMessage, o?: QueueSendOptions) {
      sendBatchCalls++;
      sent.push({ body, delaySeconds: o?.delaySeconds });
    },
    async sendBatch(messages: Iterable<MessageSendRequest<PollMessage>>) {
      sendBatchCalls++;
      for (const m of messages) sent.push({ body: m.body, delaySeconds: m.delaySeconds });
    },
  } as unknown as Queue<PollMessage>;
  s.e = { ...s.e, POLL_QUEUE: queue } as Env;
  let t0 = Date.now();
  await register(s);
  await progress(`${s.name}: ${s.indexes.length} sources registered (${Math.round((Date.now() - t0) / 1000)} s)`);
  let largestValue = 0;

  const tick = async (label: string) => {
    t0 = Date.now();
    sent.length = 0;
    sendBatchCalls = 0;
    const producer = await measure(s, `${label}: producer`, async () => {
      await runQueueProducer(s.e, queue as Queue<PollMessage>, new Date(Date.now() + INTERVAL_MS + 60_000));
    });
    largestValue = Math.max(largestValue, producer.kv.largestValue);
    const messages = sent.splice(0);
    const sizes = messages.map((m) => JSON.stringify(m.body).length);
    const batches: (Figures & { messages: number; sources: number; acked: boolean; retried: boolean })[] = [];
    for (let i = 0; i < messages.length; i += BATCH) {
      if (i > 0 && i % (BATCH * 30) === 0)
        await progress(`${s.name}: ${label}: ${i} of ${messages.length} messages consumed (${Math.round((Date.now() - t0) / 1000)} s)`);
      const part = messages.slice(i, i + BATCH);
      let acked = false;
      let retried = false;
      const f = await measure(s, `${label}: consumer batch`, async () => {
        const batch = createMessageBatch<PollMessage>(
          'tributary-poll',
          part.map((m, j) => ({ id: `m${i + j}`, timestamp: new Date(), attempts: 1, body: m.body })),
        );
        const ctx = createExecutionContext();
        await worker.queue(batch, s.e, ctx);
        const result = await getQueueResult(batch, ctx);
        acked = result.ackAll;
        retried = result.retryBatch.retry || result.retryMessages.length > 0;
      });
      largestValue = Math.max(largestValue, f.kv.largestValue);
      batches.push({ ...f, messages: part.length, sources: part.reduce((n, m) => n + (m.body.sourceIds?.length ?? 0), 0), acked, retried });
    }
    const sum = (pick: (b: Figures) => number) => batches.reduce((n, b) => n + pick(b), 0);
    const max = (pick: (b: Figures) => number) => Math.max(0, ...batches.map(pick));
    return {
      label,
      producer,
      messages: messages.length,
      messageBytes: sizes.reduce((a, b) => a + b, 0),
      maxMessageBytes: Math.max(0, ...sizes),
      sendBatchCalls,
      batches: batches.length,
      sourcesSent: sum((b) => (b as { sources: number }).sources),
      fetched: sum((b) => b.fetches),
      fetched200: sum((b) => b.fetchesByStatus['200'] ?? 0),
      acked: batches.every((b) => b.acked),
      retried: batches.some((b) => b.retried),
      consumer: {
        maxKvOps: max((b) => b.kvOps),
        maxKvWrites: max((b) => b.kv.writes),
        maxKvReads: max((b) => b.kv.reads),
        kvOps: sum((b) => b.kvOps),
        kvWrites: sum((b) => b.kv.writes),
        kvBytesWritten: sum((b) => b.kv.bytesWritten),
        maxObjectRequests: max((b) => b.objectRequests.total),
        objectRequests: sum((b) => b.objectRequests.total),
        maxFetches: max((b) => b.fetches),
        maxSqlRowsRead: max((b) => b.sql.rowsRead),
        maxSqlRowsWritten: max((b) => b.sql.rowsWritten),
        sqlRowsRead: sum((b) => b.sql.rowsRead),
        sqlRowsWritten: sum((b) => b.sql.rowsWritten),
        writtenKeys: batches.flatMap((b) => b.kv.writtenKeys),
        wallMs: sum((b) => b.wallMs),
      },
    };
  };

  const ticks = [];
  // Cold: as many ticks as it takes until every source has been fetched once (a batch carries more sources than its
  // subrequest budget fetches: the rest are handed out again next tick).
  let fetched200 = 0;
  for (let i = 0; i < 8 && fetched200 < s.indexes.length; i++) {
    const t0 = Date.now();
    const t = await tick(`cold tick ${i + 1}`);
    fetched200 += t.fetched200;
    ticks.push(t);
    await progress(`${s.name}: cold tick ${i + 1}: ${fetched200} of ${s.indexes.length} sources ingested (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  ticks.push(await tick('quiet tick'));
  const k = s.indexes[0] + 50; // a 100 KB news feed in either shape
  await bump([k]);
  // A batch that carries more sources than its subrequest budget fetches hands the rest out again next tick: the
  // changed source may be among them.
  for (let t = 0; t < 3; t++) {
    const one = await tick('one changed (100 KB)');
    ticks.push(one);
    if (one.fetched200 > 0) break;
    one.label = 'one changed, not fetched this tick (its batch was over the subrequest budget)';
  }

  // The largest row any object stores: River entries (and every other table of the rivers, the Directory, one Feed).
  const rows: Record<string, number> = {};
  const maxLen = async (ns: DurableObjectNamespace, name: string, queries: [string, string][]) => {
    await runInDurableObject(ns.get(ns.idFromName(name)), (_i, state) => {
      for (const [label, q] of queries) {
        try {
          const n = (state.storage.sql.exec(q).one() as { n: number | null }).n ?? 0;
          rows[label] = Math.max(rows[label] ?? 0, n);
        } catch (err) {
          rows[`${label} (error)`] = 0;
          void err;
        }
      }
    });
  };
  for (const slug of ['all', ...Array.from({ length: CATEGORIES }, (_, c) => `category-${c + 1}`)]) {
    await maxLen(s.e.RIVER as unknown as DurableObjectNamespace, `${s.prefix}river:${slug}`, [
      ['River entries (data + words + keys)', 'SELECT max(length(data) + length(words) + length(key) + length(title_key)) AS n FROM entries'],
      ['River entries.data', 'SELECT max(length(data)) AS n FROM entries'],
      ['River meta', 'SELECT max(length(v)) AS n FROM meta'],
    ]);
  }
  await maxLen(s.e.DIRECTORY as unknown as DurableObjectNamespace, `${s.prefix}directory`, [
    ['Directory sources.data', 'SELECT max(length(data)) AS n FROM sources'],
    ['Directory schedule.state', 'SELECT max(length(state)) AS n FROM schedule'],
    ['Directory meta', 'SELECT max(length(v)) AS n FROM meta'],
  ]);
  const list = await (await call(s, '/admin/sources')).json<{ id: string; url: string; createdAt: string }[]>();
  const hot = list.find((x) => x.url === sourceUrl(k));
  if (hot) {
    await maxLen(s.e.FEED as unknown as DurableObjectNamespace, `${s.prefix}feed:${hot.id}@${hot.createdAt}`, [
      ['Feed memory', 'SELECT max(length(key) + coalesce(length(hash), 0)) AS n FROM memory'],
      ['Feed outbox.payload (pending deliveries)', 'SELECT max(length(payload)) AS n FROM outbox'],
      ['Feed meta', 'SELECT max(length(v)) AS n FROM meta'],
    ]);
  }
  return {
    sources: s.indexes.length,
    categories: CATEGORIES,
    consumerBatch: BATCH,
    subrequestBudget: Number(s.e.SUBREQUEST_BUDGET ?? 50),
    ticks,
    largestKvValue: largestValue,
    largestRows: rows,
    rivers: await riverCounts(s),
  };
}

// ───────────────────────────── the bench ─────────────────────────────

const results: Record<string, unknown> = {};

async function post(): Promise<void> {
  const res = await fetch(`${ORIGIN}/__results/cron`, {
    method: 'POST',
    body: JSON.stringify({ ...results, sql: { available: sql.available, note: sql.note } }),
  });
  expect(res.status).toBe(204);
}

it(
  'inline: the Free-plan newsroom (50 sources) and serving',
  async () => {
    const s = site('inline-50', 0, 50, { SUBREQUEST_BUDGET: '50' });
    results['inline-50'] = await inlineDeployment(s, QUICK ? 2 : 4);
    results.serving = await servingCounts(s);
    await post();
  },
  TIMEOUT,
);

it(
  'inline: 500 sources',
  async () => {
    const s = site('inline-500', 1000, 500, { SUBREQUEST_BUDGET: '500' });
    results['inline-500'] = await inlineDeployment(s, 2);
    await post();
  },
  TIMEOUT,
);

// --quick leaves this one to the Node half (the same kvUsage counts): filling 24,000 river entries takes ~30 s here.
it.skipIf(QUICK)(
  'inline: 50 sources, rivers ten times as long',
  async () => {
    const s = site('inline-50-long', 2000, 50, { SUBREQUEST_BUDGET: '50', ITEMS_PER_CATEGORY: '3000' });
    results['inline-50-long'] = await inlineDeployment(s, 2, { cap: 3000, maxRuns: 14 });
    await post();
  },
  TIMEOUT,
);

it(
  'queue mode: 500 sources',
  async () => {
    const s = site('queue-500', 3000, 500, { SUBREQUEST_BUDGET: '50' });
    results['queue-500'] = await queueDeployment(s);
    await post();
  },
  TIMEOUT,
);

it.skipIf((env as unknown as { BENCH_QUEUE_10K?: string }).BENCH_QUEUE_10K === '0')(
  'queue mode: 10,000 sources',
  async () => {
    await originJson('/__shape', { rules: queueShapeRules(10_000, 10_000) });
    // FETCH_TIMEOUT_MS 2000: every fetch arms an AbortSignal.timeout that stays active for the whole timeout, and the
    // bench drives every batch from one test context, where workerd allows 10,000 active timers (production runs each
    // batch in its own invocation). The local origin answers in milliseconds.
    const s = site('queue-10000', 10_000, 10_000, { SUBREQUEST_BUDGET: '50', FETCH_TIMEOUT_MS: '2000' });
    results['queue-10000'] = await queueDeployment(s);
    await post();
  },
  TIMEOUT,
);
