// Merge: fold one run's fresh items into a category river. Pure: river in, river out.
import { hash64 } from '../hash';
import type { Item, River, RiverItem, SourceRef } from '../model';
import { canonicalLink, titleKey } from './dedup';

/** What one polled source brings to a river in this run. */
export interface SourceContribution {
  source: Pick<SourceRef, 'id' | 'title' | 'feedUrl' | 'siteUrl'>;
  /** Every item of this fetch, newest feed state. */
  items: Item[];
  /** Keys this source had already seen before this fetch: they do not come back once retention dropped them. */
  seen: ReadonlySet<string>;
}

export interface RiverMeta {
  slug: string;
  title: string;
  description?: string;
  language?: string;
}

export interface MergeOptions {
  now: string;
  /** Items the river keeps (newest first). */
  cap: number;
  /** Two headlines this close in time (and equal after titleKey) are one story. */
  titleWindowHours?: number;
}

// Short titles ("Update", "Tin mới") collide by chance; only longer ones identify a story.
const MIN_TITLE_KEY_LENGTH = 12;
const DEFAULT_TITLE_WINDOW_HOURS = 36;

/** The fingerprint of what a reader would see: changes exactly when the rendered river would. */
export function riverVersion(meta: RiverMeta, items: RiverItem[]): string {
  const parts = [meta.slug, meta.title, meta.description ?? '', meta.language ?? ''];
  for (const it of items) parts.push(`${it.key}:${it.contentHash}:${it.sources.map((s) => s.id).join(',')}`);
  return hash64(parts.join('\n'));
}

export function emptyRiver(meta: RiverMeta, now: string): River {
  return { ...meta, updatedAt: now, version: riverVersion(meta, []), items: [] };
}

function refFor(c: SourceContribution, item: Item): SourceRef {
  return { ...c.source, itemUrl: item.url, itemKey: item.key, publishedAt: item.publishedAt };
}

/** The story's body fields from `item`, keeping the river entry's own identity. */
function withBody(entry: RiverItem, item: Item): RiverItem {
  return { ...item, key: entry.key, firstSeenAt: entry.firstSeenAt, sources: entry.sources };
}

export function mergeRiver(
  prev: River | null,
  meta: RiverMeta,
  contributions: SourceContribution[],
  opts: MergeOptions,
): { river: River; changed: boolean } {
  const entries: RiverItem[] = prev ? prev.items.map((e) => ({ ...e, sources: [...e.sources] })) : [];
  const windowMs = (opts.titleWindowHours ?? DEFAULT_TITLE_WINDOW_HOURS) * 3600_000;

  const byItemKey = new Map<string, RiverItem>();
  const byLink = new Map<string, RiverItem>();
  const byTitle = new Map<string, RiverItem[]>();
  const index = (e: RiverItem): void => {
    for (const s of e.sources) byItemKey.set(s.itemKey, e);
    // Entries stored before the keys were kept get them now; they are saved with the river's next change.
    e.linkKeys ??= linkKeysOf(e);
    e.titleKey ??= titleKey(e.title);
    for (const link of e.linkKeys) if (!byLink.has(link)) byLink.set(link, e);
    if (e.titleKey.length >= MIN_TITLE_KEY_LENGTH) byTitle.set(e.titleKey, [...(byTitle.get(e.titleKey) ?? []), e]);
  };
  const addLink = (e: RiverItem, url: string | undefined): void => {
    const link = storyLink(url);
    if (!link || e.linkKeys!.includes(link)) return;
    e.linkKeys!.push(link);
    if (!byLink.has(link)) byLink.set(link, e);
  };
  entries.forEach(index);

  const findStory = (item: Item, sourceId: string): RiverItem | undefined => {
    // Cross-source only: within one source, its own identity policy already decided what is distinct.
    const other = (e: RiverItem | undefined): RiverItem | undefined =>
      e && !e.sources.some((s) => s.id === sourceId) ? e : undefined;
    const link = storyLink(item.url);
    const byUrl = link ? other(byLink.get(link)) : undefined;
    if (byUrl) return byUrl;
    const tk = titleKey(item.title);
    if (tk.length < MIN_TITLE_KEY_LENGTH) return undefined;
    const t = Date.parse(item.publishedAt);
    return (byTitle.get(tk) ?? []).find((e) => other(e) && Math.abs(Date.parse(e.publishedAt) - t) <= windowMs);
  };

  for (const c of contributions) {
    for (const item of c.items) {
      const known = byItemKey.get(item.key);
      if (known) {
        const ref = known.sources.find((s) => s.itemKey === item.key);
        if (ref) ref.itemUrl = item.url;
        // Same story, edited at the source: update in place (it keeps its place and identity in the river).
        if (known.sources[0]?.itemKey === item.key && known.contentHash !== item.contentHash) {
          const updated = { ...withBody(known, item), publishedAt: known.publishedAt, updatedAt: item.updatedAt ?? opts.now };
          Object.assign(known, updated, { titleKey: titleKey(item.title) });
          addLink(known, item.url);
        }
        continue;
      }
      if (c.seen.has(item.key)) continue; // seen before and since dropped by retention or removal: not new again
      const story = findStory(item, c.source.id);
      if (story) {
        const ref = refFor(c, item);
        if (Date.parse(item.publishedAt) < Date.parse(story.publishedAt)) {
          // First published wins the body; the entry keeps its identity so readers do not see it twice.
          Object.assign(story, withBody(story, item), { sources: [ref, ...story.sources], linkKeys: story.linkKeys, titleKey: story.titleKey });
        } else {
          story.sources.push(ref);
        }
        addLink(story, item.url);
        byItemKey.set(item.key, story);
        continue;
      }
      const entry: RiverItem = { ...item, sources: [refFor(c, item)], firstSeenAt: opts.now, titleKey: titleKey(item.title) };
      entry.linkKeys = linkKeysOf(entry);
      entries.push(entry);
      index(entry);
    }
  }

  return finish(prev, meta, entries, opts);
}

/** Drops the given sources' attributions; entries no other source carried leave the river. */
export function removeSources(prev: River, sourceIds: ReadonlySet<string>, now: string): { river: River; changed: boolean } {
  const entries: RiverItem[] = [];
  for (const e of prev.items) {
    const sources = e.sources.filter((s) => !sourceIds.has(s.id));
    if (sources.length === 0) continue;
    if (sources.length === e.sources.length) entries.push(e);
    else entries.push({ ...e, sources, url: sources[0].itemUrl ?? e.url, linkKeys: undefined }); // keys recomputed on next merge
  }
  return finish(prev, prev, entries, { now, cap: Number.MAX_SAFE_INTEGER });
}

/** The river holding only `items` (a subset of its own, e.g. after a category rule got stricter). */
export function withItems(prev: River, items: RiverItem[], now: string): { river: River; changed: boolean } {
  return finish(prev, prev, [...items], { now, cap: Number.MAX_SAFE_INTEGER });
}

function finish(
  prev: River | null,
  meta: RiverMeta,
  entries: RiverItem[],
  opts: MergeOptions,
): { river: River; changed: boolean } {
  entries.sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : a.key < b.key ? -1 : 1));
  const items = fitBytes(entries.slice(0, opts.cap), RIVER_MAX_BYTES);
  const m: RiverMeta = { slug: meta.slug, title: meta.title, description: meta.description, language: meta.language };
  const version = riverVersion(m, items);
  if (prev && prev.version === version) return { river: prev, changed: false };
  return { river: { ...m, updatedAt: opts.now, version, items }, changed: true };
}

function linkKeysOf(e: RiverItem): string[] {
  const keys = new Set<string>();
  for (const url of [e.url, ...e.sources.map((s) => s.itemUrl)]) {
    const link = storyLink(url);
    if (link) keys.add(link);
  }
  return [...keys];
}

// KV values may be 25 MiB; a river stays far below, so reading and parsing it stays cheap on the serve path.
export const RIVER_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Items within `maxBytes` of JSON: when full articles push a river over, the oldest items give up their full
 * content (summaries stay), then the oldest items go. A cheap upper bound skips the sizing in the usual case.
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

/** A link that names one story: a site's front page is not one (some feeds link every item there). */
function storyLink(url: string | undefined): string | undefined {
  const c = canonicalLink(url);
  return c && /[/?]./.test(c) ? c : undefined;
}
