// Small typed helpers over a Durable Object's SQLite storage (SqlStorage), shared by the three objects.
import { DurableObject } from 'cloudflare:workers';
import type { Deployment, Env } from '../model';

export type SqlValue = string | number | null;

/** Every row of a query, typed. */
export function all<T>(sql: SqlStorage, query: string, ...params: SqlValue[]): T[] {
  return sql.exec(query, ...params).toArray() as unknown as T[];
}

/** The first row of a query, or undefined. */
export function first<T>(sql: SqlStorage, query: string, ...params: SqlValue[]): T | undefined {
  for (const row of sql.exec(query, ...params)) return row as unknown as T;
  return undefined;
}

/** Runs a statement; answers how many rows it wrote. */
export function run(sql: SqlStorage, query: string, ...params: SqlValue[]): number {
  return sql.exec(query, ...params).rowsWritten;
}

/** SQLite binds at most 100 parameters per statement on Durable Objects: lists go in slices of this size. */
export const PARAMS_PER_STATEMENT = 90;

/** A list cut into slices that each fit one statement's bound parameters (https://developers.cloudflare.com/durable-objects/platform/limits/). */
export function slices<T>(list: T[], size = PARAMS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** `?,?,…`: `n` parameter markers for an `IN (…)` list. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(',');

/** A key/value table for an object's own facts (its deployment, counters, settings). */
export class MetaTable {
  private readonly cache = new Map<string, string | null>();

  constructor(private readonly sql: SqlStorage) {
    sql.exec('CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID');
  }

  /** A fact's value, read from SQL once and then from memory. */
  get(k: string): string | undefined {
    if (!this.cache.has(k)) this.cache.set(k, first<{ v: string | null }>(this.sql, 'SELECT v FROM meta WHERE k = ?', k)?.v ?? null);
    return this.cache.get(k) ?? undefined;
  }

  /** Sets a fact (undefined deletes it); nothing is written when it is unchanged. */
  set(k: string, v: string | undefined): void {
    if (this.get(k) === v) return;
    this.cache.set(k, v ?? null);
    if (v === undefined) this.sql.exec('DELETE FROM meta WHERE k = ?', k);
    else this.sql.exec('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v', k, v);
  }

  /** A numeric fact, or `fallback` when unset. */
  number(k: string, fallback = 0): number {
    const v = this.get(k);
    return v === undefined ? fallback : Number(v);
  }

  /** A JSON fact, parsed; undefined when unset. */
  json<T>(k: string): T | undefined {
    const v = this.get(k);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }

  /** Remembers the caller's deployment, written only when it changed, so alarms (which get no arguments) know it. */
  remember(d: Deployment): void {
    this.set('deployment', JSON.stringify(d));
  }

  /** The deployment last remembered (what an alarm runs for). */
  deployment(): Deployment | undefined {
    return this.json<Deployment>('deployment');
  }

  /** Forgets what it read: after a rolled-back transaction, or after the rows were deleted under it. */
  forget(): void {
    this.cache.clear();
  }
}

/** A Durable Object on SQLite: its schema applied at start, and its own facts in a meta table. */
export abstract class SqlObject extends DurableObject<Env> {
  protected readonly sql: SqlStorage;
  protected readonly meta: MetaTable;

  constructor(ctx: DurableObjectState, env: Env, schema: string[]) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    for (const statement of schema) this.sql.exec(statement);
    this.meta = new MetaTable(this.sql);
  }

  /** One transaction; if it throws, its writes are rolled back and so is what the object remembered of its rows. */
  protected transaction<T>(fn: () => T): T {
    try {
      return this.ctx.storage.transactionSync(fn);
    } catch (err) {
      this.meta.forget();
      this.forgetRows();
      throw err;
    }
  }

  /** What an object keeps of its rows besides the meta table, forgotten when a transaction rolls back. */
  protected forgetRows(): void {}
}
