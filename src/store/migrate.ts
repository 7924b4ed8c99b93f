// The first run of this code on a namespace in the earlier layout (everything in KV: `registry`, `state`,
// `river:<slug>`, `snap:<id>`) moves it into the Durable Objects in place: nothing lost, nothing twice.
import type { Deployment, Env, Item, Source, SourceState } from '../model';
import { currentState } from '../poll/plan';
import { ALL_SLUG, deleteLegacyKeys, loadLegacyLayout, loadLegacySnapshot, type LegacySnapshot } from './kv';
import { feedOf, riverOf } from './objects';
import { defaultCategory } from './registry';
import type { RiverSettings } from './river';
import { newState, type DirectoryTables } from './tables';

export interface MigrationContext {
  env: Env;
  d: Deployment;
  tables: DirectoryTables;
  /** The Directory's next registry revision. */
  revision: () => number;
}

export interface Migration {
  /** Rivers that were imported (and published). */
  rivers: string[];
  /** Deletes the earlier layout's keys: call once everything else is in place. */
  finish(): Promise<void>;
}

/** A state of the earlier layout without its seen keys (the Feed keeps those now). */
function stateOf(stored: SourceState | undefined): SourceState {
  if (!stored) return newState();
  const { seen: _seen, ...rest } = stored;
  return rest;
}

/**
 * Imports the registry and the states into the Directory's tables, each river into its River (which reads its own
 * `river:<slug>`), and each source's seen keys, with the content hashes the rivers held, into its Feed; a poll a queue
 * consumer left unmerged (`snap:<id>`) is delivered through the Feed like any other.
 */
export async function importLegacyLayout({ env, d, tables, revision }: MigrationContext): Promise<Migration> {
  const legacy = await loadLegacyLayout(env.TRIBUTARY, d.prefix);
  if (!legacy) return { rivers: [], finish: async () => undefined };
  const { registry, state } = legacy;
  for (const c of Object.values(registry.categories)) tables.putCategory(c);
  for (const s of Object.values(registry.sources)) tables.putSource(s, { state: stateOf(state.sources[s.id]), rev: revision() });

  const hashes = new Map<string, Map<string, string | null>>();
  for (const slug of legacy.riverSlugs) {
    const c = registry.categories[slug];
    if (slug !== ALL_SLUG && !c) continue; // a river of a category deleted since: nothing serves it
    const settings: RiverSettings = slug === ALL_SLUG ? { slug, title: 'All categories' } : { ...defaultCategory(slug), ...c };
    const river = riverOf(env, d, slug);
    for (let from: number | undefined = 0; from !== undefined; ) {
      const part = await river.importLegacy(d, settings, from);
      for (const [sourceId, itemKey, hash] of part.hashes as [string, string, string | null][]) {
        const m = hashes.get(sourceId) ?? new Map<string, string | null>();
        if (!m.has(itemKey) || hash !== null) m.set(itemKey, hash);
        hashes.set(sourceId, m);
      }
      from = part.next;
    }
  }

  const snapshots = new Map<string, LegacySnapshot>();
  for (const key of legacy.snapshotKeys) {
    const snap = await loadLegacySnapshot(env.TRIBUTARY, d.prefix, key);
    if (snap) snapshots.set(snap.sourceId, snap);
  }
  for (const source of Object.values(registry.sources)) {
    await importFeed(env, d, tables, source, state.sources[source.id], hashes.get(source.id), snapshots.get(source.id));
  }
  // `registry` last: a finish that stops half way leaves the earlier layout recognisable, and the next start resumes it.
  return { rivers: legacy.riverSlugs, finish: () => deleteLegacyKeys(env.TRIBUTARY, d.prefix, [...legacy.keys.filter((k) => k !== 'registry'), 'registry']) };
}

/** One source's Feed: its seen keys (newest first, as stored) with the hashes the rivers held, and any unmerged poll. */
async function importFeed(
  env: Env,
  d: Deployment,
  tables: DirectoryTables,
  source: Source,
  stored: SourceState | undefined,
  riverHashes: Map<string, string | null> | undefined,
  snap: LegacySnapshot | undefined,
): Promise<void> {
  // A state left by an earlier incarnation of the id (removed and added again) says nothing about this one.
  stored = currentState(source, stored);
  const seen = stored?.seen ?? [];
  const memory: [string, string | null][] = seen.map((key) => [key, riverHashes?.get(key) ?? null]);
  const seenSet = new Set(seen);
  for (const [key, hash] of riverHashes ?? []) if (!seenSet.has(key)) memory.push([key, hash]);
  const delivered = stored?.categories ?? (memory.length ? source.categories : []);
  const pending = snap && snap.polledAt > (stored?.lastCheckedAt ?? '') ? snap : undefined;
  if (pending) {
    const next = stateOf(pending.state);
    if (pending.items) Object.assign(next, { categories: [...source.categories], registeredAt: source.createdAt });
    tables.putState(source, next);
  }
  const rev = tables.revisions([source.id]).get(source.id) ?? 0;
  if (memory.length === 0 && !pending?.items) return;
  const items: Item[] | undefined = pending?.items;
  await feedOf(env, d, source).importMemory(
    d,
    source,
    rev,
    memory,
    // The policy before the unmerged poll: its items keep the keys they had if that poll changed the policy.
    { policy: stored?.identityPolicy, delivered: delivered.length ? [...delivered, ALL_SLUG] : [] },
    items ? { items, polledAt: pending!.polledAt, feed: { title: pending!.feedTitle, link: pending!.feedLink } } : undefined,
  );
}
