// The only module that touches KV. Layout (docs/storage.md has the why):
//   registry          Registry                   written by the admin API only
//   state             StateDoc                   written by the poll run (one write per run, only on change)
//   river:<slug>      River                      written by the merge step of a run (and by source removal)
//   river:all         River                      every category merged, same writer
//   snap:<sourceId>   SourceSnapshot             queue mode only: written by the consumer that polled the source
import type { Registry, River, SourceState, Item } from '../model';

export const ALL_SLUG = 'all';

export interface StateDoc {
  sources: Record<string, SourceState>;
  /** Per-category figures for the index page, kept by the merge step so pages need no river reads. */
  categories?: Record<string, { itemCount: number; updatedAt: string }>;
}

/** What a queue consumer leaves for the next merge: one writer per key (the consumer of that source). */
export interface SourceSnapshot {
  sourceId: string;
  polledAt: string;
  state: SourceState;
  /** Present only when the poll brought new or changed items. */
  items?: Item[];
  feedTitle?: string;
  feedLink?: string;
}

const REGISTRY_KEY = 'registry';
const STATE_KEY = 'state';
const riverKey = (slug: string): string => `river:${slug}`;
const snapshotKey = (sourceId: string): string => `snap:${sourceId}`;
// Snapshots are consumed by the next merge; expire them so an abandoned one cannot linger.
const SNAPSHOT_TTL_SECONDS = 7 * 24 * 3600;

/**
 * A record keyed by ids and slugs, without a prototype: "constructor" is a valid slug, and `records[slug]` must not
 * find Object.prototype's members.
 */
export function idRecord<T>(entries?: Record<string, T> | null): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries ?? {});
}

export async function loadRegistry(kv: KVNamespace): Promise<Registry> {
  const reg = await kv.get<Registry>(REGISTRY_KEY, 'json');
  return { sources: idRecord(reg?.sources), categories: idRecord(reg?.categories) };
}

export async function saveRegistry(kv: KVNamespace, registry: Registry): Promise<void> {
  await kv.put(REGISTRY_KEY, JSON.stringify(registry));
}

export async function loadStates(kv: KVNamespace): Promise<StateDoc> {
  const doc = await kv.get<StateDoc>(STATE_KEY, 'json');
  return { sources: idRecord(doc?.sources), categories: idRecord(doc?.categories) };
}

export async function saveStates(kv: KVNamespace, doc: StateDoc): Promise<void> {
  await kv.put(STATE_KEY, JSON.stringify(doc));
}

export async function loadRiver(kv: KVNamespace, slug: string): Promise<River | null> {
  return kv.get<River>(riverKey(slug), 'json');
}

export async function saveRiver(kv: KVNamespace, river: River): Promise<void> {
  await kv.put(riverKey(river.slug), JSON.stringify(river));
}

export async function deleteRiver(kv: KVNamespace, slug: string): Promise<void> {
  await kv.delete(riverKey(slug));
}

export async function saveSnapshot(kv: KVNamespace, snap: SourceSnapshot): Promise<void> {
  // polledAt rides in the metadata, so the merge can skip snapshots it already holds without reading them.
  await kv.put(snapshotKey(snap.sourceId), JSON.stringify(snap), {
    expirationTtl: SNAPSHOT_TTL_SECONDS,
    metadata: { polledAt: snap.polledAt },
  });
}

/** Reads the snapshots newer than `mergedAt(sourceId)` (queue mode merge). */
export async function loadSnapshots(kv: KVNamespace, mergedAt: (sourceId: string) => string | undefined): Promise<SourceSnapshot[]> {
  const out: SourceSnapshot[] = [];
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<{ polledAt?: string }> = await kv.list({ prefix: 'snap:', cursor });
    for (const k of page.keys) {
      const merged = mergedAt(k.name.slice('snap:'.length));
      if (merged && k.metadata?.polledAt && k.metadata.polledAt <= merged) continue;
      const snap = await kv.get<SourceSnapshot>(k.name, 'json');
      if (snap && (!merged || snap.polledAt > merged)) out.push(snap);
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}

