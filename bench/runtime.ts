// The Node half of the bench runs the Worker and its Durable Objects in one process, so that CPU can be measured
// (workerd cannot report it). This file is that runtime:
//   - DurableObjectNamespace stand-ins: idFromName, get → a stub; every method call crosses an RPC-like boundary
//     (arguments and result through structuredClone), one instance per name, alarms recorded and run by the harness;
//   - ctx.storage.sql on node:sqlite (exec → cursor with toArray/one/iteration/rowsRead/rowsWritten, transactionSync,
//     alarms, deleteAll), ctx.blockConcurrencyWhile, ctx.id.name;
//   - an in-memory KV (a Map of strings: the JSON parse/stringify a real binding costs stays in the measurement);
//   - a Cache API stand-in (caches.default) for the serve path and the purge after runs;
//   - a simulated clock (Date.now / new Date()), so a day of cron ticks runs in seconds and KV's one-write-per-second
//     gap never sleeps between runs;
//   - a CPU meter that charges main-thread CPU to the invocation running at each moment: the cron tick, each Durable
//     Object request (by class and method), each alarm, each queue batch, each HTTP request, and — apart, excluded
//     from every figure — the fetch stand-in.
// Execution is sequential by construction: sibling calls of one caller run one after another (a caller's
// Promise.all over three rivers becomes three calls in a row), so at any moment exactly one invocation runs and the
// meter's stack of timers attributes every microsecond. Polling runs use MAX_CONCURRENCY=1 and HOST_SPACING_MS=0.
import { timingSafeEqual } from 'node:crypto';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

// workerd's extension of SubtleCrypto (the admin API compares tokens with it).
const subtle = globalThis.crypto.subtle as SubtleCrypto & { timingSafeEqual?: (a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView) => boolean };
if (typeof subtle.timingSafeEqual !== 'function') {
  const bytes = (x: ArrayBuffer | ArrayBufferView) => (ArrayBuffer.isView(x) ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength) : new Uint8Array(x));
  subtle.timingSafeEqual = (a, b) => timingSafeEqual(bytes(a), bytes(b));
}

// ───────────────────────────── simulated clock ─────────────────────────────

const RealDate = Date;
let clockOffset = 0;

class SimDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + clockOffset);
    else super(...(args as [string]));
  }
  static override now(): number {
    return RealDate.now() + clockOffset;
  }
}

export const clock = {
  installed: false,
  install(): void {
    if (this.installed) return;
    (globalThis as { Date: DateConstructor }).Date = SimDate as unknown as DateConstructor;
    this.installed = true;
  },
  now(): number {
    return RealDate.now() + clockOffset;
  },
  /** Moves simulated time forward (never back). */
  advance(ms: number): void {
    if (ms > 0) clockOffset += ms;
  },
  /** Sets simulated time to `ms` if that is later than now. */
  advanceTo(ms: number): void {
    this.advance(ms - this.now());
  },
  /**
   * Runs `fn` with virtual timers: a setTimeout(fn, d) of the code under test moves simulated time d ahead and fires
   * at once (the objects wait out KV's one-write-per-second gap this way; CPU is unchanged, wall time is not spent).
   */
  async virtualTimers<T>(fn: () => Promise<T>): Promise<T> {
    const real = globalThis.setTimeout;
    const virtual = ((cb: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const d = Number(ms ?? 0);
      if (!(d > 0)) return real(cb, 0, ...args);
      return real(() => {
        clock.advance(d);
        cb(...args);
      }, 0);
    }) as typeof setTimeout;
    globalThis.setTimeout = virtual;
    try {
      return await fn();
    } finally {
      globalThis.setTimeout = real;
    }
  },
};

// ───────────────────────────── CPU meter ─────────────────────────────

export interface Invocation {
  /** e.g. "cron tick", "River.merge", "Feed.alarm", "queue batch", "fetch GET /feeds/x.rss", "fetch stand-in". */
  type: string;
  cpuUs: number;
  parent?: Invocation;
  /** Not part of any figure (the fetch stand-in, the harness itself). */
  excluded?: boolean;
  /** The child call running now, if any: siblings wait for it (sequential execution). */
  active?: { done: Promise<void> };
}

// process.cpuUsage has microsecond resolution here (threadCpuUsage counts in 4 ms scheduler ticks on this kernel):
// the process's CPU, so V8's helper threads (concurrent GC, JIT) are in it too.
const threadCpu = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

export const CPU_SOURCE =
  'process.cpuUsage (user + system, µs resolution; includes V8 helper threads); one clock reading (calibrated at start) subtracted per charged interval';

/** The cost of one reading of the CPU clock (µs), measured at start: each charged interval holds about one. */
function calibrate(): number {
  const n = 20_000;
  for (let i = 0; i < 2000; i++) threadCpu();
  const t0 = threadCpu();
  for (let i = 0; i < n; i++) threadCpu();
  return (threadCpu() - t0) / n;
}

export const METER_OVERHEAD_US = calibrate();

export class Meter {
  readonly harness: Invocation = { type: 'harness', cpuUs: 0, excluded: true };
  current: Invocation = this.harness;
  private last = threadCpu();
  /** Every invocation since the last take(). */
  private log: Invocation[] = [];

  /** Charges the CPU since the last switch to the running invocation, then runs `next`. */
  switchTo(next: Invocation): void {
    const t = threadCpu();
    // The clock reading itself is not the invocation's work.
    this.current.cpuUs += Math.max(0, t - this.last - METER_OVERHEAD_US);
    this.last = t;
    this.current = next;
  }

  /** A new invocation, started from the running one (which is charged up to now). */
  begin(type: string, excluded = false): { inv: Invocation; caller: Invocation } {
    const caller = this.current;
    const inv: Invocation = { type, cpuUs: 0, parent: caller, excluded };
    this.log.push(inv);
    this.switchTo(inv);
    return { inv, caller };
  }

  end(caller: Invocation): void {
    this.switchTo(caller);
  }

  /** Runs `fn` as an invocation of `type` started by the harness. */
  async top<T>(type: string, fn: () => Promise<T>): Promise<T> {
    const { caller } = this.begin(type);
    try {
      return await fn();
    } finally {
      this.end(caller);
    }
  }

  /** Puts invocations back in the log (a caller measured a part of it on its own). */
  restore(invs: Invocation[]): void {
    this.log.unshift(...invs);
  }

  /** The invocations recorded since the last take(), and a fresh log. */
  take(): Invocation[] {
    this.switchTo(this.current);
    const out = this.log;
    this.log = [];
    return out;
  }
}

export const meter = new Meter();

/** Waits until `caller` has no child call running, then marks `mine` as its running child. */
async function takeTurn(caller: Invocation): Promise<() => void> {
  while (caller.active) await caller.active.done;
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  caller.active = { done };
  return () => {
    caller.active = undefined;
    release();
  };
}

// ───────────────────────────── SQLite storage ─────────────────────────────

const RETURNING = /\bRETURNING\b/i;
const READER = /^\s*(select|with|pragma|values|explain)\b/i;

/** SqlStorageCursor on an array of rows: iterable (early exit allowed), toArray, one, rowsRead, rowsWritten. */
class Cursor<T = Record<string, unknown>> implements Iterable<T> {
  private at = 0;
  constructor(
    private readonly rows: T[],
    readonly rowsRead: number,
    readonly rowsWritten: number,
    readonly columnNames: string[] = [],
  ) {}
  next(): IteratorResult<T> {
    return this.at < this.rows.length ? { done: false, value: this.rows[this.at++] } : { done: true, value: undefined };
  }
  [Symbol.iterator](): Iterator<T> {
    return this;
  }
  toArray(): T[] {
    const out = this.rows.slice(this.at);
    this.at = this.rows.length;
    return out;
  }
  one(): T {
    if (this.rows.length !== 1) throw new Error(`Expected exactly one result from SQL query, but got ${this.rows.length === 0 ? 'no' : 'multiple'} results.`);
    return this.rows[0];
  }
  raw(): Iterator<unknown[]> {
    return this.rows.map((r) => Object.values(r as object))[Symbol.iterator]();
  }
}

/** Rows read and written by every object's SQL, per runtime: the bench's estimate (workerd's are exact, see cron.bench.test.ts). */
export interface SqlTally {
  statements: number;
  rowsRead: number;
  rowsWritten: number;
}

export class NodeSqlStorage {
  db: DatabaseSync;
  private statements = new Map<string, StatementSync>();
  private depth = 0;

  constructor(private readonly tally: SqlTally) {
    this.db = new DatabaseSync(':memory:');
  }

  exec(query: string, ...bindings: unknown[]): Cursor {
    this.tally.statements++;
    if (bindings.length === 0 && query.trim().replace(/;\s*$/, '').includes(';')) {
      // Several statements (DDL): no rows, never with bindings.
      this.db.exec(query);
      return new Cursor([], 0, 0);
    }
    let stmt = this.statements.get(query);
    if (!stmt) {
      stmt = this.db.prepare(query);
      this.statements.set(query, stmt);
    }
    if (READER.test(query) || RETURNING.test(query)) {
      const rows = stmt.all(...(bindings as never[])) as Record<string, unknown>[];
      // A write that returns rows (UPDATE … RETURNING) wrote them too.
      const written = READER.test(query) ? 0 : rows.length;
      this.tally.rowsRead += rows.length;
      this.tally.rowsWritten += written;
      return new Cursor(rows, rows.length, written);
    }
    const r = stmt.run(...(bindings as never[]));
    const written = Number(r.changes);
    this.tally.rowsWritten += written;
    return new Cursor([], 0, written);
  }

  get databaseSize(): number {
    const page = (this.db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size;
    const count = (this.db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    return page * count;
  }

  transactionSync<T>(fn: () => T): T {
    const name = `tx${++this.depth}`;
    this.db.exec(`SAVEPOINT ${name}`);
    try {
      const out = fn();
      this.db.exec(`RELEASE ${name}`);
      return out;
    } catch (err) {
      this.db.exec(`ROLLBACK TO ${name}`);
      this.db.exec(`RELEASE ${name}`);
      throw err;
    } finally {
      this.depth--;
    }
  }

  /** The object was evicted: its prepared statements go with it (the database stays). */
  forgetStatements(): void {
    this.statements.clear();
  }

  deleteAll(): void {
    this.statements.clear();
    this.db.close();
    this.db = new DatabaseSync(':memory:');
  }

  /** Every table's rows, for the bench's size survey. */
  tables(): string[] {
    return (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((r) => r.name);
  }
}

// ───────────────────────────── Durable Objects ─────────────────────────────

type ObjectClass = new (ctx: DurableObjectState, env: unknown) => object;

interface Hosted {
  kind: string;
  name: string;
  instance?: Record<string, unknown>;
  sql: NodeSqlStorage;
  alarm: number | null;
}

/** A live object's state as the runtime sees it (for the size survey and the harness). */
export interface ObjectView {
  kind: string;
  name: string;
  sql: NodeSqlStorage;
  instance: Record<string, unknown>;
}

export interface RequestTally {
  /** `${class}.${method}` → calls (alarms as `${class}.alarm`). */
  byMethod: Record<string, number>;
  total: number;
}

export class ObjectRuntime {
  private readonly objects = new Map<string, Hosted>();
  private readonly classes = new Map<string, ObjectClass>();
  readonly sql: SqlTally = { statements: 0, rowsRead: 0, rowsWritten: 0 };
  requests: RequestTally = { byMethod: {}, total: 0 };
  env: Record<string, unknown> = {};

  /** A namespace binding for `Class` (its name is the label used in the figures). */
  namespace(kind: string, Class: ObjectClass): DurableObjectNamespace {
    this.classes.set(kind, Class);
    const idFromName = (name: string) => ({ name, toString: () => `${kind}:${name}`, equals: (o: { name: string }) => o.name === name });
    const get = (id: { name: string }) => this.stub(kind, id.name);
    return { idFromName, get, getByName: (name: string) => this.stub(kind, name) } as unknown as DurableObjectNamespace;
  }

  private hosted(kind: string, name: string): Hosted {
    const key = `${kind}\u0000${name}`;
    let h = this.objects.get(key);
    if (!h) {
      h = { kind, name, sql: new NodeSqlStorage(this.sql), alarm: null };
      this.objects.set(key, h);
    }
    return h;
  }

  /** The object's instance, constructed on first use (inside the invocation that needed it, as in workerd). */
  private instance(h: Hosted): Record<string, unknown> {
    if (!h.instance) {
      const Class = this.classes.get(h.kind)!;
      const storage = {
        sql: h.sql,
        transactionSync: <T>(fn: () => T) => h.sql.transactionSync(fn),
        setAlarm: async (at: number | Date) => {
          h.alarm = typeof at === 'number' ? at : at.getTime();
        },
        getAlarm: async () => h.alarm,
        deleteAlarm: async () => {
          h.alarm = null;
        },
        deleteAll: async () => {
          h.sql.deleteAll();
        },
        sync: async () => undefined,
      };
      const ctx = {
        id: { name: h.name, toString: () => `${h.kind}:${h.name}` },
        storage,
        blockConcurrencyWhile: async <T>(fn: () => Promise<T>) => fn(),
        waitUntil: (_p: Promise<unknown>) => undefined,
      };
      h.instance = new Class(ctx as unknown as DurableObjectState, this.env) as Record<string, unknown>;
    }
    return h.instance;
  }

  private stub(kind: string, name: string): object {
    return new Proxy(
      {},
      {
        get: (_t, prop) => {
          if (typeof prop !== 'string' || prop === 'then') return undefined;
          return (...args: unknown[]) => this.call(kind, name, prop, args);
        },
      },
    );
  }

  /** One request to one object: sequential with its siblings, arguments and result cloned, CPU charged to it. */
  private async call(kind: string, name: string, method: string, args: unknown[]): Promise<unknown> {
    const caller = meter.current;
    const release = await takeTurn(caller);
    try {
      const cloned = structuredClone(args); // the caller serializes
      const type = `${kind}.${method}`;
      this.requests.byMethod[type] = (this.requests.byMethod[type] ?? 0) + 1;
      this.requests.total++;
      meter.begin(type);
      try {
        const instance = this.instance(this.hosted(kind, name));
        const fn = instance[method];
        if (typeof fn !== 'function') throw new TypeError(`${kind} has no method ${method}`);
        const result = await (fn as (...a: unknown[]) => unknown).apply(instance, cloned);
        return result === undefined ? undefined : structuredClone(result);
      } finally {
        meter.end(caller);
      }
    } finally {
      release();
    }
  }

  /** Alarms set at or before `until` (simulated ms), earliest first. */
  dueAlarms(until: number): { kind: string; name: string; at: number }[] {
    return [...this.objects.values()]
      .filter((h) => h.alarm !== null && h.alarm <= until)
      .sort((a, b) => a.alarm! - b.alarm!)
      .map((h) => ({ kind: h.kind, name: h.name, at: h.alarm! }));
  }

  pendingAlarms(): number {
    return [...this.objects.values()].filter((h) => h.alarm !== null).length;
  }

  /** Runs every alarm due by `until`, each as its own invocation (the clock moves to its time). */
  async runAlarms(until: number): Promise<number> {
    let n = 0;
    for (let due = this.dueAlarms(until); due.length; due = this.dueAlarms(until)) {
      const a = due[0];
      clock.advanceTo(a.at);
      const h = this.hosted(a.kind, a.name);
      h.alarm = null;
      const type = `${a.kind}.alarm`;
      this.requests.byMethod[type] = (this.requests.byMethod[type] ?? 0) + 1;
      this.requests.total++;
      await meter.top(type, async () => {
        const instance = this.instance(h) as { alarm?: () => Promise<void> };
        await instance.alarm?.();
      });
      n++;
    }
    return n;
  }

  /** Every object leaves memory (its storage and alarm stay): the next request constructs it again. */
  evictAll(): void {
    for (const h of this.objects.values()) {
      h.instance = undefined;
      h.sql.forgetStatements();
    }
  }

  resetSql(): void {
    Object.assign(this.sql, { statements: 0, rowsRead: 0, rowsWritten: 0 });
  }

  resetRequests(): void {
    this.requests = { byMethod: {}, total: 0 };
  }

  views(): ObjectView[] {
    return [...this.objects.values()].filter((h) => h.instance).map((h) => ({ kind: h.kind, name: h.name, sql: h.sql, instance: h.instance! }));
  }

  /** The largest row of any table of any object (sum of its text/blob lengths), and where it is. */
  largestRow(): { bytes: number; where: string } {
    let best = { bytes: 0, where: '' };
    for (const h of this.objects.values()) {
      for (const table of h.sql.tables()) {
        const cols = (h.sql.db.prepare(`PRAGMA table_info(${JSON.stringify(table)})`).all() as { name: string }[]).map(
          (c) => `coalesce(length(${JSON.stringify(c.name)}), 0)`,
        );
        if (!cols.length) continue;
        const row = h.sql.db.prepare(`SELECT max(${cols.join(' + ')}) AS n FROM ${JSON.stringify(table)}`).get() as { n: number | null };
        if ((row.n ?? 0) > best.bytes) best = { bytes: row.n ?? 0, where: `${h.kind} ${h.name} table ${table}` };
      }
    }
    return best;
  }
}

// ───────────────────────────── KV ─────────────────────────────

export interface MemoryKv {
  kv: KVNamespace;
  store: Map<string, { value: string; metadata?: unknown }>;
}

/** KV in memory (a Map of strings): values are stored as text, and `json` reads parse them, as a binding does. */
export function memoryKv(): MemoryKv {
  const store = new Map<string, { value: string; metadata?: unknown }>();
  const kind = (type: unknown) => (typeof type === 'string' ? type : ((type as { type?: string } | undefined)?.type ?? 'text'));
  const read = (key: string, type: unknown) => {
    const v = store.get(key);
    if (!v) return null;
    return kind(type) === 'json' ? JSON.parse(v.value) : v.value;
  };
  const kv = {
    async get(key: string, type?: unknown) {
      return read(key, type);
    },
    async getWithMetadata(key: string, type?: unknown) {
      return { value: read(key, type), metadata: store.get(key)?.metadata ?? null };
    },
    async put(key: string, value: string | ArrayBuffer, opts?: { metadata?: unknown }) {
      store.set(key, { value: typeof value === 'string' ? value : new TextDecoder().decode(value), metadata: opts?.metadata });
    },
    async delete(key: string) {
      store.delete(key);
    },
    async list(opts: { prefix?: string; cursor?: string; limit?: number } = {}) {
      const keys = [...store.keys()].filter((k) => !opts.prefix || k.startsWith(opts.prefix)).sort();
      return { keys: keys.map((name) => ({ name, metadata: store.get(name)?.metadata })), list_complete: true, cacheStatus: null };
    },
  };
  return { kv: kv as unknown as KVNamespace, store };
}

// ───────────────────────────── Cache API ─────────────────────────────

interface Cached {
  /** The response as put, unread: reading it (a native pipe in workerd) is not the invocation's work here either. */
  res: Response;
}

// The Cache API keeps its entries outside the isolate; here they live in the bench's heap, so only the newest few
// are kept (every rendered miss would otherwise stay, and the growing heap's collections land in later invocations).
const CACHE_ENTRIES = 256;

/** caches.default on a Map: match / put / delete by URL (GET only), as the serve path and the purge use it. */
export function installCaches(): { entries: Map<string, Cached> } {
  const entries = new Map<string, Cached>();
  const keyOf = (req: Request | string) => (typeof req === 'string' ? req : req.url);
  const cache = {
    async match(req: Request | string) {
      const hit = entries.get(keyOf(req));
      return hit ? hit.res.clone() : undefined;
    },
    async put(req: Request | string, res: Response) {
      const key = keyOf(req);
      entries.delete(key);
      if (entries.size >= CACHE_ENTRIES) entries.delete(entries.keys().next().value!);
      entries.set(key, { res });
    },
    async delete(req: Request | string) {
      return entries.delete(keyOf(req));
    },
  };
  (globalThis as unknown as { caches: unknown }).caches = { default: cache, open: async () => cache };
  return { entries };
}

// ───────────────────────────── execution contexts ─────────────────────────────

/** An ExecutionContext whose waitUntil work the harness awaits (inside the same invocation, as workerd charges it). */
export function executionContext(): { ctx: ExecutionContext; settle: () => Promise<void> } {
  const pending: Promise<unknown>[] = [];
  const ctx = {
    waitUntil: (p: Promise<unknown>) => void pending.push(p),
    passThroughOnException: () => undefined,
    props: {},
  } as unknown as ExecutionContext;
  const settle = async () => {
    while (pending.length) await Promise.allSettled(pending.splice(0));
  };
  return { ctx, settle };
}
