// The KV layout: the documents the feeds are served from (docs/storage.md has every key, its writer and its limit).
//   page:<slug>   RiverPage   the newest page of a river      written by that river's River object only
//   index         IndexDoc    categories and their figures    written by the Directory only
// Legacy keys (before the Durable Objects) are read once by the migration (store/migrate.ts), then deleted:
//   registry, state, river:<slug>, snap:<sourceId>
import type { IndexDoc, Item, Registry, RiverItem, RiverPage, SourceState } from '../model';

export const ALL_SLUG = 'all';

/** KV's value limit is 25 MiB; ours is 1 MiB, so every read on the serve path stays page-sized. */
export const MAX_VALUE_BYTES = 1024 * 1024;

/** Versions are `<epoch>.<seq>` (base 36, decimal): within one river's life an older copy sorts before a newer one. */
export function olderVersion(a: string, than: string): boolean {
  const [ea, sa] = a.split('.');
  const [eb, sb] = than.split('.');
  return ea === eb && Number(sa) < Number(sb);
}

const pageKey = (prefix: string, slug: string): string => `${prefix}page:${slug}`;
const indexKey = (prefix: string): string => `${prefix}index`;

/** KV operations of this isolate, per key prefix (the bench and the tests read them; one isolate per deployment there). */
export interface KvUsage {
  reads: number;
  writes: number;
  deletes: number;
  lists: number;
  bytesRead: number;
  bytesWritten: number;
  writtenKeys: string[];
  largestValue: number;
}

const usage = new Map<string, KvUsage>();

/** This isolate's KV counters for a prefix (zero on first use). */
export function kvUsage(prefix: string): KvUsage {
  let u = usage.get(prefix);
  if (!u) {
    u = { reads: 0, writes: 0, deletes: 0, lists: 0, bytesRead: 0, bytesWritten: 0, writtenKeys: [], largestValue: 0 };
    usage.set(prefix, u);
  }
  return u;
}

/** Sets a prefix's KV counters back to zero, before a measured run. */
export function resetKvUsage(prefix: string): void {
  usage.delete(prefix);
}

async function readText(kv: KVNamespace, prefix: string, key: string): Promise<string | null> {
  const u = kvUsage(prefix);
  u.reads++;
  const text = await kv.get(key, 'text');
  if (text !== null) u.bytesRead += text.length;
  return text;
}

async function writeText(kv: KVNamespace, prefix: string, key: string, value: string, opts?: KVNamespacePutOptions): Promise<void> {
  const u = kvUsage(prefix);
  u.writes++;
  u.bytesWritten += value.length;
  u.largestValue = Math.max(u.largestValue, value.length);
  u.writtenKeys.push(key.slice(prefix.length));
  await kv.put(key, value, opts);
}

async function remove(kv: KVNamespace, prefix: string, key: string): Promise<void> {
  kvUsage(prefix).deletes++;
  await kv.delete(key);
}

// ───────────────────────────── served documents ─────────────────────────────

/** What a river's page says of the river: everything but its items. */
export type PageMeta = Omit<RiverPage, 'items'>;

/** A river's newest page as stored: its meta at once, its items when first asked for. */
export interface StoredPage {
  meta: PageMeta;
  items(): RiverItem[];
}

/**
 * The stored form: one line of JSON (the meta), then the items as a JSON array. A request that only needs to know the
 * version (or finds its answer cached under it) parses one short line, not the page.
 */
export function encodePage(meta: PageMeta, itemsJson: string): string {
  return `${JSON.stringify(meta)}\n${itemsJson}`;
}

/** Reads encodePage's form: the meta at once, the items parsed once when first asked for. */
export function decodePage(text: string): StoredPage {
  const nl = text.indexOf('\n');
  let items: RiverItem[] | undefined;
  return { meta: JSON.parse(text.slice(0, nl)) as PageMeta, items: () => (items ??= JSON.parse(text.slice(nl + 1)) as RiverItem[]) };
}

/** The page as a river value for the renderers: its meta with the given items. */
export function pageRiver(page: StoredPage, items: RiverItem[] = page.items()): RiverPage {
  return { ...page.meta, items };
}

/** A river's newest page from KV (one read), or null before its River first published. */
export async function loadPage(kv: KVNamespace, prefix: string, slug: string): Promise<StoredPage | null> {
  const text = await readText(kv, prefix, pageKey(prefix, slug));
  return text === null ? null : decodePage(text);
}

/** Stores a river's newest page, its version in the metadata for operators listing keys (https://developers.cloudflare.com/kv/platform/limits/). */
export async function savePage(kv: KVNamespace, prefix: string, text: string, meta: Pick<PageMeta, 'slug' | 'version' | 'itemCount'>): Promise<void> {
  await writeText(kv, prefix, pageKey(prefix, meta.slug), text, { metadata: { version: meta.version, itemCount: meta.itemCount } });
}

/** Deletes a river's page (its category was deleted). */
export async function deletePage(kv: KVNamespace, prefix: string, slug: string): Promise<void> {
  await remove(kv, prefix, pageKey(prefix, slug));
}

/** The index document from KV (one read), or null before the Directory first wrote it. */
export async function loadIndex(kv: KVNamespace, prefix: string): Promise<IndexDoc | null> {
  const text = await readText(kv, prefix, indexKey(prefix));
  return text === null ? null : (JSON.parse(text) as IndexDoc);
}

/** Stores the index document; its one writer keeps to KV's one write a second per key (https://developers.cloudflare.com/kv/platform/limits/). */
export async function saveIndex(kv: KVNamespace, prefix: string, doc: IndexDoc): Promise<void> {
  await writeText(kv, prefix, indexKey(prefix), JSON.stringify(doc));
}

// ───────────────────────────── the layout before Durable Objects (read by the migration) ─────────────────────────────

/** The `state` document of the earlier layout. */
export interface LegacyStateDoc {
  sources: Record<string, SourceState>;
  categories?: Record<string, { itemCount: number; updatedAt: string }>;
}

/** A queue consumer's `snap:<id>` of the earlier layout: a poll not merged yet. */
export interface LegacySnapshot {
  sourceId: string;
  polledAt: string;
  state: SourceState;
  items?: Item[];
  feedTitle?: string;
  feedLink?: string;
}

/** The earlier layout's small documents and the names of the rest (each River reads its own river). */
export interface LegacyLayout {
  registry: Registry;
  state: LegacyStateDoc;
  riverSlugs: string[];
  snapshotKeys: string[];
  keys: string[];
}

/**
 * A record keyed by ids and slugs, without a prototype: "constructor" is a valid slug, and `records[slug]` must not
 * find Object.prototype's members.
 */
export function idRecord<T>(entries?: Record<string, T> | null): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries ?? {});
}

async function readJson<T>(kv: KVNamespace, prefix: string, key: string): Promise<T | null> {
  const text = await readText(kv, prefix, prefix + key);
  return text === null ? null : (JSON.parse(text) as T);
}

async function listKeys(kv: KVNamespace, prefix: string, under: string): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    kvUsage(prefix).lists++;
    const page: KVNamespaceListResult<unknown> = await kv.list({ prefix: prefix + under, cursor });
    for (const k of page.keys) names.push(k.name.slice(prefix.length));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return names;
}

/** The earlier layout, when this namespace still holds it (its `registry` key); else null. */
export async function loadLegacyLayout(kv: KVNamespace, prefix: string): Promise<LegacyLayout | null> {
  const registry = await readJson<Registry>(kv, prefix, 'registry');
  if (!registry) return null;
  const state = (await readJson<LegacyStateDoc>(kv, prefix, 'state')) ?? { sources: {} };
  const riverKeys = await listKeys(kv, prefix, 'river:');
  const snapshotKeys = await listKeys(kv, prefix, 'snap:');
  return {
    registry: { sources: idRecord(registry.sources), categories: idRecord(registry.categories) },
    state: { sources: idRecord(state.sources), categories: idRecord(state.categories) },
    riverSlugs: riverKeys.map((k) => k.slice('river:'.length)),
    snapshotKeys,
    keys: ['registry', 'state', ...riverKeys, ...snapshotKeys],
  };
}

/** A queue consumer's unmerged poll of the earlier layout (`snap:<id>`), or null. */
export async function loadLegacySnapshot(kv: KVNamespace, prefix: string, key: string): Promise<LegacySnapshot | null> {
  return readJson<LegacySnapshot>(kv, prefix, key);
}

/** Deletes the earlier layout's keys once their content lives in the Durable Objects. */
export async function deleteLegacyKeys(kv: KVNamespace, prefix: string, keys: string[]): Promise<void> {
  for (const key of keys) await remove(kv, prefix, prefix + key);
}
