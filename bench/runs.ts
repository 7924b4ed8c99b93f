// Polling runs of whole deployments in one Node process (bench/runtime.ts): the real Worker handlers (scheduled,
// queue, fetch) and the real Durable Objects, on node:sqlite and an in-memory KV, fetches answered in memory from the
// same SourceSet the HTTP origin serves. CPU is charged per invocation (bench/runtime.ts Meter); KV operations and
// bytes come from the code's own tally (src/store/kv.ts kvUsage), Durable Object requests from the runtime.
import worker, { Directory, Feed, Gate, River } from '../src/index';
import { ingestFeed } from '../src/ingest';
import { decodePage, kvUsage, resetKvUsage, type KvUsage } from '../src/store/kv';
import type { Env, PollMessage } from '../src/model';
import { clock, executionContext, installCaches, memoryKv, meter, ObjectRuntime, type Invocation, type MemoryKv } from './runtime';
import { SourceSet } from './origin.mjs';
import { newestStory } from './generate.mjs';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSUMER_BATCH, INTERVAL_MS, consumerBatchOf, opml } from './layout';

/** wrangler.toml's max_batch_size (the bench runs from the repository root). */
function consumerBatchOfProject(): number {
  try {
    return consumerBatchOf(readFileSync(join(process.cwd(), 'wrangler.toml'), 'utf8'));
  } catch {
    return CONSUMER_BATCH;
  }
}

export { CATEGORIES, CONSUMER_BATCH, INTERVAL_MS, categoriesOf, changedSource, queueShapeRules } from './layout';

const TOKEN = 'bench-admin-token';

const round = (x: number, d = 3): number => Number(x.toFixed(d));
export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** One host per source, as a real newsroom's sources are (the fetch stand-in answers every one). */
export const sourceUrl = (k: number): string => `https://s${k}.feeds.example/feed.xml`;
const indexOfUrl = (url: string): number => Number(/^https:\/\/s(\d+)\.feeds\.example\//.exec(url)?.[1] ?? NaN);
/** The source index of a topic (the feed's rel="self", bench/generate.mjs sourceTopic). */
const indexOfTopic = (topic: string): number => Number(/^https:\/\/src(\d+)\.example\.net\/feed\.xml$/.exec(topic)?.[1] ?? NaN);

// ───────────────────────────── figures of one invocation set ─────────────────────────────

export interface TypeFigures {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface CpuFigures {
  /** Every invocation's CPU, the fetch stand-in's excluded. */
  totalMs: number;
  /** The fetch stand-in's own CPU (excluded from totalMs). */
  stubMs: number;
  invocations: number;
  byType: Record<string, TypeFigures>;
}

export function cpuFigures(invs: Invocation[]): CpuFigures {
  const byType: Record<string, TypeFigures> = {};
  let total = 0;
  let stub = 0;
  let n = 0;
  for (const inv of invs) {
    const ms = inv.cpuUs / 1000;
    if (inv.excluded) {
      stub += ms;
      continue;
    }
    total += ms;
    n++;
    const t = (byType[inv.type] ??= { count: 0, totalMs: 0, maxMs: 0 });
    t.count++;
    t.totalMs += ms;
    t.maxMs = Math.max(t.maxMs, ms);
  }
  for (const t of Object.values(byType)) {
    t.totalMs = round(t.totalMs);
    t.maxMs = round(t.maxMs);
  }
  return { totalMs: round(total), stubMs: round(stub), invocations: n, byType };
}

export const percentile = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

export interface TypeSummary {
  /** The largest single invocation of this type over all runs. */
  maxMs: number;
  /** 95th percentile of each run's largest invocation of this type (runs where it occurs). */
  p95Ms: number;
  /** Median of each run's largest invocation of this type. */
  medianMaxMs: number;
  medianCountPerRun: number;
  medianTotalMsPerRun: number;
  runs: number;
}

/** Per type over several runs: the largest single invocation, its spread, the median count per run. */
export function mergeTypes(runs: CpuFigures[]): Record<string, TypeSummary> {
  const types = new Set(runs.flatMap((r) => Object.keys(r.byType)));
  const out: Record<string, TypeSummary> = {};
  for (const t of [...types].sort()) {
    const present = runs.filter((r) => r.byType[t]);
    const maxes = present.map((r) => r.byType[t].maxMs);
    out[t] = {
      maxMs: round(Math.max(...maxes)),
      p95Ms: round(percentile(maxes, 95)),
      medianMaxMs: round(median(maxes)),
      medianCountPerRun: median(runs.map((r) => r.byType[t]?.count ?? 0)),
      medianTotalMsPerRun: round(median(runs.map((r) => r.byType[t]?.totalMs ?? 0))),
      runs: present.length,
    };
  }
  return out;
}

export interface KvFigures {
  reads: number;
  writes: number;
  deletes: number;
  lists: number;
  bytesRead: number;
  bytesWritten: number;
  writtenKeys: string[];
  largestValue: number;
}

function kvSnapshot(u: KvUsage): KvFigures {
  return {
    reads: u.reads,
    writes: u.writes,
    deletes: u.deletes,
    lists: u.lists,
    bytesRead: u.bytesRead,
    bytesWritten: u.bytesWritten,
    writtenKeys: [...u.writtenKeys],
    largestValue: u.largestValue,
  };
}

export interface RunFigures {
  label: string;
  cpu: CpuFigures;
  kv: KvFigures;
  objectRequests: Record<string, number>;
  objectRequestsTotal: number;
  sql: { statements: number; rowsRead: number; rowsWritten: number };
  fetched: { 200: number; 304: number; bytes: number };
  alarms: number;
  wallMs: number;
  /** Queue mode: messages sent by the producer, their JSON bytes, and the consumer batches' figures. */
  queue?: { messages: number; messageBytes: number; maxMessageBytes: number; sendBatchCalls: number };
  batches?: BatchFigures[];
}

export interface BatchFigures {
  messages: number;
  sources: number;
  polled: number;
  cpu: CpuFigures;
  kv: KvFigures;
  kvOps: number;
  objectRequests: number;
  acked: boolean;
  retried: boolean;
}

// ───────────────────────────── a deployment ─────────────────────────────

export interface SiteOptions {
  name: string;
  sources: number;
  /** First source index (the workerd bench uses distinct ranges per size; here every site has its own origin). */
  mode?: 'inline' | 'queue';
  itemsPerCategory?: number;
  subrequestBudget?: number;
  /** Shapes by index range (origin.mjs SourceSet rules); default every source ~100 KB. */
  rules?: { from: number; to: number; items: number; descChars: number }[];
  /** Drop every object instance between runs (their SQLite stays): a cron every 15 minutes meets evicted objects. */
  evictBetweenRuns?: boolean;
  consumerBatch?: number;
  /**
   * A WebSub hub (a stand-in the fetch stand-in answers): the feeds of the sources `pushing` picks name it, so the
   * Directory's alarm subscribes to it (alarms then run with the fetch stand-in); verify and push with the Site's own
   * methods, through the Worker's callback route.
   */
  hub?: { url: string; pushing: (k: number) => boolean };
}

/** A subscribe or unsubscribe request the hub stand-in took (the form the Directory sent). */
export interface HubRequest {
  mode: string;
  topic: string;
  callback: string;
  secret?: string;
  leaseSeconds?: number;
}

let _caches: ReturnType<typeof installCaches> | undefined;

export class Site {
  readonly rt = new ObjectRuntime();
  readonly mem: MemoryKv = memoryKv();
  readonly sources: SourceSet;
  readonly env: Env;
  readonly prefix: string;
  readonly base: string;
  readonly opts: Required<Pick<SiteOptions, 'mode' | 'evictBetweenRuns' | 'consumerBatch'>> & SiteOptions;
  /** Messages the producer sent and the consumer has not taken yet. */
  queued: { body: PollMessage; delaySeconds?: number }[] = [];
  sendBatchCalls = 0;
  /** Sources served at least one 200 (a queue deployment is warm once every source has been ingested). */
  readonly ingestedOnce = new Set<number>();
  /** What the hub stand-in took and has not verified yet; verified subscriptions by source index. */
  hubRequests: HubRequest[] = [];
  readonly subscriptions = new Map<number, HubRequest>();

  constructor(opts: SiteOptions) {
    clock.install();
    _caches ??= installCaches();
    this.opts = { mode: 'inline', evictBetweenRuns: true, consumerBatch: consumerBatchOfProject(), ...opts };
    this.sources = new SourceSet({ rules: opts.rules ?? [], hub: opts.hub });
    this.prefix = `${opts.name}/`;
    this.base = `https://${opts.name}.tributary.example`;
    resetKvUsage(this.prefix);
    const env: Record<string, unknown> = {
      TRIBUTARY: this.mem.kv,
      DIRECTORY: this.rt.namespace('Directory', Directory as never),
      FEED: this.rt.namespace('Feed', Feed as never),
      RIVER: this.rt.namespace('River', River as never),
      GATE: this.rt.namespace('Gate', Gate as never),
      STORE_PREFIX: this.prefix,
      ADMIN_TOKEN: TOKEN,
      PUBLIC_BASE_URL: this.base,
      SUBREQUEST_BUDGET: String(opts.subrequestBudget ?? 50),
      // Sequential execution, so every microsecond has one owner (bench/runtime.ts).
      MAX_CONCURRENCY: '1',
      HOST_SPACING_MS: '0',
      ITEMS_PER_CATEGORY: String(opts.itemsPerCategory ?? 300),
    };
    if (this.opts.mode === 'queue') {
      env.POLL_QUEUE = {
        send: async (body: PollMessage, o?: { delaySeconds?: number }) => {
          this.sendBatchCalls++;
          this.queued.push({ body, delaySeconds: o?.delaySeconds });
        },
        sendBatch: async (messages: Iterable<{ body: PollMessage; delaySeconds?: number }>) => {
          this.sendBatchCalls++;
          for (const m of messages) this.queued.push({ body: m.body, delaySeconds: m.delaySeconds });
        },
      };
    }
    this.env = env as unknown as Env;
    this.rt.env = env;
  }

  get kv(): KvUsage {
    return kvUsage(this.prefix);
  }

  /** The fetch stand-in: answers from the SourceSet, its own CPU charged apart (excluded from every figure). */
  private readonly stubFetch = (async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const { caller } = meter.begin('fetch stand-in', true);
    try {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (this.opts.hub && url === this.opts.hub.url && init?.method === 'POST') {
        const form = new URLSearchParams(String(init.body));
        const lease = Number(form.get('hub.lease_seconds'));
        this.hubRequests.push({
          mode: form.get('hub.mode') ?? '',
          topic: form.get('hub.topic') ?? '',
          callback: form.get('hub.callback') ?? '',
          secret: form.get('hub.secret') ?? undefined,
          leaseSeconds: lease > 0 ? lease : undefined,
        });
        return new Response(null, { status: 202 });
      }
      const k = indexOfUrl(url);
      if (!Number.isFinite(k)) return new Response('not found', { status: 404 });
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((v, name) => {
        headers[name] = v;
      });
      const a = this.sources.respond(k, headers);
      if (a.status === 200) this.ingestedOnce.add(k);
      return new Response(a.body ? new Uint8Array(a.body) : null, { status: a.status, headers: a.headers });
    } finally {
      meter.end(caller);
    }
  }) as typeof fetch;

  private async withFetch<T>(fn: () => Promise<T>): Promise<T> {
    const real = globalThis.fetch;
    globalThis.fetch = this.stubFetch;
    try {
      return await clock.virtualTimers(fn);
    } finally {
      globalThis.fetch = real;
    }
  }

  /** One HTTP request through the Worker's fetch handler, as its own invocation (`cpu`: it and every call it made). */
  async request(
    path: string,
    init: RequestInit = {},
    type = `fetch ${init.method ?? 'GET'} ${path.replace(/\?.*$/, '')}`,
    { text = true } = {},
  ): Promise<{ status: number; body: string; cpuMs: number; cpu: CpuFigures; kv: KvFigures }> {
    const headers = new Headers(init.headers);
    if (path.startsWith('/admin')) headers.set('authorization', `Bearer ${TOKEN}`);
    resetKvUsage(this.prefix);
    meter.take();
    const { ctx, settle } = executionContext();
    const res = await this.withFetch(() =>
      meter.top(type, async () => {
        const r = await worker.fetch(new Request(`${this.base}${path}`, { ...init, headers }), this.env, ctx);
        await settle();
        return r;
      }),
    );
    const cpu = cpuFigures(meter.take());
    // The body goes to the client after the invocation (workerd streams it natively): read outside the measurement.
    const body = text ? await res.text() : await res.arrayBuffer().then(() => '');
    return { status: res.status, body, cpuMs: cpu.byType[type]?.totalMs ?? 0, cpu, kv: kvSnapshot(this.kv) };
  }

  /**
   * The hub's side of what it took (W3C WebSub §5.3): a verification GET to each callback with a challenge, which the
   * Worker must echo. Returns how many it confirmed; throws on one it did not.
   */
  async verifyHubRequests(): Promise<number> {
    let verified = 0;
    for (const r of this.hubRequests.splice(0)) {
      const challenge = `c${verified}-${Math.random().toString(36).slice(2)}`;
      const query = new URLSearchParams({ 'hub.mode': r.mode, 'hub.topic': r.topic, 'hub.challenge': challenge });
      if (r.mode === 'subscribe') query.set('hub.lease_seconds', String(r.leaseSeconds ?? 864_000));
      const answer = await this.request(`${new URL(r.callback).pathname}?${query}`, {}, 'fetch GET /websub (verification)');
      if (answer.status !== 200 || answer.body !== challenge)
        throw new Error(`verification of ${r.callback}: HTTP ${answer.status} ${answer.body.slice(0, 100)}`);
      const k = indexOfTopic(r.topic);
      if (r.mode === 'subscribe') this.subscriptions.set(k, r);
      else this.subscriptions.delete(k);
      verified++;
    }
    return verified;
  }

  /**
   * Source k gains a story, and the hub pushes its new feed to the Worker's callback, signed with the subscription's
   * secret (X-Hub-Signature: sha256=…). Returns the answer, the new story's number, and the push's invocations.
   */
  async push(k: number): Promise<{ status: number; story: number; cpu: CpuFigures }> {
    const sub = this.subscriptions.get(k);
    if (!sub?.secret) throw new Error(`source ${k} has no verified, signed subscription`);
    this.sources.bump({ ids: [k] });
    const body = this.sources.body(k);
    const signature = `sha256=${createHmac('sha256', sub.secret).update(body).digest('hex')}`;
    const headers = { 'content-type': 'application/rss+xml; charset=utf-8', 'x-hub-signature': signature };
    const r = await this.request(new URL(sub.callback).pathname, { method: 'POST', body, headers }, 'fetch POST /websub (push)');
    return { status: r.status, story: newestStory(this.sources.generation.get(k) ?? 0, this.sources.shapeOf(k)), cpu: r.cpu };
  }

  /** Registers sources [0, n) through the admin API (OPML import), in lists of at most 2,000 (the importer's cap is 10,000 outlines). */
  async register(): Promise<void> {
    const all = Array.from({ length: this.opts.sources }, (_, k) => k);
    let added = 0;
    for (let i = 0; i < all.length; i += 2000) {
      const r = await this.request(
        '/admin/opml',
        { method: 'POST', body: opml(all.slice(i, i + 2000), sourceUrl), headers: { 'content-type': 'text/x-opml' } },
        'admin POST /admin/opml',
      );
      if (r.status !== 201) throw new Error(`OPML import: HTTP ${r.status} ${r.body.slice(0, 300)}`);
      added += (JSON.parse(r.body) as { added: unknown[] }).added.length;
    }
    if (added !== this.opts.sources) throw new Error(`OPML import added ${added} of ${this.opts.sources} sources`);
  }

  /** One cron tick, an interval after the previous one: the inline run, or the queue producer and then every consumer batch. */
  async tick(label: string, { consume = true }: { consume?: boolean } = {}): Promise<RunFigures> {
    if (this.opts.evictBetweenRuns) this.rt.evictAll();
    clock.advance(INTERVAL_MS);
    resetKvUsage(this.prefix);
    this.rt.resetRequests();
    this.rt.resetSql();
    this.sources.resetServed();
    meter.take();
    const t0 = performance.now();
    const { ctx, settle } = executionContext();
    const controller = { scheduledTime: clock.now(), cron: '*/15 * * * *', noRetry: () => undefined } as unknown as ScheduledController;
    let batches: BatchFigures[] | undefined;
    let queue: RunFigures['queue'];
    await this.withFetch(async () => {
      await meter.top(this.opts.mode === 'queue' ? 'queue producer (cron tick)' : 'cron tick', async () => {
        await worker.scheduled!(controller, this.env, ctx);
        await settle();
      });
      if (this.opts.mode === 'queue') {
        const sent = this.queued.splice(0);
        const sizes = sent.map((m) => JSON.stringify(m.body).length);
        queue = {
          messages: sent.length,
          messageBytes: sizes.reduce((a, b) => a + b, 0),
          maxMessageBytes: Math.max(0, ...sizes),
          sendBatchCalls: this.sendBatchCalls,
        };
        this.sendBatchCalls = 0;
        batches = [];
        if (consume)
          for (let i = 0; i < sent.length; i += this.opts.consumerBatch) batches.push(await this.consume(sent.slice(i, i + this.opts.consumerBatch)));
      }
    });
    // Alarms that would fire before the next tick (a River publishes on its own only if nobody flushed it). With a hub,
    // the Directory's alarm sends the subscriptions: to the fetch stand-in.
    const runAlarms = () => this.rt.runAlarms(clock.now() + INTERVAL_MS - 60_000);
    const alarms = this.opts.hub ? await this.withFetch(runAlarms) : await runAlarms();
    const wallMs = performance.now() - t0;
    const invs = meter.take();
    return {
      label,
      cpu: cpuFigures(invs),
      kv: kvSnapshot(this.kv),
      objectRequests: { ...this.rt.requests.byMethod },
      objectRequestsTotal: this.rt.requests.total,
      sql: { ...this.rt.sql },
      fetched: { ...this.sources.served },
      alarms,
      wallMs: round(wallMs, 1),
      queue,
      batches,
    };
  }

  /** One consumer invocation: the Worker's queue() handler with a batch of messages. */
  private async consume(messages: { body: PollMessage }[]): Promise<BatchFigures> {
    const kv0 = kvSnapshot(this.kv);
    const req0 = this.rt.requests.total;
    const served0 = this.sources.served[200] + this.sources.served[304];
    let acked = false;
    let retried = false;
    const batch = {
      queue: 'tributary-poll',
      messages: messages.map((m, i) => ({
        id: `m${i}`,
        timestamp: new Date(),
        attempts: 1,
        body: m.body,
        ack: () => undefined,
        retry: () => void (retried = true),
      })),
      ackAll: () => void (acked = true),
      retryAll: () => void (retried = true),
    } as unknown as MessageBatch<PollMessage>;
    const { ctx, settle } = executionContext();
    const before = meter.take();
    await meter.top('queue batch (consumer)', async () => {
      await worker.queue!(batch, this.env, ctx);
      await settle();
    });
    const invs = meter.take();
    // Keep the tick's log whole: the batch's invocations go back in after being measured.
    meter.restore([...before, ...invs]);
    const kv = kvSnapshot(this.kv);
    const diff: KvFigures = {
      reads: kv.reads - kv0.reads,
      writes: kv.writes - kv0.writes,
      deletes: kv.deletes - kv0.deletes,
      lists: kv.lists - kv0.lists,
      bytesRead: kv.bytesRead - kv0.bytesRead,
      bytesWritten: kv.bytesWritten - kv0.bytesWritten,
      writtenKeys: kv.writtenKeys.slice(kv0.writtenKeys.length),
      largestValue: kv.largestValue,
    };
    return {
      messages: messages.length,
      sources: messages.reduce((n, m) => n + (m.body.sourceIds?.length ?? (m.body.sourceId ? 1 : 0)), 0),
      polled: this.sources.served[200] + this.sources.served[304] - served0,
      cpu: cpuFigures(invs),
      kv: diff,
      kvOps: diff.reads + diff.writes + diff.deletes + diff.lists,
      objectRequests: this.rt.requests.total - req0,
      acked,
      retried,
    };
  }

  /** Source ids by index (the OPML import derives them from the URLs). */
  async sourceIds(): Promise<Map<number, string>> {
    const r = await this.request('/admin/sources', {}, 'admin GET /admin/sources');
    const list = JSON.parse(r.body) as { id: string; url: string }[];
    return new Map(list.map((s) => [indexOfUrl(s.url), s.id]));
  }

  /** Item counts of every river, from the index document and page:all (what the Directory and the rivers published). */
  riverCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    const index = this.mem.store.get(`${this.prefix}index`);
    if (index) for (const c of (JSON.parse(index.value) as { categories: { slug: string; itemCount: number }[] }).categories) out[c.slug] = c.itemCount;
    const all = this.mem.store.get(`${this.prefix}page:all`);
    if (all) out.all = decodePage(all.value).meta.itemCount;
    return out;
  }

  /** The largest value in this deployment's KV. */
  largestKvValue(): { bytes: number; key: string } {
    let best = { bytes: 0, key: '' };
    for (const [k, v] of this.mem.store)
      if (k.startsWith(this.prefix) && v.value.length > best.bytes) best = { bytes: v.value.length, key: k.slice(this.prefix.length) };
    return best;
  }
}

/** CPU of our ingest alone on one body (the same process, the same clock as the meter): median of `n`. */
export async function ingestAloneMs(body: Uint8Array, n: number): Promise<number> {
  const xs: number[] = [];
  const opts = {
    contentType: 'application/rss+xml; charset=utf-8',
    url: 'https://s1.feeds.example/feed.xml',
    fetchedAt: new Date().toISOString(),
    sourceId: 'alone',
  };
  for (let i = 0; i < n + 3; i++) {
    meter.take();
    await meter.top('ingest alone', async () => {
      const r = await ingestFeed(body, opts);
      if (!r.ok) throw new Error(r.reason);
    });
    const ms = cpuFigures(meter.take()).totalMs;
    if (i >= 3) xs.push(ms);
  }
  return round(median(xs));
}
