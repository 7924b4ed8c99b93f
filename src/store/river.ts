// A River: the one writer of one category's river (and of "all"), on SQLite. Sources' Feeds deliver new and changed
// items here one contribution at a time; the river keeps its entries, the lookups dedup needs, and publishes its
// newest page to KV (`page:<slug>`), where the feeds are served from. Deeper views (paging, filters) ask it directly.
import type { Category, Contribution, Deployment, Env, Item, River as RiverDoc, RiverItem, RiverPage } from '../model';
import { CURSOR, cursorOf, foldedWords, indexRule, keywordNeedle, needleMatches, searchableText, type FoldedWords, type RiverQuery } from '../river/filter';
import { MIN_TITLE_KEY_LENGTH, fitBytes, linkKeysOf, mergeContribution, withoutSources, type RiverMeta, type RiverStore } from '../river/merge';
import { titleKey } from '../river/dedup';
import { ALL_SLUG, MAX_VALUE_BYTES, deletePage, encodePage, savePage, type PageMeta } from './kv';
import { countRequest, directoryOf } from './objects';
import { SqlObject, all, first } from './sql';

/** A river's settings, as the Directory hands them over: what readers see of it, and its keyword rules. */
export type RiverSettings = RiverMeta & Pick<Category, 'include' | 'exclude'>;

/** A river's figures after it published: what the index page and the cache purge need. */
export interface RiverFigures {
  slug: string;
  version: string;
  itemCount: number;
  updatedAt: string;
}

/** One page of a deeper view: the river's meta with the page's items, and the next page's cursor. */
export interface RiverView {
  river: RiverPage;
  next?: string;
}

// A run flushes the rivers it changed when it ends; this alarm publishes if it never does (the run died). As long as a
// lease, so a long run (one host, paced fetches) is not published twice.
const PUBLISH_FALLBACK_MS = 10 * 60_000;
// Items per call when importing a river of the earlier layout: each call stays within the Free plan's CPU.
const IMPORT_CHUNK = 40;

const SCHEMA = [
  // data: the entry as readers get it (JSON, joined as is into the page); link_keys: the story links it holds.
  'CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, published_at TEXT NOT NULL, title_key TEXT NOT NULL, lang TEXT NOT NULL, words TEXT NOT NULL, link_keys TEXT NOT NULL, data TEXT NOT NULL)',
  'CREATE INDEX IF NOT EXISTS entries_newest ON entries (published_at DESC, key)',
  'CREATE INDEX IF NOT EXISTS entries_title ON entries (title_key)',
  // Every source item the river holds → its entry (the source's own key), and every story link → the entry holding it.
  'CREATE TABLE IF NOT EXISTS refs (item_key TEXT PRIMARY KEY, entry TEXT NOT NULL, source TEXT NOT NULL) WITHOUT ROWID',
  'CREATE INDEX IF NOT EXISTS refs_source ON refs (source)',
  'CREATE TABLE IF NOT EXISTS links (link TEXT PRIMARY KEY, entry TEXT NOT NULL) WITHOUT ROWID',
  // The ids the river serves (an entry's id is fixed when it is made, and unique in the river).
  'CREATE TABLE IF NOT EXISTS ids (id TEXT PRIMARY KEY, entry TEXT NOT NULL) WITHOUT ROWID',
  // Sources that left this river, at which registry revision: a delivery of an earlier one is refused (it was fetched
  // before they left, and would bring them back). Revisions, not clocks: the Worker's and the Directory's may differ.
  'CREATE TABLE IF NOT EXISTS departed (source TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID',
];

function defaultSettings(slug: string): RiverSettings {
  return { slug, title: slug === ALL_SLUG ? 'All categories' : slug.charAt(0).toUpperCase() + slug.slice(1).replace(/-/g, ' ') };
}

/** The primary language subtag, as the `lang` filter compares it. */
function primaryLanguage(tag: string | undefined): string {
  return (tag ?? '').toLowerCase().split('-')[0];
}

function instantKey(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString() : iso;
}

/** An entry as readers get it: without the match keys the river keeps for itself. */
function servedItem(e: RiverItem): RiverItem {
  const { linkKeys: _l, titleKey: _t, ...rest } = e;
  return rest;
}

/** The columns an entry is read back from. */
interface EntryRow {
  data: string;
  link_keys: string;
  title_key: string;
}

const ENTRY_COLUMNS = 'data, link_keys, title_key';

/** An entry with its match keys, from its row (a short title's key is not stored: it is cheap to make again). */
function entryOf(row: EntryRow): RiverItem {
  const e = JSON.parse(row.data) as RiverItem;
  e.linkKeys = JSON.parse(row.link_keys) as string[];
  e.titleKey = row.title_key || titleKey(e.title);
  return e;
}

/** RiverStore on the River's tables; entries read during one merge are parsed once. */
class SqlRiverStore implements RiverStore {
  private readonly loaded = new Map<string, RiverItem>();
  private readonly bodies = new Map<string, string>();
  inserted = 0;
  removed = 0;

  constructor(
    private readonly sql: SqlStorage,
    /** Folded words computed while admitting new items: stored with the entry. */
    private readonly folded: Map<string, FoldedWords>,
  ) {}

  load(key: string): RiverItem | undefined {
    const hit = this.loaded.get(key);
    if (hit) return hit;
    const row = first<EntryRow>(this.sql, `SELECT ${ENTRY_COLUMNS} FROM entries WHERE key = ?`, key);
    if (!row) return undefined;
    const e = entryOf(row);
    this.loaded.set(key, e);
    this.bodies.set(key, bodyOf(e));
    return e;
  }

  byKey(key: string): RiverItem | undefined {
    return this.load(key);
  }

  byItemKey(itemKey: string): RiverItem | undefined {
    const ref = first<{ entry: string }>(this.sql, 'SELECT entry FROM refs WHERE item_key = ?', itemKey);
    return ref ? this.load(ref.entry) : undefined;
  }

  byLink(link: string): RiverItem | undefined {
    const row = first<{ entry: string }>(this.sql, 'SELECT entry FROM links WHERE link = ?', link);
    return row ? this.load(row.entry) : undefined;
  }

  byTitle(tk: string): RiverItem[] {
    return all<{ key: string }>(this.sql, 'SELECT key FROM entries WHERE title_key = ?', tk)
      .map((r) => this.load(r.key))
      .filter((e): e is RiverItem => e !== undefined);
  }

  insert(e: RiverItem): void {
    const words = (this.folded.get(e.key) ?? foldedWords(searchableText(e)))(true);
    this.sql.exec(
      'INSERT INTO entries (key, published_at, title_key, lang, words, link_keys, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
      e.key,
      instantKey(e.publishedAt),
      indexedTitle(e),
      primaryLanguage(e.language),
      words,
      JSON.stringify(e.linkKeys ?? []),
      JSON.stringify(servedItem(e)),
    );
    for (const s of e.sources) this.addRef(s.itemKey, e, s.id);
    for (const link of e.linkKeys ?? []) this.addLink(link, e);
    if (e.id) this.sql.exec('INSERT OR IGNORE INTO ids (id, entry) VALUES (?, ?)', e.id, e.key);
    this.loaded.set(e.key, e);
    this.bodies.set(e.key, bodyOf(e));
    this.inserted++;
  }

  update(e: RiverItem): void {
    const body = bodyOf(e);
    // The words change only when the text a query or a rule reads did.
    const words = this.bodies.get(e.key) !== body ? foldedWords(searchableText(e))(true) : null;
    this.bodies.set(e.key, body);
    this.sql.exec(
      'UPDATE entries SET published_at = ?, title_key = ?, lang = ?, words = coalesce(?, words), link_keys = ?, data = ? WHERE key = ?',
      instantKey(e.publishedAt),
      indexedTitle(e),
      primaryLanguage(e.language),
      words,
      JSON.stringify(e.linkKeys ?? []),
      JSON.stringify(servedItem(e)),
      e.key,
    );
  }

  addRef(itemKey: string, e: RiverItem, sourceId: string): void {
    this.sql.exec(
      'INSERT INTO refs (item_key, entry, source) VALUES (?, ?, ?) ON CONFLICT (item_key) DO UPDATE SET entry = excluded.entry, source = excluded.source',
      itemKey,
      e.key,
      sourceId,
    );
  }

  addLink(link: string, e: RiverItem): void {
    this.sql.exec('INSERT OR IGNORE INTO links (link, entry) VALUES (?, ?)', link, e.key);
  }

  idTaken(id: string): boolean {
    return first(this.sql, 'SELECT 1 AS x FROM ids WHERE id = ?', id) !== undefined;
  }

  /** Removes an entry with its refs and the links it holds. */
  delete(e: RiverItem): void {
    this.sql.exec('DELETE FROM entries WHERE key = ?', e.key);
    for (const s of e.sources) this.sql.exec('DELETE FROM refs WHERE item_key = ? AND entry = ?', s.itemKey, e.key);
    for (const link of e.linkKeys ?? []) this.sql.exec('DELETE FROM links WHERE link = ? AND entry = ?', link, e.key);
    if (e.id) this.sql.exec('DELETE FROM ids WHERE id = ? AND entry = ?', e.id, e.key);
    this.loaded.delete(e.key);
    this.removed++;
  }
}

function bodyOf(e: RiverItem): string {
  return `${e.contentHash}\u0000${e.title}`;
}

function indexedTitle(e: RiverItem): string {
  const tk = e.titleKey ?? titleKey(e.title);
  return tk.length >= MIN_TITLE_KEY_LENGTH ? tk : '';
}

export class River extends SqlObject {
  private publishing?: Promise<RiverFigures>;
  private legacy?: Promise<RiverDoc | null>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, SCHEMA);
  }

  // ───────────────────────────── identity ─────────────────────────────

  private enter(d: Deployment, slug: string): void {
    countRequest(d.prefix, 'river');
    this.meta.remember(d);
    if (this.meta.get('slug') === undefined) {
      this.meta.set('slug', slug);
      this.meta.set('epoch', Date.now().toString(36));
      this.meta.set('settings', JSON.stringify(defaultSettings(slug)));
    }
  }

  private settings(): RiverSettings {
    return this.meta.json<RiverSettings>('settings') ?? defaultSettings(this.meta.get('slug') ?? ALL_SLUG);
  }

  /** Changes with every change a reader could see; ordered within one river's life (epoch), so a stale copy is told apart. */
  private version(): string {
    return `${this.meta.get('epoch')}.${this.meta.number('seq')}`;
  }

  private count(): number {
    return this.meta.number('count');
  }

  private changed(now: string): void {
    this.meta.set('seq', String(this.meta.number('seq') + 1));
    this.meta.set('updatedAt', now);
  }

  // ───────────────────────────── writes ─────────────────────────────

  /** Folds one source's delivery into the river. Idempotent: a delivery seen before changes nothing. */
  async merge(d: Deployment, slug: string, c: Contribution): Promise<{ changed: boolean; refused?: string }> {
    this.enter(d, slug);
    if (this.meta.get('destroyed')) return { changed: false, refused: `category "${slug}" was deleted` };
    const departed = first<{ revision: number }>(this.sql, 'SELECT revision FROM departed WHERE source = ?', c.source.id);
    if (departed && c.revision < departed.revision) return { changed: false, refused: `source "${c.source.id}" left this river after that fetch` };
    const now = new Date().toISOString();
    const rule = indexRule(this.settings());
    const folded = new Map<string, FoldedWords>();
    const admits = (item: Item): boolean => {
      const f = foldedWords(searchableText(item));
      folded.set(item.key, f);
      return rule ? rule(f) : true;
    };
    const changes = this.transaction(() => {
      const store = new SqlRiverStore(this.sql, folded);
      const n = mergeContribution(store, c, { now, admits });
      if (n === 0) return 0;
      this.meta.set('count', String(this.count() + store.inserted));
      this.trim(store, d.config.itemsPerCategory);
      this.changed(now);
      return n;
    });
    if (changes > 0 && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PUBLISH_FALLBACK_MS);
    return { changed: changes > 0 };
  }

  /** Keeps the newest `cap` entries. */
  private trim(store: SqlRiverStore, cap: number): void {
    const over = this.count() - cap;
    if (over <= 0) return;
    for (const row of all<EntryRow>(this.sql, `SELECT ${ENTRY_COLUMNS} FROM entries ORDER BY published_at ASC, key DESC LIMIT ?`, over)) {
      store.delete(entryOf(row));
    }
    this.meta.set('count', String(this.count() - over));
  }

  /** New title, description, language or rules: readers see them at once; a stricter rule drops what it refuses. */
  async configure(d: Deployment, settings: RiverSettings): Promise<RiverFigures | null> {
    this.enter(d, settings.slug);
    const before = this.meta.get('settings');
    const next = JSON.stringify(settings);
    if (before === next && this.meta.get('published') !== undefined && !this.meta.get('destroyed')) return null;
    const now = new Date().toISOString();
    this.transaction(() => {
      if (this.meta.get('destroyed')) {
        // A category created again under a deleted one's slug: a river of its own (new epoch, so no old version matches).
        this.meta.set('destroyed', undefined);
        this.meta.set('epoch', Date.now().toString(36));
      }
      this.meta.set('settings', next);
      const rule = indexRule(settings);
      if (rule) this.prune(rule);
      this.changed(now);
    });
    return this.publish(now);
  }

  private prune(rule: (f: FoldedWords) => boolean): void {
    const store = new SqlRiverStore(this.sql, new Map());
    for (const row of all<EntryRow & { words: string }>(this.sql, `SELECT words, ${ENTRY_COLUMNS} FROM entries`)) {
      let e: RiverItem | undefined;
      let exact: FoldedWords | undefined;
      const entry = (): RiverItem => (e ??= entryOf(row));
      // The stored words answer a rule typed without diacritics; one typed with them reads the entry.
      const f: FoldedWords = (plain) => (plain ? row.words : (exact ??= foldedWords(searchableText(entry())))(false));
      if (!rule(f)) store.delete(entry());
    }
    this.meta.set('count', String(this.count() - store.removed));
  }

  /**
   * A source left this river (removed, or no longer in this category) at `revision`: its attributions go, and what only
   * it carried; deliveries of earlier revisions are refused from now on.
   */
  async removeSource(d: Deployment, slug: string, sourceId: string, revision: number): Promise<RiverFigures | null> {
    this.enter(d, slug);
    const changed = this.transaction(() => {
      this.sql.exec(
        'INSERT INTO departed (source, revision) VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET revision = max(revision, excluded.revision)',
        sourceId,
        revision,
      );
      const store = new SqlRiverStore(this.sql, new Map());
      const gone = new Set([sourceId]);
      const keys = all<{ entry: string }>(this.sql, 'SELECT DISTINCT entry FROM refs WHERE source = ?', sourceId);
      for (const { entry } of keys) {
        const e = store.load(entry);
        if (!e) continue;
        const kept = withoutSources(e, gone);
        if (!kept) {
          store.delete(e);
          continue;
        }
        for (const s of e.sources) if (s.id === sourceId) this.sql.exec('DELETE FROM refs WHERE item_key = ? AND entry = ?', s.itemKey, e.key);
        for (const link of e.linkKeys ?? []) if (!kept.linkKeys!.includes(link)) this.sql.exec('DELETE FROM links WHERE link = ? AND entry = ?', link, e.key);
        for (const link of kept.linkKeys ?? []) store.addLink(link, kept);
        store.update(kept);
      }
      this.meta.set('count', String(this.count() - store.removed));
      if (keys.length === 0) return false;
      this.changed(new Date().toISOString());
      return true;
    });
    return changed ? this.publish(new Date().toISOString()) : null;
  }

  /**
   * The category was deleted: its entries and its page go. Who left it and when stays (a delivery sent before it
   * was deleted is still refused), and so does the mark that it was deleted, until a category takes the slug again.
   */
  async destroy(d: Deployment, slug: string): Promise<void> {
    this.enter(d, slug);
    this.transaction(() => {
      for (const table of ['entries', 'refs', 'links', 'ids']) this.sql.exec(`DELETE FROM ${table}`);
      for (const k of ['count', 'seq', 'published', 'publishedAt', 'updatedAt']) this.meta.set(k, undefined);
      this.meta.set('destroyed', new Date().toISOString());
    });
    await this.ctx.storage.deleteAlarm();
    await deletePage(this.env.TRIBUTARY, d.prefix, slug);
  }

  // ───────────────────────────── publishing ─────────────────────────────

  /**
   * Publishes the newest page if the river changed since it last did. Returns the figures when the river was
   * published at or after `since` (by this call or another), so the run that changed it purges and announces it.
   */
  async flush(d: Deployment, slug: string, since: string): Promise<RiverFigures | null> {
    this.enter(d, slug);
    return this.publish(since);
  }

  /** The publish fallback (https://developers.cloudflare.com/durable-objects/api/alarms/): a change no run flushed is published, and the Directory told. */
  override async alarm(): Promise<void> {
    const d = this.meta.deployment();
    if (!d) return;
    countRequest(d.prefix, 'river');
    const figures = await this.publish(new Date().toISOString());
    // Nobody flushed this change: tell the Directory, which keeps the index page's figures.
    if (figures) await directoryOf(this.env, d).riverPublished(d, figures);
  }

  private async publish(since: string): Promise<RiverFigures | null> {
    while (this.publishing) await this.publishing.catch(() => undefined);
    if (this.meta.get('published') !== this.version()) {
      this.publishing = this.writePage().finally(() => (this.publishing = undefined));
      await this.publishing;
    }
    const at = this.meta.get('publishedAt');
    return at !== undefined && at >= since ? this.figures() : null;
  }

  private figures(): RiverFigures {
    return {
      slug: this.meta.get('slug')!,
      version: this.meta.get('published')!,
      itemCount: this.count(),
      updatedAt: this.meta.get('updatedAt') ?? new Date(0).toISOString(),
    };
  }

  private async writePage(): Promise<RiverFigures> {
    const d = this.meta.deployment()!;
    const wait = this.meta.number('lastWriteMs') + d.config.kvWriteGapMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const { meta, text } = this.storedPage(d);
    await savePage(this.env.TRIBUTARY, d.prefix, text, meta);
    this.meta.set('published', meta.version);
    this.meta.set('publishedAt', new Date().toISOString());
    this.meta.set('lastWriteMs', String(Date.now()));
    if (this.meta.get('published') === this.version()) await this.ctx.storage.deleteAlarm();
    return this.figures();
  }

  /** The river's meta as its page states it. */
  private pageMeta(shown: number): PageMeta {
    const { slug, title, description, language } = this.settings();
    const count = this.count();
    return {
      slug,
      title,
      description,
      language,
      updatedAt: this.meta.get('updatedAt') ?? new Date(0).toISOString(),
      version: this.version(),
      itemCount: count,
      more: count > shown,
    };
  }

  /**
   * The newest page as stored: the newest `FEED_LIMIT_DEFAULT` entries joined as they are stored (no parse, no
   * render: a publish costs what the change costs). Within the value limit: the oldest items give up full content
   * first, then go.
   */
  private storedPage(d: Deployment): { meta: PageMeta; text: string } {
    const rows = all<{ data: string }>(this.sql, 'SELECT data FROM entries ORDER BY published_at DESC, key ASC LIMIT ?', d.config.feedLimitDefault);
    const meta = this.pageMeta(rows.length);
    const itemsJson = `[${rows.map((r) => r.data).join(',')}]`;
    if (itemsJson.length * 3 <= MAX_VALUE_BYTES - 8192) return { meta, text: encodePage(meta, itemsJson) };
    const items = fitBytes(JSON.parse(itemsJson) as RiverItem[], MAX_VALUE_BYTES - 8192);
    const fitted = { ...meta, more: meta.more || items.length < rows.length };
    return { meta: fitted, text: encodePage(fitted, JSON.stringify(items)) };
  }

  // ───────────────────────────── reads ─────────────────────────────

  /** The newest page as it stands now, in its stored form (KV may lag behind it by its propagation delay). */
  async head(d: Deployment, slug: string): Promise<string> {
    this.enter(d, slug);
    return this.storedPage(d).text;
  }

  /** One page of a view KV's page cannot answer: older pages, language, source, keywords, long pages. */
  async query(d: Deployment, slug: string, q: RiverQuery): Promise<RiverView> {
    this.enter(d, slug);
    const where: string[] = [];
    const params: (string | number)[] = [];
    const cursor = q.before ? CURSOR.exec(q.before) : null;
    if (cursor) {
      const at = new Date(Number(cursor[1])).toISOString();
      where.push('(published_at < ? OR (published_at = ? AND key > ?))');
      params.push(at, at, cursor[2]);
    }
    if (q.lang) {
      where.push('lang = ?');
      params.push(primaryLanguage(q.lang));
    }
    if (q.source) {
      where.push('key IN (SELECT entry FROM refs WHERE source = ?)');
      params.push(q.source);
    }
    const needle = q.q ? keywordNeedle(q.q) : undefined;
    if (needle) {
      // The plain folding pre-selects in SQL; a query typed with diacritics is then checked exactly.
      where.push('instr(words, ?) > 0');
      params.push(needle.plainNeedle);
    }
    const sqlText = `SELECT data FROM entries${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY published_at DESC, key ASC`;
    const items: RiverItem[] = [];
    let next: string | undefined;
    for (const row of this.sql.exec(sqlText, ...params)) {
      const e = JSON.parse(row.data as string) as RiverItem;
      if (needle && !needle.plain && !needleMatches(needle, foldedWords(searchableText(e)))) continue;
      if (items.length === q.limit) {
        next = cursorOf(items[items.length - 1]);
        break;
      }
      items.push(e);
    }
    return { river: { ...this.pageMeta(0), items, more: next !== undefined }, next };
  }

  // ───────────────────────────── the earlier layout ─────────────────────────────

  /**
   * Imports `river:<slug>` of the earlier KV layout, a chunk of entries per call (`from` counts entries done).
   * Returns where to go on, and each source item's content hash as the river knew it (for the Feeds' memory).
   */
  async importLegacy(d: Deployment, settings: RiverSettings, from: number): Promise<{ next?: number; hashes: [string, string, string | null][] }> {
    this.enter(d, settings.slug);
    // Read and parsed once per instance, not once per chunk (an earlier river can be megabytes).
    this.legacy ??= this.env.TRIBUTARY.get<RiverDoc>(`${d.prefix}river:${settings.slug}`, 'json');
    const legacy = await this.legacy;
    const entries = legacy?.items ?? [];
    const chunk = entries.slice(from, from + IMPORT_CHUNK);
    const hashes: [string, string, string | null][] = [];
    this.transaction(() => {
      if (from === 0) this.meta.set('settings', JSON.stringify(settings));
      const store = new SqlRiverStore(this.sql, new Map());
      for (const e of chunk) {
        // A chunk imported before (a migration that stopped half way): its hashes are still wanted.
        for (const [i, s] of e.sources.entries()) hashes.push([s.id, s.itemKey, i === 0 ? e.contentHash : null]);
        if (!store.load(e.key)) store.insert({ ...e, linkKeys: e.linkKeys ?? linkKeysOf(e), titleKey: e.titleKey ?? titleKey(e.title) });
      }
      this.meta.set('count', String(this.count() + store.inserted));
      if (legacy?.updatedAt) this.meta.set('updatedAt', legacy.updatedAt);
      this.meta.set('seq', String(this.meta.number('seq') + 1));
    });
    const next = from + IMPORT_CHUNK < entries.length ? from + IMPORT_CHUNK : undefined;
    if (next === undefined) await this.publish(new Date().toISOString());
    return { next, hashes };
  }
}
