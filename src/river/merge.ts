// Merge: fold one source's new and changed items into a category river. The policy is pure and written against
// RiverStore (the lookups dedup needs, the writes a merge makes): the River object implements it on SQLite, and
// MemoryRiverStore implements it on Maps for the pure mergeRiver below.
import { hash64 } from '../hash';
import type { Contribution, ContributedItem, Item, River, RiverItem, SourceRef } from '../model';
import { canonicalLink, titleKey } from './dedup';

/** The river as a merge sees it. Entries handed out are the caller's to change; `update` stores the change. */
export interface RiverStore {
  /** The entry whose own key this is (an entry keeps the key of the item it began with). */
  byKey(key: string): RiverItem | undefined;
  byItemKey(itemKey: string): RiverItem | undefined;
  byLink(link: string): RiverItem | undefined;
  byTitle(titleKey: string): RiverItem[];
  /** A new entry; its sources' item keys and its link keys point to it from now on. */
  insert(entry: RiverItem): void;
  update(entry: RiverItem): void;
  /** Another source's item now belongs to `entry`. */
  addRef(itemKey: string, entry: RiverItem, sourceId: string): void;
  /** A link that points to `entry`, unless another entry already holds it. */
  addLink(link: string, entry: RiverItem): void;
  /** Whether an entry of the river already serves this id. */
  idTaken(id: string): boolean;
}

export interface MergeOptions {
  now: string;
  /** Two headlines this close in time (and equal after titleKey) are one story. */
  titleWindowHours?: number;
  /** The category's keyword rules: a new item they refuse stays out. */
  admits?: (item: Item) => boolean;
}

export interface RiverMeta {
  slug: string;
  title: string;
  description?: string;
  language?: string;
}

// Short titles ("Update", "Tin mới") collide by chance; only longer ones identify a story.
export const MIN_TITLE_KEY_LENGTH = 12;
const DEFAULT_TITLE_WINDOW_HOURS = 36;

/** Newest first; the key (drafts have none yet) breaks ties, so every reader and every page agrees on the order. */
export function newestFirst(a: { publishedAt: string; key?: string }, b: { publishedAt: string; key?: string }): number {
  if (a.publishedAt !== b.publishedAt) return a.publishedAt < b.publishedAt ? 1 : -1;
  const ka = a.key ?? '';
  const kb = b.key ?? '';
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function refFor(c: Contribution, item: Item): SourceRef {
  const ref: SourceRef = { ...c.source, itemUrl: item.url, itemKey: item.key, publishedAt: item.publishedAt };
  if (item.guid) ref.itemGuid = item.guid;
  return ref;
}

// Ids readers and other aggregators de-duplicate by: URLs, tag: URIs (RFC 4151) and URNs, as the source gave them.
const ABSOLUTE_IRI = /^(?:https?:\/\/[^\s]+|tag:[^\s]+|urn:[a-z0-9][a-z0-9-]{0,31}:[^\s]+)$/i;

/** A new entry's id: the source's own when it is an absolute IRI the river does not serve yet, else one of ours. */
export function entryId(item: Pick<Item, 'guid' | 'sourceId' | 'key'>, taken: (id: string) => boolean): string {
  const own = item.guid?.trim();
  if (own && own.length <= 2048 && ABSOLUTE_IRI.test(own) && !taken(own)) return own;
  return mintedId(item.sourceId, item.key);
}

/** Our id for an item: a tag: URI (RFC 4151) from its source and identity key, the same in every format. */
export function mintedId(sourceId: string, key: string): string {
  return `tag:tributary,2025:${encodeURIComponent(sourceId)}/${encodeURIComponent(key)}`;
}

/** The item as stored: without the delivery's `change` mark. */
function plainItem(item: ContributedItem): Item {
  const { change: _change, ...rest } = item;
  return rest;
}

/**
 * The story's body fields from `item`, keeping the river entry's own identity: its key and the guid and source its
 * rendered id is built from (an id once served never changes), its first-seen time, attribution and match keys.
 */
function withBody(entry: RiverItem, item: Item): RiverItem {
  return {
    ...item,
    key: entry.key,
    id: entry.id,
    sourceId: entry.sourceId,
    guid: entry.guid,
    guidIsPermaLink: entry.guidIsPermaLink,
    firstSeenAt: entry.firstSeenAt,
    sources: entry.sources,
    linkKeys: entry.linkKeys,
    titleKey: entry.titleKey,
  };
}

/** A link that names one story: a site's front page is not one (some feeds link every item there). */
export function storyLink(url: string | undefined): string | undefined {
  const c = canonicalLink(url);
  return c && /[/?]./.test(c) ? c : undefined;
}

/** The story links an entry is known by: its own and each source's item link, canonical and without repeats. */
export function linkKeysOf(e: Pick<RiverItem, 'url' | 'sources'>): string[] {
  const keys = new Set<string>();
  for (const url of [e.url, ...e.sources.map((s) => s.itemUrl)]) {
    const link = storyLink(url);
    if (link) keys.add(link);
  }
  return [...keys];
}

/**
 * Folds one contribution into the river; returns how many entries changed. An item the river holds (by its key)
 * updates in place when its own source edited it; a changed item the river does not hold stays out (retention or a
 * rule dropped it); a new item joins the entry of the same story from another source (canonical link, or title
 * within the window), else becomes an entry of its own.
 */
export function mergeContribution(store: RiverStore, c: Contribution, opts: MergeOptions): number {
  const windowMs = (opts.titleWindowHours ?? DEFAULT_TITLE_WINDOW_HOURS) * 3600_000;
  let changes = 0;
  for (const delivered of c.items) {
    const item = plainItem(delivered);
    const known = store.byItemKey(item.key);
    if (known) {
      if (updateKnown(store, known, item, opts.now)) changes++;
      continue;
    }
    if (delivered.change === 'changed') continue;
    if (opts.admits && !opts.admits(item)) continue;
    // A source back in a river (added again, or rejoining) whose first entry outlived it under another source: that
    // entry still bears this item's key, so the item joins it.
    const story = store.byKey(item.key) ?? findStory(store, item, c.source.id, windowMs);
    if (story) attach(store, story, c, item);
    else insertEntry(store, c, item, opts.now);
    changes++;
  }
  return changes;
}

/** Same story, seen again: the source's own link is refreshed, and its edit replaces the body when it is the shown one. */
function updateKnown(store: RiverStore, known: RiverItem, item: Item, now: string): boolean {
  let changed = false;
  const ref = known.sources.find((s) => s.itemKey === item.key);
  if (ref && ref.itemUrl !== item.url) {
    ref.itemUrl = item.url;
    changed = true;
  }
  if (known.sources[0]?.itemKey === item.key && known.contentHash !== item.contentHash) {
    Object.assign(known, withBody(known, item), { publishedAt: known.publishedAt, updatedAt: item.updatedAt ?? now, titleKey: titleKey(item.title) });
    addLink(store, known, item.url);
    changed = true;
  }
  if (changed) store.update(known);
  return changed;
}

/** Cross-source only: within one source, its own identity policy already decided what is distinct. */
function findStory(store: RiverStore, item: Item, sourceId: string, windowMs: number): RiverItem | undefined {
  const other = (e: RiverItem | undefined): RiverItem | undefined => (e && !e.sources.some((s) => s.id === sourceId) ? e : undefined);
  const link = storyLink(item.url);
  const byUrl = link ? other(store.byLink(link)) : undefined;
  if (byUrl) return byUrl;
  const tk = titleKey(item.title);
  if (tk.length < MIN_TITLE_KEY_LENGTH) return undefined;
  const t = Date.parse(item.publishedAt);
  return store.byTitle(tk).find((e) => other(e) && Math.abs(Date.parse(e.publishedAt) - t) <= windowMs);
}

/** Another source carried the story: attributed to it too; the first published wins the body, the entry keeps its identity. */
function attach(store: RiverStore, story: RiverItem, c: Contribution, item: Item): void {
  const ref = refFor(c, item);
  if (Date.parse(item.publishedAt) < Date.parse(story.publishedAt)) {
    Object.assign(story, withBody(story, item), { sources: [ref, ...story.sources] });
  } else {
    story.sources.push(ref);
  }
  addLink(store, story, item.url);
  store.addRef(item.key, story, c.source.id);
  store.update(story);
}

function insertEntry(store: RiverStore, c: Contribution, item: Item, now: string): void {
  const entry: RiverItem = {
    ...item,
    id: entryId(item, (id) => store.idTaken(id)),
    sources: [refFor(c, item)],
    firstSeenAt: now,
    titleKey: titleKey(item.title),
  };
  entry.linkKeys = linkKeysOf(entry);
  store.insert(entry);
}

function addLink(store: RiverStore, e: RiverItem, url: string | undefined): void {
  const link = storyLink(url);
  e.linkKeys ??= [];
  if (!link || e.linkKeys.includes(link)) return;
  e.linkKeys.push(link);
  store.addLink(link, e);
}

/** The entry without the given sources' attributions; undefined when no source is left to carry it. */
export function withoutSources(e: RiverItem, sourceIds: ReadonlySet<string>): RiverItem | undefined {
  const sources = e.sources.filter((s) => !sourceIds.has(s.id));
  if (sources.length === 0) return undefined;
  if (sources.length === e.sources.length) return e;
  const kept: RiverItem = { ...e, sources, url: sources[0].itemUrl ?? e.url };
  kept.linkKeys = linkKeysOf(kept);
  return kept;
}

// ───────────────────────────── the same policy on a whole river in memory ─────────────────────────────

/** RiverStore on Maps, over a list of entries (tests, the bench, the migration of stored rivers). */
export class MemoryRiverStore implements RiverStore {
  readonly entries: RiverItem[];
  private readonly keys = new Map<string, RiverItem>();
  private readonly ids = new Set<string>();
  private readonly items = new Map<string, RiverItem>();
  private readonly links = new Map<string, RiverItem>();
  private readonly titles = new Map<string, RiverItem[]>();

  constructor(entries: RiverItem[]) {
    this.entries = entries.map((e) => ({ ...e, sources: e.sources.map((s) => ({ ...s })) }));
    for (const e of this.entries) this.index(e);
  }

  private index(e: RiverItem): void {
    e.linkKeys ??= linkKeysOf(e);
    e.titleKey ??= titleKey(e.title);
    this.keys.set(e.key, e);
    if (e.id) this.ids.add(e.id);
    for (const s of e.sources) this.items.set(s.itemKey, e);
    for (const link of e.linkKeys) if (!this.links.has(link)) this.links.set(link, e);
    if (e.titleKey.length >= MIN_TITLE_KEY_LENGTH) this.titles.set(e.titleKey, [...(this.titles.get(e.titleKey) ?? []), e]);
  }

  byKey(key: string): RiverItem | undefined {
    return this.keys.get(key);
  }
  byItemKey(itemKey: string): RiverItem | undefined {
    return this.items.get(itemKey);
  }
  byLink(link: string): RiverItem | undefined {
    return this.links.get(link);
  }
  byTitle(tk: string): RiverItem[] {
    return this.titles.get(tk) ?? [];
  }
  insert(entry: RiverItem): void {
    this.entries.push(entry);
    this.index(entry);
  }
  update(entry: RiverItem): void {
    const tk = entry.titleKey ?? '';
    const list = this.titles.get(tk) ?? [];
    if (tk.length >= MIN_TITLE_KEY_LENGTH && !list.includes(entry)) this.titles.set(tk, [...list, entry]);
  }
  addRef(itemKey: string, entry: RiverItem): void {
    this.items.set(itemKey, entry);
  }
  addLink(link: string, entry: RiverItem): void {
    if (!this.links.has(link)) this.links.set(link, entry);
  }
  idTaken(id: string): boolean {
    return this.ids.has(id);
  }
}

/** What one polled source brings to a river, as the pure merge takes it (items it saw before count as changed). */
export interface SourceContribution {
  source: Contribution['source'];
  /** Every item of this fetch, newest feed state. */
  items: Item[];
  /** Keys this source had already seen before this fetch: they do not come back once retention dropped them. */
  seen: ReadonlySet<string>;
}

export interface RiverMergeOptions extends MergeOptions {
  /** Items the river keeps (newest first). */
  cap: number;
}

/** The fingerprint of what a reader would see of a whole river in memory. */
export function riverVersion(meta: RiverMeta, items: RiverItem[]): string {
  const parts = [meta.slug, meta.title, meta.description ?? '', meta.language ?? ''];
  for (const it of items) parts.push(`${it.key}:${it.contentHash}:${it.sources.map((s) => s.id).join(',')}`);
  return hash64(parts.join('\n'));
}

/** A river with no items yet, versioned like any other. */
export function emptyRiver(meta: RiverMeta, now: string): River {
  return { ...meta, updatedAt: now, version: riverVersion(meta, []), items: [] };
}

/** The pure form of a River object's merge, over a whole river value: same policy, same order, same cap. */
export function mergeRiver(
  prev: River | null,
  meta: RiverMeta,
  contributions: SourceContribution[],
  opts: RiverMergeOptions,
): { river: River; changed: boolean } {
  const store = new MemoryRiverStore(prev?.items ?? []);
  for (const c of contributions) {
    const items = c.items.map((i): ContributedItem => ({ ...i, change: c.seen.has(i.key) ? 'changed' : 'new' }));
    mergeContribution(store, { source: c.source, revision: 0, polledAt: opts.now, items }, opts);
  }
  const items = store.entries.sort(newestFirst).slice(0, opts.cap);
  const m: RiverMeta = { slug: meta.slug, title: meta.title, description: meta.description, language: meta.language };
  const version = riverVersion(m, items);
  if (prev && prev.version === version) return { river: prev, changed: false };
  return { river: { ...m, updatedAt: opts.now, version, items }, changed: true };
}

/** Drops the given sources' attributions from a river in memory; entries no other source carried leave it. */
export function removeSources(prev: River, sourceIds: ReadonlySet<string>, now: string): { river: River; changed: boolean } {
  const items = prev.items.map((e) => withoutSources(e, sourceIds)).filter((e): e is RiverItem => e !== undefined);
  const version = riverVersion(prev, items);
  if (version === prev.version) return { river: prev, changed: false };
  return { river: { ...prev, items, version, updatedAt: now }, changed: true };
}

/**
 * Items within `maxBytes` of JSON: when full articles push a page over, the oldest items give up their full content
 * (summaries stay), then the oldest items go. A cheap upper bound skips the sizing in the usual case.
 */
export function fitBytes(items: RiverItem[], maxBytes: number): RiverItem[] {
  let bound = 0;
  for (const i of items) bound += 3 * ((i.contentHtml?.length ?? 0) + (i.summaryHtml?.length ?? 0) + i.title.length) + 4096;
  if (bound <= maxBytes) return items;
  const encoder = new TextEncoder();
  const size = (x: RiverItem): number => encoder.encode(JSON.stringify(x)).length + 1;
  const out = items.map((i) => ({ ...i }));
  const sizes = out.map(size);
  let total = sizes.reduce((a, b) => a + b, 0);
  for (let i = out.length - 1; i >= 0 && total > maxBytes; i--) {
    if (!out[i].contentHtml) continue;
    delete out[i].contentHtml;
    const smaller = size(out[i]);
    total -= sizes[i] - smaller;
    sizes[i] = smaller;
  }
  while (total > maxBytes && out.length > 0) {
    total -= sizes.pop()!;
    out.pop();
  }
  return out;
}
