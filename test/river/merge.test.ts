import { describe, expect, it } from 'vitest';
import type { Item } from '../../src/model';
import { assignKeys } from '../../src/river/dedup';
import { itemIds } from '../../src/render/fields';
import { fitBytes, mergeRiver, removeSources, type SourceContribution } from '../../src/river/merge';

const META = { slug: 'news', title: 'News' };
const NOW = '2026-11-24T12:00:00.000Z';

function items(sourceId: string, list: { guid: string; title: string; url?: string; at: string; body?: string }[]): Item[] {
  return assignKeys(
    sourceId,
    list.map((x) => ({
      sourceId,
      guid: x.guid,
      title: x.title,
      url: x.url,
      summaryHtml: x.body,
      publishedAt: x.at,
      authors: [],
      tags: [],
      enclosures: [],
      contentHash: `${x.title}|${x.body ?? ''}`,
    })),
  ).items;
}

function contribution(id: string, its: Item[], seen: string[] = []): SourceContribution {
  return { source: { id, title: id.toUpperCase(), feedUrl: `https://${id}.test/feed` }, items: its, seen: new Set(seen) };
}

describe('mergeRiver', () => {
  it('adds new items newest first, and a second identical merge changes nothing', () => {
    const a = items('a', [
      { guid: '1', title: 'Older story about rice prices', at: '2026-11-20T08:00:00Z' },
      { guid: '2', title: 'Newer story about the floods', at: '2026-11-21T08:00:00Z' },
    ]);
    const first = mergeRiver(null, META, [contribution('a', a)], { now: NOW, cap: 100 });
    expect(first.changed).toBe(true);
    expect(first.river.items.map((i) => i.title)).toEqual(['Newer story about the floods', 'Older story about rice prices']);
    const second = mergeRiver(
      first.river,
      META,
      [
        contribution(
          'a',
          a,
          a.map((i) => i.key),
        ),
      ],
      { now: '2026-11-24T12:15:00Z', cap: 100 },
    );
    expect(second.changed).toBe(false);
    expect(second.river).toBe(first.river);
  });

  it('updates an edited item in place: same entry, new body, not a new item', () => {
    const v1 = items('a', [{ guid: '1', title: 'Budget vote delayed', body: 'v1', at: '2026-11-20T08:00:00Z' }]);
    const v2 = items('a', [{ guid: '1', title: 'Budget vote delayed again', body: 'v2', at: '2026-11-20T08:00:00Z' }]);
    const r1 = mergeRiver(null, META, [contribution('a', v1)], { now: NOW, cap: 100 }).river;
    const { river, changed } = mergeRiver(r1, META, [contribution('a', v2, [v1[0].key])], { now: '2026-11-24T13:00:00.000Z', cap: 100 });
    expect(changed).toBe(true);
    expect(river.items).toHaveLength(1);
    expect(river.items[0].key).toBe(r1.items[0].key);
    expect(river.items[0].title).toBe('Budget vote delayed again');
    expect(river.items[0].summaryHtml).toBe('v2');
    expect(river.items[0].updatedAt).toBe('2026-11-24T13:00:00.000Z');
    expect(river.version).not.toBe(r1.version);
  });

  it('merges one story from two sources (tracking params, NFD title) into one attributed entry; first published wins the body', () => {
    const a = items('a', [{ guid: 'a-1', title: 'Lũ lụt ở miền Trung', url: 'https://news.test/lu-lut?utm_source=a', at: '2026-11-20T09:00:00Z', body: 'A' }]);
    const b = items('b', [
      { guid: 'b-77', title: 'Lũ lụt ở miền Trung'.normalize('NFD'), url: 'https://news.test/lu-lut?fbclid=zz', at: '2026-11-20T08:00:00Z', body: 'B' },
    ]);
    const r1 = mergeRiver(null, META, [contribution('a', a)], { now: NOW, cap: 100 }).river;
    const { river } = mergeRiver(r1, META, [contribution('b', b)], { now: NOW, cap: 100 });
    expect(river.items).toHaveLength(1);
    const entry = river.items[0];
    expect(entry.sources.map((s) => s.id)).toEqual(['b', 'a']);
    expect(entry.summaryHtml).toBe('B');
    expect(entry.key).toBe(r1.items[0].key); // identity kept: readers do not see it twice
  });

  // What readers de-duplicate by is the rendered id (render/fields.ts itemIds), and it is built from different fields
  // of the entry depending on its shape: each case fails if the body taken from the earlier copy brings its own.
  it.each([
    ['the source gave an IRI id, kept as the entry id', 'tag:a.test,2026:lu-lut', 'urn:b:77', true, 'tag:a.test,2026:lu-lut'],
    ['an entry made before entries kept an id, with a permalink guid', 'https://a.test/lu-lut', 'https://b.test/77', false, 'https://a.test/lu-lut'],
    ['an entry made before entries kept an id, with a guid that is not a URL', 'a-1', 'b-77', false, /^tag:tributary,2025:a\//],
  ] as const)('keeps the rendered id when an earlier copy from another source takes the body: %s', (_case, guidA, guidB, keepsId, servedAs) => {
    const a = items('a', [{ guid: guidA, title: 'Lũ lụt ở miền Trung', url: 'https://news.test/lu-lut?utm_source=a', at: '2026-11-20T09:00:00Z', body: 'A' }]);
    const b = items('b', [{ guid: guidB, title: 'Lũ lụt ở miền Trung', url: 'https://news.test/lu-lut', at: '2026-11-20T08:00:00Z', body: 'B' }]);
    const r1 = mergeRiver(null, META, [contribution('a', a)], { now: NOW, cap: 100 }).river;
    if (!keepsId) delete r1.items[0].id;
    const served = itemIds(r1.items)[0];
    expect(served).toMatch(servedAs);
    const { river } = mergeRiver(r1, META, [contribution('b', b)], { now: NOW, cap: 100 });
    expect(river.items).toHaveLength(1);
    expect(river.items[0].summaryHtml).toBe('B');
    expect(itemIds(river.items)).toEqual([served]);
  });

  it('matches by title within the window only, across sources only', () => {
    const a = items('a', [{ guid: '1', title: 'Prime minister visits Chiang Mai', url: 'https://a.test/1', at: '2026-11-20T09:00:00Z' }]);
    const bNear = items('b', [{ guid: '9', title: 'Prime Minister visits Chiang Mai.', url: 'https://b.test/9', at: '2026-11-20T20:00:00Z' }]);
    const bFar = items('c', [{ guid: '9', title: 'Prime minister visits Chiang Mai', url: 'https://c.test/9', at: '2026-11-25T20:00:00Z' }]);
    const sameSource = items('a', [{ guid: '2', title: 'Prime minister visits Chiang Mai', url: 'https://a.test/2', at: '2026-11-20T10:00:00Z' }]);
    const r = mergeRiver(null, META, [contribution('a', [...a, ...sameSource]), contribution('b', bNear), contribution('c', bFar)], {
      now: NOW,
      cap: 100,
    }).river;
    expect(r.items).toHaveLength(3);
    const merged = r.items.find((i) => i.sources.length === 2);
    expect(merged?.sources.map((s) => s.id).sort()).toEqual(['a', 'b']);
  });

  it('does not bring back an item that retention dropped', () => {
    const list = items('a', [
      { guid: '1', title: 'One is the oldest story', at: '2026-11-20T08:00:00Z' },
      { guid: '2', title: 'Two is the middle story', at: '2026-11-21T08:00:00Z' },
      { guid: '3', title: 'Three is the newest story', at: '2026-11-22T08:00:00Z' },
    ]);
    const r1 = mergeRiver(null, META, [contribution('a', list)], { now: NOW, cap: 2 }).river;
    expect(r1.items.map((i) => i.title)).toEqual(['Three is the newest story', 'Two is the middle story']);
    const r2 = mergeRiver(
      r1,
      META,
      [
        contribution(
          'a',
          list,
          list.map((i) => i.key),
        ),
      ],
      { now: NOW, cap: 3 },
    );
    expect(r2.changed).toBe(false);
    expect(r2.river.items).toHaveLength(2);
  });

  it('removeSources drops a source: its own entries go, shared ones keep the other source', () => {
    const a = items('a', [
      { guid: '1', title: 'Only in source A, nowhere else', url: 'https://a.test/1', at: '2026-11-20T08:00:00Z' },
      { guid: '2', title: 'Shared story carried by both', url: 'https://x.test/shared', at: '2026-11-20T09:00:00Z' },
    ]);
    const b = items('b', [{ guid: '5', title: 'Shared story carried by both', url: 'https://x.test/shared?utm_medium=b', at: '2026-11-20T10:00:00Z' }]);
    const r = mergeRiver(null, META, [contribution('a', a), contribution('b', b)], { now: NOW, cap: 100 }).river;
    expect(r.items).toHaveLength(2);
    const { river, changed } = removeSources(r, new Set(['a']), NOW);
    expect(changed).toBe(true);
    expect(river.items).toHaveLength(1);
    expect(river.items[0].sources.map((s) => s.id)).toEqual(['b']);
    expect(river.items.flatMap((i) => i.sources).some((s) => s.id === 'a')).toBe(false);
  });
});

describe('page size', () => {
  it('keeps a page of full articles within the value limit: oldest lose full content first, then go', () => {
    const big = 'ข่าว '.repeat(20_000); // ~100 KB of UTF-16, ~300 KB of UTF-8
    const list = items(
      'a',
      Array.from({ length: 40 }, (_, n) => ({ guid: String(n), title: `Long read number ${n}`, at: new Date(Date.UTC(2026, 10, 1, n)).toISOString() })),
    );
    for (const i of list) i.contentHtml = big;
    const { river } = mergeRiver(null, META, [contribution('a', list)], { now: NOW, cap: 100 });
    const page = fitBytes(river.items, 1024 * 1024);
    const bytes = new TextEncoder().encode(JSON.stringify(page)).length;
    expect(bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(page.length).toBe(40);
    expect(page[0].contentHtml).toBe(big); // the newest keep their articles
    expect(page[page.length - 1].contentHtml).toBeUndefined();
    expect(river.items[page.length - 1].contentHtml).toBe(big); // the river itself keeps them all
  });
});
