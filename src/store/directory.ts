// The Directory: the one writer of the registry (sources, categories) and of every source's scheduling state, with
// the due index runs plan from. Admin changes that touch rivers go through it to the River that owns each river, so
// every river keeps one writer. It also writes the `index` document the index page is served from.
import { failed, type Result } from '../errors';
import type { Category, Deployment, Env, IndexDoc, PollRecord, PollTask, Source, SourceState, SourceStatus, SourceView } from '../model';
import { alertAfterCheck, alertEvent, deliverAlert, statusUrlOf, type AlertKind } from '../poll/alerts';
import { applyHeaderChange, viewOf, type HeaderChange } from '../poll/controls';
import { controlsOf, currentRecord, currentState, DUE_SLACK_MS, joinsCategory, pollTask, safetyNetSource, spreadHosts, stateAfter } from '../poll/plan';
import {
  afterRequest,
  dueRequest,
  hubAndTopic,
  isLive,
  lapsed,
  leaving,
  newSubscription,
  sendToHub,
  subscriptionChange,
  subscriptionView,
  verifyIntent,
  type IntentCheck,
  type Subscription,
} from '../poll/websub';
import { ALL_SLUG, saveIndex } from './kv';
import { importLegacyLayout } from './migrate';
import { countRequest, feedOf, riverOf } from './objects';
import { defaultCategory, deriveId, planOpmlImport, type OpmlList } from './registry';
import type { RiverFigures, RiverSettings } from './river';
import { SqlObject } from './sql';
import { DirectoryTables, newState, type DueRow } from './tables';

/** An admin change's answer: the value, or why not — `not-found` (404) or `conflict` (409) — in words a person can act on. */
export type Outcome<T> = Result<{ value: T }, 'not-found' | 'conflict'>;

export interface PlanOptions {
  now: string;
  /** At most this many sources (the fetch budget of the invocation). */
  budget: number;
  /** Every source, due or not. */
  force?: boolean;
  /** This source only. */
  sourceId?: string;
  /** Also list every source not handed out (the admin poll reports them as skipped). */
  listSkipped?: boolean;
}

export interface NewSource {
  url: string;
  categories: string[];
  id?: string;
  title?: string;
  intervalMinutes?: number;
  paused?: boolean;
  userAgent?: string;
  headers?: Record<string, string>;
}

export interface SourcePatch {
  url?: string;
  categories?: string[];
  /** null: back to the feed's own title. */
  title?: string | null;
  intervalMinutes?: number | null;
  paused?: boolean;
  /** null: back to the honest default. */
  userAgent?: string | null;
  /** Headers set (a value) or removed (null), the others kept; null alone removes them all. */
  headers?: HeaderChange;
}

// A River that did not take a removal is told again this much later.
const REMOVAL_RETRY_MS = 60_000;
// A reader that missed the index document in KV asks the Directory, which writes it again at most this often (KV
// itself may take this long to show it everywhere).
const INDEX_REWRITE_MS = 60_000;

// The layout this code keeps (the earlier one, all in KV, is migrated on first use).
const LAYOUT = '2';
// A handed-out source is not handed out again for this long, unless its report comes back first.
const LEASE_MS = 10 * 60_000;
// Alerts sent per delivery round, oldest first; a failed one waits this long, doubling, before the next try.
const ALERT_BATCH = 20;
const ALERT_RETRY_MS = 2_000;
const ALERT_RETRY_MAX_MS = 10 * 60_000;
// Requests to WebSub hubs per alarm (each is a subrequest of the alarm's own invocation).
const HUB_REQUESTS_PER_ALARM = 20;

function riverSettings(c: Category): RiverSettings {
  return { slug: c.slug, title: c.title, description: c.description, language: c.language, include: c.include, exclude: c.exclude };
}

const ALL_SETTINGS: RiverSettings = { slug: ALL_SLUG, title: 'All categories' };

export class Directory extends SqlObject {
  private readonly tables: DirectoryTables;
  private starting?: Promise<void>;
  private indexWrite: Promise<void> = Promise.resolve();
  private indexPending = false;
  private delivering?: Promise<number | undefined>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, []);
    this.tables = new DirectoryTables(this.sql);
  }

  protected override forgetRows(): void {
    this.tables.forget();
  }

  /** Every call starts here: counts itself, and the first one brings the deployment to this layout. */
  private async ready(d: Deployment): Promise<void> {
    countRequest(d.prefix, 'directory');
    this.meta.remember(d);
    if (this.meta.get('layout') === LAYOUT) return;
    this.starting ??= this.start(d).finally(() => (this.starting = undefined));
    await this.starting;
  }

  private async start(d: Deployment): Promise<void> {
    const since = new Date().toISOString();
    const imported = await importLegacyLayout({ env: this.env, d, tables: this.tables, revision: () => this.revision() });
    const slugs = [ALL_SLUG, ...this.tables.categories().map((c) => c.slug)];
    const figures = await Promise.all(
      slugs.map((slug) => {
        const river = riverOf(this.env, d, slug);
        if (imported.rivers.includes(slug)) return river.flush(d, slug, since);
        const c = this.tables.category(slug);
        return river.configure(d, c ? riverSettings(c) : ALL_SETTINGS);
      }),
    );
    this.noteFigures(figures);
    await this.writeIndex(d);
    this.meta.set('layout', LAYOUT);
    // Everything lives here now; keys of the earlier layout that outlast a failed delete are never read again.
    await imported.finish().catch((err: unknown) => console.warn('some keys of the earlier layout stay behind:', err));
  }

  /** The next registry revision (of a source's URL or categories): rivers compare them, never clocks. */
  private revision(): number {
    const rev = this.meta.number('rev') + 1;
    this.meta.set('rev', String(rev));
    return rev;
  }

  /** A creation time no earlier incarnation of any source had: a source removed and added again is a new Feed. */
  private createdAt(): string {
    const ms = Math.max(Date.now(), this.meta.number('lastCreatedMs') + 1);
    this.meta.set('lastCreatedMs', String(ms));
    return new Date(ms).toISOString();
  }

  // ───────────────────────────── runs ─────────────────────────────

  /** The sources to poll now, most overdue first and hosts interleaved; they are on lease until reported. */
  async plan(d: Deployment, opts: PlanOptions): Promise<{ tasks: PollTask[]; skipped: string[] }> {
    await this.ready(d);
    const now = Date.parse(opts.now);
    let ids: string[];
    if (opts.sourceId !== undefined || opts.force) {
      // One source asked for by name is polled even when paused (to try new settings); a forced run skips the paused.
      ids = opts.sourceId !== undefined ? (this.tables.source(opts.sourceId) ? [opts.sourceId] : []) : this.tables.activeSourceIds();
      this.tables.lease(ids, now + LEASE_MS);
    } else {
      ids = this.tables.leaseDue(now + DUE_SLACK_MS, now, Math.max(0, Math.floor(opts.budget)), now + LEASE_MS).map((r) => r.id);
    }
    const tasks = this.tasksFor(ids);
    const handed = new Set(ids);
    const skipped = opts.listSkipped ? this.tables.sourceIds().filter((id) => !handed.has(id)) : [];
    return { tasks, skipped };
  }

  /** The queue producer's view: due sources by id and host only (a compact index read), on lease once handed out. */
  async dueSources(d: Deployment, now: string, limit: number): Promise<DueRow[]> {
    await this.ready(d);
    const t = Date.parse(now);
    return this.tables.leaseDue(t + DUE_SLACK_MS, t, limit, t + LEASE_MS);
  }

  /** The tasks of the given sources (a queue consumer's batch): only their rows are read. */
  async tasks(d: Deployment, ids: string[]): Promise<PollTask[]> {
    await this.ready(d);
    return this.tasksFor(ids);
  }

  private tasksFor(ids: string[]): PollTask[] {
    const rows = this.tables.pollRows(ids);
    const sources = ids.map((id) => rows.get(id)?.source).filter((s): s is Source => s !== undefined);
    return spreadHosts(sources).map((s) => {
      const row = rows.get(s.id)!;
      return pollTask(row.source, row.state, row.rev);
    });
  }

  /**
   * Applies what polls came to; a report for a source since removed (or removed and added again) is dropped.
   * `unpolled` were handed out but not fetched (the invocation's budget ran out): due again at once, first in line.
   */
  async record(d: Deployment, records: PollRecord[], unpolled: string[] = []): Promise<void> {
    await this.ready(d);
    let alerts = 0;
    let subscriptions = false;
    const now = Date.now();
    this.transaction(() => {
      this.tables.release(unpolled);
      const rows = this.tables.pollRows(records.map((r) => r.id));
      for (const reported of records) {
        const r = currentRecord(reported);
        const row = rows.get(r.id);
        if (!row || row.source.createdAt !== r.createdAt) continue;
        // The URL or the categories changed while it was polled: its validators and schedule belong to what came before.
        if (row.rev !== r.revision) {
          this.tables.release([r.id]);
          continue;
        }
        const sub = this.tables.currentSubscription(r.id);
        // With a live subscription, polling is the safety net: a longer interval.
        const polledAs = isLive(sub, now) ? safetyNetSource(row.source, d.config) : row.source;
        const next = stateAfter(row.state, r, polledAs, d.config);
        if (this.followHub(d, row.source, sub, r, now)) subscriptions = true;
        const alert = alertAfterCheck(currentState(row.source, row.state), next, d.config);
        if (alert.alerted) next.alerted = alert.alerted;
        else delete next.alerted;
        if (alert.kind && this.queueAlert(d, alert.kind, row.source, next, r.checkedAt)) alerts++;
        this.tables.putState(row.source, next);
      }
    });
    if (alerts) await this.alertSoon();
    if (subscriptions) await this.alarmBy(Date.now());
  }

  // ───────────────────────────── WebSub subscriptions ─────────────────────────────

  /**
   * What a report does to the source's subscription (inside record's transaction): a push notes its time; a fresh
   * parse that names a hub starts or moves the subscription, one that names none ends it. True when one is due now.
   */
  private followHub(d: Deployment, source: Source, sub: Subscription | undefined, r: PollRecord, now: number): boolean {
    if (r.pushed) {
      if (sub) this.tables.putSubscription({ ...sub, lastPushAt: r.checkedAt });
      return false;
    }
    if (!r.outcome.ok || r.outcome.kind !== 'fresh' || !r.ingest?.ok) return false;
    // A hub cannot call back to a deployment without a public address; a paused source wants no pushes.
    const found = d.config.publicBaseUrl && !source.paused ? hubAndTopic(r.outcome.links ?? {}, r.ingest.feed, source.url) : undefined;
    const change = subscriptionChange(sub, found);
    if (change === 'keep') return false;
    if (sub) this.tables.putSubscription(leaving(sub, now));
    if (found && change !== 'leave') this.tables.putSubscription(newSubscription(source.id, found, now));
    return true;
  }

  /** The source's current subscription leaves (removed, paused, moved): it unsubscribes at the next alarm. */
  private leaveHub(sourceId: string): boolean {
    const sub = this.tables.currentSubscription(sourceId);
    if (!sub) return false;
    if (sub.state === 'wanted') this.tables.deleteSubscription(sub.token);
    else this.tables.putSubscription(leaving(sub, Date.now()));
    return true;
  }

  /** Sends what due subscriptions ask for (subscribe, renew, unsubscribe); returns when the next one is due. */
  private async serveSubscriptions(d: Deployment): Promise<number | undefined> {
    const now = Date.now();
    for (const due of this.tables.dueSubscriptions(now, HUB_REQUESTS_PER_ALARM)) {
      const sub: Subscription = lapsed(due, now) ? { ...due, state: 'expired' } : due;
      const request = dueRequest(sub);
      if (request === 'end') {
        this.tables.deleteSubscription(sub.token);
        continue;
      }
      const next = afterRequest(sub, await sendToHub(sub, request, d.config), Date.now());
      // Another request may have changed it meanwhile (a verification came in): only a row still as read is replaced.
      const stored = this.tables.subscription(sub.token);
      if (!stored || stored.state !== due.state || stored.dueAt !== due.dueAt) continue;
      if (next) this.tables.putSubscription(next);
      else this.tables.deleteSubscription(sub.token);
    }
    return this.tables.nextSubscriptionDue();
  }

  /** The hub's verification of intent or denial for the subscription its callback names (https://www.w3.org/TR/websub/#hub-verifies-intent). */
  async verifySubscription(d: Deployment, sourceId: string, token: string, check: IntentCheck): Promise<'challenge' | 'ok' | 'not-found'> {
    await this.ready(d);
    const sub = this.tables.subscription(token);
    const verdict = verifyIntent(sub?.sourceId === sourceId ? sub : undefined, check, Date.now());
    if (verdict.next === null) this.tables.deleteSubscription(token);
    else if (verdict.next) {
      this.tables.putSubscription(verdict.next);
      await this.alarmBy(verdict.next.dueAt);
    }
    return verdict.answer;
  }

  /** What a push (https://www.w3.org/TR/websub/#content-distribution) needs: the secret its signature is checked with, and the task; none if not live. */
  async pushTarget(d: Deployment, sourceId: string, token: string): Promise<{ secret: string; task: PollTask } | undefined> {
    await this.ready(d);
    const sub = this.tables.subscription(token);
    if (!sub || sub.sourceId !== sourceId || !isLive(sub, Date.now())) return undefined;
    const row = this.tables.pollRows([sourceId]).get(sourceId);
    return row && { secret: sub.secret, task: pollTask(row.source, row.state, row.rev) };
  }

  // ───────────────────────────── alerts ─────────────────────────────

  /** Queues one event (inside the transaction that changes the state); none when no webhook is configured. */
  private queueAlert(d: Deployment, kind: AlertKind, source: Source, state: SourceState | undefined, at: string): boolean {
    if (!d.config.alertWebhookUrl) return false;
    const by = kind === 'paused' ? (source.paused ? 'operator' : 'failures') : undefined;
    this.tables.queueAlert(alertEvent(kind, { source, state, statusUrl: statusUrlOf(source.id, d.config), at, by }));
    return true;
  }

  /** Delivery runs in the alarm, its own invocation: a slow webhook never holds up a run or an admin answer. */
  private async alertSoon(): Promise<void> {
    await this.alarmBy(Math.max(Date.now(), this.meta.number('alertRetryAtMs')));
  }

  private async alarmBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * Sends queued alerts in order; the first failure ends the round. Returns when to go on: at once when more are queued,
   * after a back-off (doubling) when the webhook failed; undefined when none are left.
   */
  private deliverAlerts(d: Deployment): Promise<number | undefined> {
    const url = d.config.alertWebhookUrl;
    if (!url) return Promise.resolve(undefined);
    this.delivering ??= (async () => {
      for (const a of this.tables.alerts(ALERT_BATCH)) {
        const sent = await deliverAlert(url, JSON.parse(a.payload));
        if (!sent.ok) {
          const wait = Math.min(ALERT_RETRY_MAX_MS, Math.max(ALERT_RETRY_MS, 2 * this.meta.number('alertRetryGapMs')));
          this.meta.set('alertRetryGapMs', String(wait));
          this.meta.set('alertRetryAtMs', String(Date.now() + wait));
          console.warn(`alert not delivered (${sent.reason}); next try in ${Math.round(wait / 1000)} s`);
          return Date.now() + wait;
        }
        this.tables.alertDone(a.seq);
        this.meta.set('alertRetryGapMs', '0');
        this.meta.set('alertRetryAtMs', '0');
      }
      return this.tables.alerts(1).length ? Date.now() : undefined;
    })().finally(() => (this.delivering = undefined));
    return this.delivering;
  }

  /** Ends a run: the rivers it changed publish their pages; the index follows. Returns the rivers published since `since`. */
  async finishRun(d: Deployment, slugs: string[], since: string): Promise<RiverFigures[]> {
    await this.ready(d);
    const figures = await Promise.all(
      [...new Set(slugs)].map((slug) =>
        riverOf(this.env, d, slug)
          .flush(d, slug, since)
          .catch((err: unknown) => {
            // The river publishes on its own alarm; this run just cannot announce it.
            console.warn(`river "${slug}" did not publish at the end of the run:`, err);
            return null;
          }),
      ),
    );
    const published = figures.filter((f): f is RiverFigures => f !== null);
    if (this.noteFigures(published)) await this.writeIndex(d);
    return published;
  }

  /** A river published on its own (its alarm): its figures reach the index page. */
  async riverPublished(d: Deployment, figures: RiverFigures): Promise<void> {
    await this.ready(d);
    if (this.noteFigures([figures])) await this.writeIndex(d);
  }

  /** Keeps each category's newest figures (a run that ends late does not put back older ones); true when any changed. */
  private noteFigures(figures: (RiverFigures | null | undefined)[]): boolean {
    let changed = false;
    for (const f of figures) if (f && f.slug !== ALL_SLUG && this.tables.setFigures(f)) changed = true;
    return changed;
  }

  /**
   * Writes the index document, at most once a second: writes queue behind each other, and a change made while a write
   * waits for its turn joins that write (it reads the tables when its turn comes).
   */
  private writeIndex(d: Deployment): Promise<void> {
    if (this.indexPending) return this.indexWrite;
    this.indexPending = true;
    this.indexWrite = this.indexWrite
      .catch(() => undefined)
      .then(async () => {
        const wait = this.meta.number('indexWrittenMs') + d.config.kvWriteGapMs - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        this.indexPending = false;
        const doc = this.tables.indexDoc();
        this.meta.set('indexWrittenMs', String(Date.now()));
        await saveIndex(this.env.TRIBUTARY, d.prefix, doc);
      });
    return this.indexWrite;
  }

  // ───────────────────────────── reads ─────────────────────────────

  /** Every source's health for the status page: its last check, schedule, pause and WebSub subscription. */
  async status(d: Deployment): Promise<SourceStatus[]> {
    await this.ready(d);
    const states = this.tables.allStates();
    const subs = this.tables.currentSubscriptions();
    const now = Date.now();
    return this.tables.sources().map((s) => {
      const st = states.get(s.id);
      return {
        id: s.id,
        url: s.url,
        title: s.title || st?.feedTitle || s.url,
        categories: s.categories,
        lastCheckedAt: st?.lastCheckedAt ?? null,
        lastSuccessAt: st?.lastSuccessAt ?? null,
        lastStatus: st?.lastStatus ?? null,
        lastError: st?.lastError ?? null,
        lastErrorCode: st?.lastErrorCode ?? null,
        lastOutcome: st?.checks?.[0]?.outcome ?? null,
        consecutiveFailures: st?.consecutiveFailures ?? 0,
        nextCheckAt: st?.nextCheckAt ?? null,
        itemCount: st?.itemCount ?? 0,
        paused: Boolean(s.paused || st?.paused),
        pausedBy: s.paused ? 'operator' : st?.paused ? 'failures' : null,
        failingSince: st?.failingSince ?? null,
        hub: st?.feedHub ?? null,
        subscription: subscriptionView(subs.get(s.id), now),
        permanentRedirect: st?.permanentRedirect ?? null,
        identityPolicy: st?.identityPolicy ?? null,
        charset: st?.charset ?? null,
      };
    });
  }

  /** Every source (secret header values left out) and category, sorted (plain lists: records without a prototype cannot cross an RPC call). */
  async registry(d: Deployment): Promise<{ sources: SourceView[]; categories: Category[] }> {
    await this.ready(d);
    return { sources: this.tables.sources().map(viewOf), categories: this.tables.categories() };
  }

  /** One source as the admin API shows it (secret header values left out); undefined when unknown. */
  async source(d: Deployment, id: string): Promise<SourceView | undefined> {
    await this.ready(d);
    const source = this.tables.source(id);
    return source && viewOf(source);
  }

  /** A source's state as the console shows it: its latest checks and what its feed declared. */
  async sourceState(d: Deployment, id: string): Promise<SourceState | undefined> {
    await this.ready(d);
    const source = this.tables.source(id);
    return source && currentState(source, this.tables.state(id));
  }

  /** Every category, sorted by slug. */
  async categories(d: Deployment): Promise<Category[]> {
    await this.ready(d);
    return this.tables.categories();
  }

  /** The index document; written to KV again (at most once a minute) since a reader found it missing. */
  async index(d: Deployment): Promise<IndexDoc> {
    await this.ready(d);
    if (Date.now() - this.meta.number('indexWrittenMs') > INDEX_REWRITE_MS) await this.writeIndex(d);
    return this.tables.indexDoc();
  }

  // ───────────────────────────── admin changes ─────────────────────────────

  /** Registers a source (409 when its id or URL is taken), creating the categories it names that do not exist yet. */
  async addSource(d: Deployment, input: NewSource): Promise<Outcome<SourceView>> {
    await this.ready(d);
    if (input.id !== undefined && this.tables.source(input.id)) return failed('conflict', `a source with id "${input.id}" already exists`);
    const same = this.tables.sourceIdByUrl(input.url);
    if (same) return failed('conflict', `this URL is already registered as "${same}"`);
    const source: Source = {
      id: input.id ?? deriveId(input.url, (x) => this.tables.source(x) !== undefined),
      url: input.url,
      categories: input.categories,
      createdAt: this.createdAt(),
    };
    if (input.title) source.title = input.title;
    if (input.intervalMinutes) source.intervalMinutes = input.intervalMinutes;
    if (input.paused) source.paused = true;
    if (input.userAgent) source.userAgent = input.userAgent;
    if (input.headers) source.headers = input.headers;
    const added = this.transaction(() => {
      this.tables.putSource(source, { rev: this.revision() });
      return this.ensureCategories(source.categories);
    });
    await this.configureRivers(d, added);
    return { ok: true, value: viewOf(source) };
  }

  /** Applies an admin patch: the rivers of categories it left are told; joining a category or resuming makes it due at once. */
  async updateSource(d: Deployment, id: string, patch: SourcePatch): Promise<Outcome<{ source: SourceView; rivers: string[] }>> {
    await this.ready(d);
    const prev = this.tables.source(id);
    if (!prev) return failed('not-found', `source "${id}" not found`);
    const next: Source = { ...prev };
    if (patch.url !== undefined && patch.url !== prev.url) {
      const same = this.tables.sourceIdByUrl(patch.url);
      if (same && same !== id) return failed('conflict', `this URL is already registered as "${same}"`);
      next.url = patch.url;
    }
    if (patch.categories) next.categories = patch.categories;
    if (patch.title === null) delete next.title;
    else if (patch.title !== undefined) next.title = patch.title;
    if (patch.intervalMinutes === null) delete next.intervalMinutes;
    else if (patch.intervalMinutes !== undefined) next.intervalMinutes = patch.intervalMinutes;
    applyControls(next, patch);
    const pausing = next.paused && !prev.paused;
    const resuming = !next.paused && prev.paused;
    const left = prev.categories.filter((s) => !next.categories.includes(s));
    const joined = joinsCategory(next.categories, prev.categories);
    const moved = next.url !== prev.url;
    const rev = moved || left.length || joined ? this.revision() : undefined;
    let alerted = false;
    let unsubscribe = false;
    const added = this.transaction(() => {
      const stored = this.tables.state(id) ?? newState();
      // Categories it left are no longer delivered to: coming back to one brings the whole feed again.
      const state = { ...stored, categories: stored.categories?.filter((c) => !left.includes(c)) };
      // New credentials or User-Agent may get another answer at the registered URL than the redirect that moved it.
      if (controlsOf(next) !== controlsOf(prev)) delete state.permanentRedirect;
      if (moved) {
        // Another feed: the old one's validators, body hash and permanent redirect mean nothing to it.
        const { etag: _e, lastModified: _l, bodyHash: _b, permanentRedirect: _p, ...fresh } = state;
        this.tables.putSource(next, { state: { ...fresh, nextCheckAt: undefined }, rev });
      } else {
        this.tables.putSource(next, { state, rev });
      }
      if (joined || resuming) this.tables.dueNow(id);
      for (const slug of left) this.tables.queueRemoval(slug, id, rev!);
      if (pausing || resuming) alerted = this.queueAlert(d, pausing ? 'paused' : 'resumed', next, state, new Date().toISOString());
      // A paused source wants no pushes; a moved one has another topic (its next poll subscribes again).
      if ((pausing || moved) && this.leaveHub(id)) unsubscribe = true;
      return this.ensureCategories(next.categories);
    });
    if (alerted) await this.alertSoon();
    if (unsubscribe) await this.alarmBy(Date.now());
    await this.configureRivers(d, added);
    if (left.length) {
      await feedOf(this.env, d, next)
        .leave(d, left)
        .catch((err: unknown) => console.warn(`source "${id}" left ${left.join(', ')}; its Feed has not heard yet:`, err));
    }
    const figures = await this.drainRemovals(d);
    return { ok: true, value: { source: viewOf(next), rivers: figures.map((f) => f.slug) } };
  }

  /** Removes a source: its rivers drop what only it carried, its Feed forgets it, its hub subscription leaves. */
  async removeSource(d: Deployment, id: string): Promise<Outcome<{ deleted: string; categories: string[] }>> {
    await this.ready(d);
    const source = this.tables.source(id);
    if (!source) return failed('not-found', `source "${id}" not found`);
    // A revision this source never had: every delivery of it still under way is refused. The rivers hear of it from
    // the queue of removals, written with the registry change, so a River that cannot take it now is told later.
    const rev = this.revision();
    const unsubscribe = this.transaction(() => {
      this.tables.deleteSource(id);
      for (const slug of [...source.categories, ALL_SLUG]) this.tables.queueRemoval(slug, id, rev);
      return this.leaveHub(id);
    });
    if (unsubscribe) await this.alarmBy(Date.now());
    await feedOf(this.env, d, source)
      .forget(d)
      .catch((err: unknown) => console.warn(`the memory of removed source "${id}" stays behind:`, err));
    const figures = await this.drainRemovals(d);
    return { ok: true, value: { deleted: id, categories: figures.map((f) => f.slug) } };
  }

  /** Tells the rivers about sources that left them; what a River cannot take now is retried by the alarm. */
  private async drainRemovals(d: Deployment): Promise<RiverFigures[]> {
    const pending = this.tables.removals();
    const figures = await Promise.all(
      pending.map(async (r) => {
        try {
          const f = await riverOf(this.env, d, r.slug).removeSource(d, r.slug, r.source, r.revision);
          this.tables.removalDone(r);
          return f;
        } catch (err) {
          console.warn(`river "${r.slug}" did not take the removal of "${r.source}" yet:`, err);
          return undefined;
        }
      }),
    );
    if (this.tables.removals().length) await this.ctx.storage.setAlarm(Date.now() + REMOVAL_RETRY_MS);
    const published = figures.filter((f): f is RiverFigures => f !== undefined && f !== null);
    if (this.noteFigures(published)) await this.writeIndex(d);
    return published;
  }

  /** The object's one alarm (https://developers.cloudflare.com/durable-objects/api/alarms/), set for the earliest of removals, alerts and hub requests. */
  override async alarm(): Promise<void> {
    const d = this.meta.deployment();
    if (!d) return;
    await this.ready(d);
    await this.drainRemovals(d);
    const [alerts, hubs] = await Promise.all([this.deliverAlerts(d), this.serveSubscriptions(d)]);
    const next = Math.min(alerts ?? Infinity, hubs ?? Infinity);
    // The alarm that is firing still reads as set: an earlier time than now is that one, not a later retry.
    const current = await this.ctx.storage.getAlarm();
    if (next !== Infinity && (current === null || current <= Date.now() || current > next)) await this.ctx.storage.setAlarm(next);
  }

  /** Creates or replaces a category; its River takes the settings at once (a stricter rule prunes it). */
  async putCategory(d: Deployment, category: Category): Promise<{ category: Category; created: boolean }> {
    await this.ready(d);
    const created = this.tables.category(category.slug) === undefined;
    this.tables.putCategory(category);
    const figures = await riverOf(this.env, d, category.slug).configure(d, riverSettings(category));
    this.noteFigures([figures]);
    await this.writeIndex(d);
    return { category, created };
  }

  /** Deletes a category no source names (409 otherwise), with its river and its page. */
  async deleteCategory(d: Deployment, slug: string): Promise<Outcome<{ deleted: string }>> {
    await this.ready(d);
    if (!this.tables.category(slug)) return failed('not-found', `category "${slug}" not found`);
    const users = this.tables.sourcesIn(slug);
    if (users.length) return failed('conflict', `category "${slug}" is used by sources: ${users.map((s) => s.id).join(', ')}`);
    await riverOf(this.env, d, slug).destroy(d, slug);
    this.tables.deleteCategory(slug);
    await this.writeIndex(d);
    return { ok: true, value: { deleted: slug } };
  }

  /** Adds an OPML list's folders as categories and its feeds as sources; what cannot be added is skipped with the reason. */
  async importOpml(d: Deployment, list: OpmlList): Promise<{ added: SourceView[]; categoriesAdded: string[]; skipped: { url?: string; reason: string }[] }> {
    await this.ready(d);
    const plan = planOpmlImport(
      list,
      {
        hasCategory: (slug) => this.tables.category(slug) !== undefined,
        hasUrl: (url) => this.tables.sourceIdByUrl(url) !== undefined,
        hasId: (id) => this.tables.source(id) !== undefined,
      },
      d.config,
      new Date().toISOString(),
    );
    this.transaction(() => {
      for (const c of plan.categories) this.tables.putCategory(c);
      for (const s of plan.sources) this.tables.putSource({ ...s, createdAt: this.createdAt() }, { rev: this.revision() });
    });
    await this.configureRivers(d, plan.categories);
    const added = plan.sources.map((s) => viewOf(this.tables.source(s.id)!));
    return { added, categoriesAdded: plan.categoriesAdded, skipped: plan.skipped };
  }

  /** Creates the categories a source names that do not exist yet; returns them. */
  private ensureCategories(slugs: string[]): Category[] {
    const added: Category[] = [];
    for (const slug of slugs) {
      if (this.tables.category(slug)) continue;
      const c = defaultCategory(slug);
      this.tables.putCategory(c);
      added.push(c);
    }
    return added;
  }

  /** New categories get their river (and its empty page), and the index lists them. */
  private async configureRivers(d: Deployment, categories: Category[]): Promise<void> {
    if (categories.length === 0) return;
    const figures = await Promise.all(categories.map((c) => riverOf(this.env, d, c.slug).configure(d, riverSettings(c))));
    this.noteFigures(figures);
    await this.writeIndex(d);
  }
}

/** The per-source controls of a patch (paused, userAgent, headers) applied to the source. */
function applyControls(next: Source, patch: SourcePatch): void {
  if (patch.paused === true) next.paused = true;
  else if (patch.paused === false) delete next.paused;
  if (patch.userAgent === null) delete next.userAgent;
  else if (patch.userAgent !== undefined) next.userAgent = patch.userAgent;
  if (patch.headers !== undefined) {
    const headers = applyHeaderChange(next.headers, patch.headers);
    if (headers) next.headers = headers;
    else delete next.headers;
  }
}
