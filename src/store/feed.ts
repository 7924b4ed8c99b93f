// A Feed: the one writer of one source's identity memory. It ingests a fetched body (its own invocation, so one heavy
// feed cannot spend another's CPU), tells new and changed items from what it delivered before, and delivers them to
// the source's rivers through an outbox: the memory and the outbox change in one transaction, so a delivery that
// fails is retried (alarm), never lost; rivers merge idempotently, so one delivered twice changes nothing.
import { errorText, failed } from '../errors';
import { ingestFeed } from '../ingest';
import type { Contribution, ContributedItem, Deployment, Env, IdentityPolicy, IngestReport, Item, ItemDraft, Source } from '../model';
import { assignKeys } from '../river/dedup';
import { newestFirst } from '../river/merge';
import { ALL_SLUG } from './kv';
import { countRequest, riverOf } from './objects';
import { SqlObject, all, first, placeholders, slices } from './sql';

/** One fetched body for a Feed to ingest. */
export interface IngestRequest {
  source: Source;
  /** The source's registry revision (see PollTask). */
  revision: number;
  body: Uint8Array;
  contentType?: string;
  /** Final URL after redirects: the last-resort base for relative links. */
  finalUrl: string;
  fetchedAt: string;
  /** A WebSub push: the newest content there is, but maybe only part of the feed (see `stale`). */
  pushed?: boolean;
}

const SCHEMA = [
  // Every item key this source delivered lately, with the content hash delivered; seq orders them for pruning.
  'CREATE TABLE IF NOT EXISTS memory (key TEXT PRIMARY KEY, hash TEXT, seq INTEGER NOT NULL) WITHOUT ROWID',
  'CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, slug TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, payload TEXT NOT NULL)',
  // Items a WebSub push changed, when, and the content hash it replaced: a poll fetched before the push that carries
  // the replaced version (or one it cannot place) leaves them as pushed.
  'CREATE TABLE IF NOT EXISTS pushed_versions (key TEXT NOT NULL, at TEXT NOT NULL, replaced TEXT, PRIMARY KEY (key, at)) WITHOUT ROWID',
];

// A poll still out after this long is long finished (a lease is 10 minutes): marks of pushes older than this go.
const PUSH_MARK_MS = 60 * 60_000;

/** What one accepted fetch did: its items, the rivers sent something, the rivers the Feed now delivers to in full. */
interface Accepted {
  items: Item[];
  policy: IdentityPolicy;
  delivered: string[];
  complete: string[];
  /** Some items were left as a push had them, for a version this body cannot place: read the next body again. */
  unsettled: boolean;
}

// A contribution per outbox row stays small enough for one River call within the Free plan's CPU (the River folds
// the text of every new item into words: about 0.2 µs a character).
const CHUNK_ITEMS = 10;
const CHUNK_CHARS = 64 * 1024;
// A failed delivery is retried after 1, 2, 4 … minutes, at most 6 hours apart, for about two days; then its items
// leave the memory, so the source's next poll delivers them again if its feed still carries them.
const RETRY_BASE_MS = 60_000;
const RETRY_MAX_MS = 6 * 3600_000;
const MAX_ATTEMPTS = 16;
// Until its outbox is empty a Feed keeps an alarm: a request that dies after queueing a delivery cannot strand it.
const DELIVERY_ALARM_MS = 5 * 60_000;

/** Identity memory per source: enough to outlast what the feed and the river keep. */
export function memoryCap(itemsPerSource: number): number {
  return Math.max(200, itemsPerSource * 3);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

/** Splits a list of items into contributions of bounded size. */
function chunks(items: ContributedItem[]): ContributedItem[][] {
  const out: ContributedItem[][] = [];
  let current: ContributedItem[] = [];
  let chars = 0;
  for (const item of items) {
    const size = (item.contentHtml?.length ?? 0) + (item.summaryHtml?.length ?? 0) + item.title.length + 512;
    if (current.length > 0 && (current.length >= CHUNK_ITEMS || chars + size > CHUNK_CHARS)) {
      out.push(current);
      current = [];
      chars = 0;
    }
    current.push(item);
    chars += size;
  }
  if (current.length) out.push(current);
  return out;
}

export class Feed extends SqlObject {
  private draining?: Promise<boolean>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, SCHEMA);
  }

  private enter(d: Deployment): void {
    countRequest(d.prefix, 'feed');
    this.meta.remember(d);
  }

  /** Ingests one fetched body and delivers what is new or changed to the source's rivers. Never throws for the feed's faults. */
  async ingest(d: Deployment, req: IngestRequest): Promise<IngestReport> {
    this.enter(d);
    const { source } = req;
    if (this.meta.get('forgotten')) return failed('forgotten', `source "${source.id}" was removed`);
    const ingested = await ingestFeed(req.body, { contentType: req.contentType, url: req.finalUrl, fetchedAt: req.fetchedAt, sourceId: source.id });
    if (!ingested.ok) return failed(ingested.code, ingested.reason);
    const { meta } = ingested.feed;
    const drafts = [...ingested.feed.items].sort(newestFirst).slice(0, d.config.itemsPerSource);
    // Two runs that overlap: a fetch older than one already taken would roll edits back; its news came with the newer.
    // A push is always taken, and does not count as a fetch: it may carry only the newest entries, not the rest.
    const stale = !req.pushed && (this.meta.get('fetchedAt') ?? '') > req.fetchedAt;
    // A stale body is not taken: neither are its validators and hash (a newer poll may have asked for a fresh read).
    const { items, policy, delivered, complete, unsettled } = stale
      ? { items: drafts, policy: (this.meta.get('policy') as IdentityPolicy | undefined) ?? 'guid', delivered: [], complete: undefined, unsettled: true }
      : this.accept(d, source, req.revision, drafts, req.pushed ? undefined : req.fetchedAt, { title: meta.title, link: meta.link }, req.fetchedAt);
    await this.deliver();
    return {
      ok: true,
      itemCount: items.length,
      policy,
      charset: ingested.charset,
      feed: {
        title: meta.title,
        link: meta.link,
        ttlMinutes: meta.ttlMinutes,
        skipHours: meta.skipHours,
        skipDays: meta.skipDays,
        hubUrl: meta.hubUrl,
        selfUrl: meta.selfUrl,
      },
      delivered,
      // A push leaves a river the source joined incomplete: the Directory then asks the next poll for the whole feed.
      categories: complete ? source.categories.filter((c) => complete.includes(c)) : [...source.categories],
      ...(unsettled ? { unsettled } : {}),
    };
  }

  /**
   * Gives the drafts their keys, and in one transaction remembers them and queues their deliveries: the changes for
   * rivers this source delivered to before, every item for a river it joined since. A push (no `fetchedAt`) gives a
   * joined river its own items only, so that river still waits for a poll's whole feed.
   */
  private accept(
    d: Deployment,
    source: Source,
    revision: number,
    drafts: ItemDraft[],
    fetchedAt: string | undefined,
    feed: { title?: string; link?: string },
    polledAt = fetchedAt!,
  ): Accepted {
    return this.transaction(() => {
      const before = this.meta.get('policy') as IdentityPolicy | undefined;
      // The memory is asked about one key at a time only if the policy changes; else it is read for this fetch's keys.
      const known = { has: (key: string) => first(this.sql, 'SELECT 1 AS x FROM memory WHERE key = ?', key) !== undefined };
      const { items, policy } = assignKeys(source.id, drafts, { policy: before, known });
      const memory = this.recall(items.map((i) => i.key));
      const { changes, unsettled } = this.changesOf(items, memory, fetchedAt);
      this.remember(d, items, changes, memory);
      const ref: Contribution['source'] = { id: source.id, title: source.title || feed.title || hostOf(source.url), feedUrl: source.url, siteUrl: feed.link };
      const { delivered, complete } = this.queueDeliveries(source, items, changes, { source: ref, revision, polledAt }, fetchedAt === undefined);
      this.meta.set('delivered', JSON.stringify(complete));
      this.meta.set('policy', policy);
      if (fetchedAt) this.meta.set('fetchedAt', fetchedAt);
      if (fetchedAt === undefined) this.markPushed(changes, memory, polledAt);
      else this.sql.exec('DELETE FROM pushed_versions WHERE at <= ?', fetchedAt); // fetched after those pushes: it carries them
      return { items, policy, delivered, complete, unsettled };
    });
  }

  /**
   * What this fetch changed. A poll fetched before a push leaves the items the push changed when it carries the
   * version the push replaced; when it carries one that cannot be placed (the push brought the item first), it leaves
   * it too and says `unsettled`, so that the next poll reads the feed again instead of trusting its validators.
   */
  private changesOf(items: Item[], memory: Map<string, { hash: string | null }>, fetchedAt: string | undefined) {
    const marks = fetchedAt ? this.pushedAfter(fetchedAt) : new Map<string, Set<string | null>>();
    let unsettled = false;
    const changes = items
      .filter((i) => {
        if (memory.get(i.key)?.hash === i.contentHash) return false;
        const replaced = marks.get(i.key);
        if (!replaced) return true;
        if (replaced.has(null)) unsettled = true;
        return !replaced.has(null) && !replaced.has(i.contentHash); // a version no push replaced: newer than them
      })
      .map((i): ContributedItem => ({ ...i, change: memory.has(i.key) ? 'changed' : 'new' }));
    return { changes, unsettled };
  }

  /**
   * The outbox rows of one fetch: per river, its changes; a river that never had a poll's delivery gets every item of
   * a poll (a push's changes only: the river is not complete until a poll brings the whole feed).
   */
  private queueDeliveries(source: Source, items: Item[], changes: ContributedItem[], head: Omit<Contribution, 'items'>, pushed: boolean) {
    const deliveredTo = new Set(this.meta.json<string[]>('delivered') ?? []);
    const targets = [...source.categories, ALL_SLUG];
    const delivered: string[] = [];
    for (const slug of targets) {
      const list = deliveredTo.has(slug) || pushed ? changes : items.map((i): ContributedItem => ({ ...i, change: 'new' }));
      for (const part of chunks(list))
        this.sql.exec('INSERT INTO outbox (slug, payload) VALUES (?, ?)', slug, JSON.stringify({ ...head, items: part } satisfies Contribution));
      if (list.length) delivered.push(slug);
    }
    return { delivered, complete: pushed ? targets.filter((t) => deliveredTo.has(t)) : targets };
  }

  /** Per key a push changed after `fetchedAt`, the hashes those pushes replaced (null: a push brought the item first). */
  private pushedAfter(fetchedAt: string): Map<string, Set<string | null>> {
    const out = new Map<string, Set<string | null>>();
    for (const r of all<{ key: string; replaced: string | null }>(this.sql, 'SELECT key, replaced FROM pushed_versions WHERE at > ?', fetchedAt)) {
      const set = out.get(r.key) ?? new Set();
      set.add(r.replaced);
      out.set(r.key, set);
    }
    return out;
  }

  /** What a push changed, when, and what it replaced; marks older than any poll still out go. */
  private markPushed(changes: Item[], memory: Map<string, { hash: string | null }>, at: string): void {
    this.sql.exec('DELETE FROM pushed_versions WHERE at < ?', new Date(Date.parse(at) - PUSH_MARK_MS).toISOString());
    for (const item of changes) {
      this.sql.exec(
        'INSERT INTO pushed_versions (key, at, replaced) VALUES (?, ?, ?) ON CONFLICT (key, at) DO NOTHING',
        item.key,
        at,
        memory.get(item.key)?.hash ?? null,
      );
    }
  }

  /** The memory of these keys (hash delivered, and seq for pruning). */
  private recall(keys: string[]): Map<string, { hash: string | null; seq: number }> {
    const out = new Map<string, { hash: string | null; seq: number }>();
    for (const part of slices(keys)) {
      for (const r of all<{ key: string; hash: string | null; seq: number }>(
        this.sql,
        `SELECT key, hash, seq FROM memory WHERE key IN (${placeholders(part.length)})`,
        ...part,
      ))
        out.set(r.key, r);
    }
    return out;
  }

  /** Writes the changed items' keys and hashes; keeps keys still in the feed from being pruned; prunes the oldest. */
  private remember(d: Deployment, items: Item[], changes: Item[], memory: Map<string, { seq: number }>): void {
    const cap = memoryCap(d.config.itemsPerSource);
    let seq = this.meta.number('seq');
    let count = this.meta.number('count', memory.size);
    const upsert = (key: string, hash: string | null): void => {
      this.sql.exec(
        'INSERT INTO memory (key, hash, seq) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET hash = excluded.hash, seq = excluded.seq',
        key,
        hash,
        ++seq,
      );
    };
    // Oldest first, so the newest item of this fetch is the last to be pruned.
    for (const item of [...changes].reverse()) {
      if (!memory.has(item.key)) count++;
      upsert(item.key, item.contentHash);
    }
    // An item the feed still carries must outlive pruning: refresh the few that drew near it.
    const changed = new Set(changes.map((c) => c.key));
    const nearEviction = seq - (cap - items.length);
    for (const item of items) {
      const m = memory.get(item.key);
      if (m && !changed.has(item.key) && m.seq <= nearEviction) this.sql.exec('UPDATE memory SET seq = ? WHERE key = ?', ++seq, item.key);
    }
    if (count > cap) {
      this.sql.exec('DELETE FROM memory WHERE key IN (SELECT key FROM memory ORDER BY seq ASC LIMIT ?)', count - cap);
      count = cap;
    }
    this.meta.set('seq', String(seq));
    this.meta.set('count', String(count));
  }

  // ───────────────────────────── delivery ─────────────────────────────

  /** Delivers the outbox, each river's contributions in order; true when nothing is left to deliver. */
  private async deliver(): Promise<boolean> {
    if (this.meta.get('forgotten') || !first(this.sql, 'SELECT id FROM outbox LIMIT 1')) return true;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + DELIVERY_ALARM_MS);
    while (!this.meta.get('forgotten') && first(this.sql, 'SELECT id FROM outbox LIMIT 1')) {
      this.draining ??= this.drain().finally(() => (this.draining = undefined));
      if (!(await this.draining)) return false;
    }
    await this.ctx.storage.deleteAlarm();
    return true;
  }

  /** One pass over the outbox; false when a river did not take a delivery (the alarm then tries again). */
  private async drain(): Promise<boolean> {
    const d = this.meta.deployment()!;
    const slugs = all<{ slug: string }>(this.sql, 'SELECT DISTINCT slug FROM outbox').map((r) => r.slug);
    const retries = await Promise.all(slugs.map((slug) => this.drainRiver(d, slug)));
    const wait = Math.min(...retries.filter((r): r is number => r !== undefined));
    if (!Number.isFinite(wait)) return true;
    await this.ctx.storage.setAlarm(Date.now() + wait);
    return false;
  }

  /** Delivers one river's contributions in order; returns how long to wait before trying again, if one failed. */
  private async drainRiver(d: Deployment, slug: string): Promise<number | undefined> {
    for (;;) {
      const row = first<{ id: number; attempts: number; payload: string }>(
        this.sql,
        'SELECT id, attempts, payload FROM outbox WHERE slug = ? ORDER BY id LIMIT 1',
        slug,
      );
      if (!row) return undefined;
      const contribution = JSON.parse(row.payload) as Contribution;
      try {
        const merged = await riverOf(this.env, d, slug).merge(d, slug, contribution);
        // Refused (the source left that river, or the category went): it is not delivered there, so a return gets it all.
        if (merged.refused) this.undeliver(slug);
      } catch (err) {
        const attempts = row.attempts + 1;
        if (attempts < MAX_ATTEMPTS) {
          this.sql.exec('UPDATE outbox SET attempts = ? WHERE id = ?', attempts, row.id);
          console.warn(`delivery to river "${slug}" failed (attempt ${attempts}), retrying: ${errorText(err)}`);
          return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
        }
        console.error(`delivery to river "${slug}" given up after ${attempts} attempts; the next poll delivers its items again: ${errorText(err)}`);
        this.forgetItems((contribution.items ?? []).map((i) => i.key));
      }
      this.sql.exec('DELETE FROM outbox WHERE id = ?', row.id);
    }
  }

  /** The source no longer delivers to these rivers: if it comes back to one, that river gets its whole feed. */
  private undeliver(...slugs: string[]): void {
    const delivered = this.meta.json<string[]>('delivered') ?? [];
    this.meta.set('delivered', JSON.stringify(delivered.filter((s) => !slugs.includes(s))));
  }

  private forgetItems(keys: string[]): void {
    for (const key of keys) this.sql.exec('DELETE FROM memory WHERE key = ?', key);
    this.meta.set('count', String(first<{ n: number }>(this.sql, 'SELECT count(*) AS n FROM memory')!.n));
  }

  /** The delivery alarm (https://developers.cloudflare.com/durable-objects/api/alarms/): retries the outbox until it is empty. */
  override async alarm(): Promise<void> {
    const d = this.meta.deployment();
    if (!d) return;
    countRequest(d.prefix, 'feed');
    await this.deliver();
  }

  /** The source left these categories (the Directory says so): a return to one gets the whole feed. */
  async leave(d: Deployment, slugs: string[]): Promise<void> {
    this.enter(d);
    this.undeliver(...slugs);
  }

  // ───────────────────────────── lifecycle ─────────────────────────────

  /**
   * The source was removed: its memory and pending deliveries go (the rivers refuse them anyway), and the Feed takes
   * nothing more. A source added again under the same id gets a Feed of its own.
   */
  async forget(d: Deployment): Promise<void> {
    this.enter(d);
    this.transaction(() => {
      this.sql.exec('DELETE FROM memory');
      this.sql.exec('DELETE FROM outbox');
      this.sql.exec('DELETE FROM pushed_versions');
      this.meta.set('forgotten', new Date().toISOString());
    });
    await this.ctx.storage.deleteAlarm();
  }

  /**
   * The migration from the earlier layout: the keys the source had seen (with the hashes the rivers held), its
   * identity policy and the rivers it had delivered to; then any poll a queue consumer left unmerged.
   */
  async importMemory(
    d: Deployment,
    source: Source,
    revision: number,
    memory: [string, string | null][],
    state: { policy?: IdentityPolicy; delivered: string[] },
    pending?: { items: Item[]; polledAt: string; feed: { title?: string; link?: string } },
  ): Promise<string[]> {
    this.enter(d);
    this.transaction(() => {
      let seq = this.meta.number('seq');
      // Oldest first: the earlier layout listed seen keys newest first.
      for (const [key, hash] of [...memory].reverse()) {
        this.sql.exec(
          'INSERT INTO memory (key, hash, seq) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET hash = coalesce(memory.hash, excluded.hash)',
          key,
          hash,
          ++seq,
        );
      }
      this.meta.set('seq', String(seq));
      this.meta.set('count', String(first<{ n: number }>(this.sql, 'SELECT count(*) AS n FROM memory')!.n));
      if (state.policy) this.meta.set('policy', state.policy);
      this.meta.set('delivered', JSON.stringify(state.delivered));
    });
    if (!pending) return [];
    const drafts = pending.items.map(({ key: _key, ...draft }) => draft);
    const { delivered } = this.accept(d, source, revision, drafts.sort(newestFirst), pending.polledAt, pending.feed);
    await this.deliver();
    return delivered;
  }
}
