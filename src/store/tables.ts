// The Directory's tables: the registry (sources, categories) and every source's scheduling state with the due index.
// Synchronous SQL only: the Directory calls these inside its transactions.
import { hash64 } from '../hash';
import type { Category, CategoryRow, IndexDoc, Source, SourceState } from '../model';
import { hostOf } from '../poll/plan';
import { olderVersion } from './kv';
import { publicCategory } from './registry';
import { isLeaving, type Subscription } from '../poll/websub';
import { all, first, placeholders, slices } from './sql';

const SCHEMA = [
  // rev: the registry revision of the source's URL and categories (rivers it left refuse deliveries of older ones).
  // One source per URL is the admin API's rule, not the table's: an earlier registry may hold two, and must import.
  'CREATE TABLE IF NOT EXISTS sources (id TEXT PRIMARY KEY, url TEXT NOT NULL, rev INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL)',
  'CREATE INDEX IF NOT EXISTS sources_url ON sources (url)',
  'CREATE TABLE IF NOT EXISTS categories (slug TEXT PRIMARY KEY, data TEXT NOT NULL, item_count INTEGER NOT NULL DEFAULT 0, updated_at TEXT, version TEXT) WITHOUT ROWID',
  // due_at: the next check in ms (0: never checked); tie breaks equal due times differently each round (no starving).
  'CREATE TABLE IF NOT EXISTS schedule (id TEXT PRIMARY KEY, due_at INTEGER NOT NULL, tie TEXT NOT NULL, leased_until INTEGER NOT NULL DEFAULT 0, host TEXT NOT NULL, state TEXT NOT NULL) WITHOUT ROWID',
  'CREATE INDEX IF NOT EXISTS schedule_due ON schedule (due_at, tie)',
  // Removals the rivers have not acknowledged yet (written with the registry change that causes them).
  'CREATE TABLE IF NOT EXISTS removals (slug TEXT NOT NULL, source TEXT NOT NULL, revision INTEGER NOT NULL, PRIMARY KEY (slug, source)) WITHOUT ROWID',
  // Alert events not yet delivered to the webhook, oldest first (written with the state change that causes them).
  'CREATE TABLE IF NOT EXISTS alerts (seq INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT NOT NULL)',
  // WebSub subscriptions by callback token: a source's current one, and those on their way out (poll/websub.ts).
  'CREATE TABLE IF NOT EXISTS subscriptions (token TEXT PRIMARY KEY, source TEXT NOT NULL, due_at INTEGER NOT NULL, data TEXT NOT NULL) WITHOUT ROWID',
  'CREATE INDEX IF NOT EXISTS subscriptions_source ON subscriptions (source)',
  'CREATE INDEX IF NOT EXISTS subscriptions_due ON subscriptions (due_at)',
];

// The due time of a source the operator paused: never, until resumed.
const NEVER = Number.MAX_SAFE_INTEGER;
// Undelivered alerts kept while the webhook is down; older ones go first (a dead webhook must not fill the storage).
const ALERTS_KEPT = 500;

/** A fresh source's state: never checked, due at once. */
export function newState(): SourceState {
  return { consecutiveFailures: 0, paused: false, itemCount: 0 };
}

/** A due source as the index holds it (queue producers need no more). */
export interface DueRow {
  id: string;
  host: string;
}

/** What polling needs of a source: the source, its registry revision, its state. */
export interface PollRow {
  source: Source;
  rev: number;
  state: SourceState;
}

// Sources whose poll rows the tables keep parsed between a run's plan and its report (all writes go through them).
const POLL_ROWS_KEPT = 2000;

export class DirectoryTables {
  private readonly kept = new Map<string, PollRow>();

  constructor(private readonly sql: SqlStorage) {
    for (const statement of SCHEMA) sql.exec(statement);
  }

  /** Forgets the rows it kept: after a rolled-back transaction, what it kept may not be what is stored. */
  forget(): void {
    this.kept.clear();
  }

  private keep(id: string, row: PollRow): void {
    this.kept.delete(id);
    this.kept.set(id, row);
    if (this.kept.size > POLL_ROWS_KEPT) this.kept.delete(this.kept.keys().next().value!);
  }

  // ───────────────────────────── sources ─────────────────────────────

  /** A source by id. */
  source(id: string): Source | undefined {
    const row = first<{ data: string }>(this.sql, 'SELECT data FROM sources WHERE id = ?', id);
    return row ? (JSON.parse(row.data) as Source) : undefined;
  }

  /** The id of the source registered under this URL, if any. */
  sourceIdByUrl(url: string): string | undefined {
    return first<{ id: string }>(this.sql, 'SELECT id FROM sources WHERE url = ?', url)?.id;
  }

  /** Every source, sorted by id. */
  sources(): Source[] {
    return all<{ data: string }>(this.sql, 'SELECT data FROM sources ORDER BY id').map((r) => JSON.parse(r.data) as Source);
  }

  /** Every source id, sorted. */
  sourceIds(): string[] {
    return all<{ id: string }>(this.sql, 'SELECT id FROM sources ORDER BY id').map((r) => r.id);
  }

  /** The sources that name this category. */
  sourcesIn(slug: string): Source[] {
    // A source's categories live in its JSON: a registry-sized scan, for rare admin calls only.
    return this.sources().filter((s) => s.categories.includes(slug));
  }

  /** Adds or replaces a source (at revision `rev` when given); a new one gets a fresh state, due at once. */
  putSource(s: Source, opts: { state?: SourceState; rev?: number } = {}): void {
    this.kept.delete(s.id);
    const existed = first(this.sql, 'SELECT 1 AS x FROM sources WHERE id = ?', s.id) !== undefined;
    this.sql.exec(
      'INSERT INTO sources (id, url, rev, data) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET url = excluded.url, rev = coalesce(?, sources.rev), data = excluded.data',
      s.id,
      s.url,
      opts.rev ?? 0,
      JSON.stringify(s),
      opts.rev ?? null,
    );
    if (!existed || opts.state) this.putState(s, opts.state ?? newState());
  }

  /** Each given source's registry revision. */
  revisions(ids: string[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const part of slices(ids)) {
      for (const r of all<{ id: string; rev: number }>(this.sql, `SELECT id, rev FROM sources WHERE id IN (${placeholders(part.length)})`, ...part))
        out.set(r.id, r.rev);
    }
    return out;
  }

  /** Deletes a source with its scheduling state. */
  deleteSource(id: string): void {
    this.kept.delete(id);
    this.sql.exec('DELETE FROM sources WHERE id = ?', id);
    this.sql.exec('DELETE FROM schedule WHERE id = ?', id);
  }

  // ───────────────────────────── categories ─────────────────────────────

  /** A category by slug. */
  category(slug: string): Category | undefined {
    const row = first<{ data: string }>(this.sql, 'SELECT data FROM categories WHERE slug = ?', slug);
    return row ? (JSON.parse(row.data) as Category) : undefined;
  }

  /** Every category, sorted by slug. */
  categories(): Category[] {
    return all<{ data: string }>(this.sql, 'SELECT data FROM categories ORDER BY slug').map((r) => JSON.parse(r.data) as Category);
  }

  /** Adds or replaces a category's settings; its figures stay. */
  putCategory(c: Category): void {
    this.sql.exec('INSERT INTO categories (slug, data) VALUES (?, ?) ON CONFLICT (slug) DO UPDATE SET data = excluded.data', c.slug, JSON.stringify(c));
  }

  /** Deletes a category's row. */
  deleteCategory(slug: string): void {
    this.sql.exec('DELETE FROM categories WHERE slug = ?', slug);
  }

  /** A river's figures for the index page, unless older ones than those stored; true when they changed. */
  setFigures(f: { slug: string; itemCount: number; updatedAt: string; version: string }): boolean {
    const stored = first<{ version: string | null }>(this.sql, 'SELECT version FROM categories WHERE slug = ?', f.slug);
    if (!stored || (stored.version && olderVersion(f.version, stored.version))) return false;
    return (
      this.sql.exec(
        'UPDATE categories SET item_count = ?, updated_at = ?, version = ? WHERE slug = ? AND (item_count != ? OR updated_at IS NOT ?)',
        f.itemCount,
        f.updatedAt,
        f.version,
        f.slug,
        f.itemCount,
        f.updatedAt,
      ).rowsWritten > 0
    );
  }

  /** Queues telling a river that a source left it at `revision` (a later revision replaces an earlier one). */
  queueRemoval(slug: string, source: string, revision: number): void {
    this.sql.exec(
      'INSERT INTO removals (slug, source, revision) VALUES (?, ?, ?) ON CONFLICT (slug, source) DO UPDATE SET revision = max(revision, excluded.revision)',
      slug,
      source,
      revision,
    );
  }

  /** The removals no River has acknowledged yet. */
  removals(): { slug: string; source: string; revision: number }[] {
    return all(this.sql, 'SELECT slug, source, revision FROM removals');
  }

  /** A River took this removal; a later revision queued meanwhile stays. */
  removalDone(r: { slug: string; source: string; revision: number }): void {
    this.sql.exec('DELETE FROM removals WHERE slug = ? AND source = ? AND revision = ?', r.slug, r.source, r.revision);
  }

  /** The index document: every category's public fields with its figures. */
  indexDoc(): IndexDoc {
    const rows = all<{ data: string; item_count: number; updated_at: string | null }>(
      this.sql,
      'SELECT data, item_count, updated_at FROM categories ORDER BY slug',
    );
    return {
      categories: rows.map(
        (r): CategoryRow => ({
          ...publicCategory(JSON.parse(r.data) as Category),
          itemCount: r.item_count,
          ...(r.updated_at ? { updatedAt: r.updated_at } : {}),
        }),
      ),
    };
  }

  // ───────────────────────────── scheduling state ─────────────────────────────

  /** A source's stored scheduling state. */
  state(id: string): SourceState | undefined {
    const row = first<{ state: string }>(this.sql, 'SELECT state FROM schedule WHERE id = ?', id);
    return row ? (JSON.parse(row.state) as SourceState) : undefined;
  }

  /** Every source's state by id (the status page). */
  allStates(): Map<string, SourceState> {
    return new Map(all<{ id: string; state: string }>(this.sql, 'SELECT id, state FROM schedule').map((r) => [r.id, JSON.parse(r.state) as SourceState]));
  }

  /** Stores a source's state; the due index follows its next check (never, while the operator pauses it), and the lease (if any) ends. */
  putState(source: Pick<Source, 'id' | 'url' | 'paused'>, state: SourceState): void {
    const kept = this.kept.get(source.id);
    if (kept) kept.state = state;
    const dueAt = source.paused ? NEVER : state.nextCheckAt ? Date.parse(state.nextCheckAt) || 0 : 0;
    this.sql.exec(
      'INSERT INTO schedule (id, due_at, tie, leased_until, host, state) VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, tie = excluded.tie, leased_until = 0, host = excluded.host, state = excluded.state',
      source.id,
      dueAt,
      hash64(`${source.id}@${dueAt}`),
      hostOf(source.url),
      JSON.stringify(state),
    );
  }

  /** Makes a source due at once (it joined a category, its URL changed, or it was resumed); not one the operator paused. */
  dueNow(id: string): void {
    this.kept.delete(id);
    this.sql.exec('UPDATE schedule SET due_at = 0, tie = ? WHERE id = ? AND due_at < ?', hash64(`${id}@0`), id, NEVER);
  }

  /** Every source a forced run polls: all but those the operator paused. */
  activeSourceIds(): string[] {
    return all<{ id: string }>(this.sql, 'SELECT id FROM schedule WHERE due_at < ? ORDER BY id', NEVER).map((r) => r.id);
  }

  // ───────────────────────────── WebSub subscriptions ─────────────────────────────

  /** A subscription by its callback token. */
  subscription(token: string): Subscription | undefined {
    const row = first<{ data: string }>(this.sql, 'SELECT data FROM subscriptions WHERE token = ?', token);
    return row ? (JSON.parse(row.data) as Subscription) : undefined;
  }

  /** The source's current subscription (not one on its way out). */
  currentSubscription(sourceId: string): Subscription | undefined {
    return all<{ data: string }>(this.sql, 'SELECT data FROM subscriptions WHERE source = ?', sourceId)
      .map((r) => JSON.parse(r.data) as Subscription)
      .find((sub) => !isLeaving(sub));
  }

  /** Every source's current subscription, for the status page. */
  currentSubscriptions(): Map<string, Subscription> {
    const out = new Map<string, Subscription>();
    for (const r of all<{ data: string }>(this.sql, 'SELECT data FROM subscriptions')) {
      const sub = JSON.parse(r.data) as Subscription;
      if (!isLeaving(sub)) out.set(sub.sourceId, sub);
    }
    return out;
  }

  /** Adds or replaces a subscription; its due time is indexed. */
  putSubscription(sub: Subscription): void {
    this.sql.exec(
      'INSERT INTO subscriptions (token, source, due_at, data) VALUES (?, ?, ?, ?) ON CONFLICT (token) DO UPDATE SET due_at = excluded.due_at, data = excluded.data',
      sub.token,
      sub.sourceId,
      sub.dueAt,
      JSON.stringify(sub),
    );
  }

  /** Deletes a subscription. */
  deleteSubscription(token: string): void {
    this.sql.exec('DELETE FROM subscriptions WHERE token = ?', token);
  }

  /** Subscriptions due by `now`, earliest first, at most `limit`. */
  dueSubscriptions(now: number, limit: number): Subscription[] {
    return all<{ data: string }>(this.sql, 'SELECT data FROM subscriptions WHERE due_at <= ? ORDER BY due_at LIMIT ?', now, limit).map(
      (r) => JSON.parse(r.data) as Subscription,
    );
  }

  /** When the next subscription is due (ms since the epoch), if any is. */
  nextSubscriptionDue(): number | undefined {
    return first<{ due: number | null }>(this.sql, 'SELECT min(due_at) AS due FROM subscriptions')?.due ?? undefined;
  }

  // ───────────────────────────── alerts ─────────────────────────────

  /** Queues an alert event; past ALERTS_KEPT undelivered, the oldest go. */
  queueAlert(payload: object): void {
    this.sql.exec('INSERT INTO alerts (payload) VALUES (?)', JSON.stringify(payload));
    this.sql.exec('DELETE FROM alerts WHERE seq <= (SELECT max(seq) FROM alerts) - ?', ALERTS_KEPT);
  }

  /** The oldest undelivered alerts, at most `limit`. */
  alerts(limit: number): { seq: number; payload: string }[] {
    return all(this.sql, 'SELECT seq, payload FROM alerts ORDER BY seq LIMIT ?', limit);
  }

  /** An alert was delivered: it leaves the queue. */
  alertDone(seq: number): void {
    this.sql.exec('DELETE FROM alerts WHERE seq = ?', seq);
  }

  /**
   * Hands out the sources due by `horizon` and not on lease at `now` — most overdue first, at most `limit` — on lease
   * until `until`: one statement over the due index.
   */
  leaseDue(horizon: number, now: number, limit: number, until: number): DueRow[] {
    const rows = all<DueRow & { due_at: number; tie: string }>(
      this.sql,
      'UPDATE schedule SET leased_until = ? WHERE id IN (SELECT id FROM schedule WHERE due_at <= ? AND leased_until <= ? ORDER BY due_at, tie LIMIT ?) RETURNING id, host, due_at, tie',
      until,
      horizon,
      now,
      limit,
    );
    rows.sort((a, b) => a.due_at - b.due_at || (a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0));
    return rows.map(({ id, host }) => ({ id, host }));
  }

  /**
   * What polling needs of each source, in one read per slice of ids; a run's report finds the rows its plan read
   * still parsed (the Directory is the only writer, and every write passes here).
   */
  pollRows(ids: string[]): Map<string, PollRow> {
    const out = new Map<string, PollRow>();
    const missing: string[] = [];
    for (const id of ids) {
      const kept = this.kept.get(id);
      if (kept) out.set(id, kept);
      else missing.push(id);
    }
    for (const part of slices(missing)) {
      const rows = all<{ id: string; data: string; rev: number; state: string }>(
        this.sql,
        `SELECT s.id, s.data, s.rev, sc.state FROM sources s JOIN schedule sc ON sc.id = s.id WHERE s.id IN (${placeholders(part.length)})`,
        ...part,
      );
      for (const r of rows) {
        const row: PollRow = { source: JSON.parse(r.data) as Source, rev: r.rev, state: JSON.parse(r.state) as SourceState };
        out.set(r.id, row);
        this.keep(r.id, row);
      }
    }
    return out;
  }

  /** Hands sources out until `until`: a concurrent run does not fetch them again meanwhile (a report ends the lease). */
  lease(ids: string[], until: number): void {
    for (const part of slices(ids)) this.sql.exec(`UPDATE schedule SET leased_until = ? WHERE id IN (${placeholders(part.length)})`, until, ...part);
  }

  /** Ends the lease of sources handed out but not polled: due again as they were. */
  release(ids: string[]): void {
    this.lease(ids, 0);
  }
}
