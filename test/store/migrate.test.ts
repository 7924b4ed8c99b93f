// Upgrading a deployment: KV seeded with the earlier layout (registry, state, river:<slug>, snap:<id>) as the earlier
// code wrote it; the first request of this code migrates it in place. The served feeds stay what they were, a poll
// after it adds nothing twice, an unmerged queue poll is delivered, and the earlier keys are gone.
import { env as workerEnv } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ingestFeed } from '../../src/ingest';
import type { Item, Registry, River, SourceState } from '../../src/model';
import { assignKeys } from '../../src/river/dedup';
import { categoryRule } from '../../src/river/filter';
import { mergeRiver, type SourceContribution } from '../../src/river/merge';
import { call, fixtureRoute, isolatedEnv, rss } from '../support/kv';

const day = (d: number) => new Date(Date.UTC(2026, 10, d, 8)).toUTCString();
const CHECKED = '2026-11-30T08:00:00.000Z';
const NEXT = new Date(Date.now() + 3600_000).toISOString();

interface Fixture {
  id: string;
  title: string;
  categories: string[];
  stories: { guid: string; title: string; link: string; date: string }[];
}

const FIXTURES: Fixture[] = [
  {
    id: 'siam',
    title: 'Siam Daily',
    categories: ['news', 'local'],
    stories: [
      { guid: 's1', title: 'เชียงใหม่คุมเข้มปล่อยโคมยี่เป็ง', link: 'https://siam.mig.test/1', date: day(20) },
      { guid: 's2', title: 'ราคาข้าวหอมมะลิสูงขึ้นต่อเนื่อง', link: 'https://story.mig.test/rice', date: day(19) },
      { guid: 's3', title: 'Second shared headline about floods in the north', link: 'https://siam.mig.test/3', date: day(18) },
    ],
  },
  {
    id: 'wire',
    title: 'Wire',
    categories: ['news'],
    stories: [
      { guid: 'w9', title: 'Rice prices keep rising', link: 'https://story.mig.test/rice?utm_source=wire', date: day(21) },
      { guid: 'w8', title: 'Hà Nội mưa lớn, nhiều tuyến phố ngập', link: 'https://wire.mig.test/8', date: day(17) },
    ],
  },
];

// A source a queue consumer polled whose snapshot the earlier producer never merged.
const PENDING: Fixture = {
  id: 'queued',
  title: 'Queued',
  categories: ['news'],
  stories: [{ guid: 'q1', title: 'Polled by a consumer, merged by nobody yet', link: 'https://queued.mig.test/1', date: day(22) }],
};

async function itemsOf(f: Fixture, url: string): Promise<Item[]> {
  const ingested = await ingestFeed(new TextEncoder().encode(rss(f.title, f.stories)), {
    contentType: 'application/rss+xml',
    url,
    fetchedAt: CHECKED,
    sourceId: f.id,
  });
  if (!ingested.ok) throw new Error(ingested.reason);
  return assignKeys(f.id, ingested.feed.items).items;
}

const stateOf = (f: Fixture, createdAt: string, items: Item[]): SourceState => ({
  consecutiveFailures: 0,
  paused: false,
  itemCount: items.length,
  lastCheckedAt: CHECKED,
  lastSuccessAt: CHECKED,
  lastStatus: 200,
  nextCheckAt: NEXT,
  identityPolicy: 'guid',
  registeredAt: createdAt,
  categories: f.categories,
  seen: items.map((i) => i.key),
  feedTitle: f.title,
});

interface JsonItem {
  id: string;
  title?: string;
  url?: string;
  date_published: string;
  _tributary: { sources: { id: string }[] };
}

const summary = (items: JsonItem[]) =>
  items.map((i) => ({ id: i.id, title: i.title, url: i.url, date: i.date_published, sources: i._tributary.sources.map((s) => s.id) }));

describe('migration from the earlier KV layout', () => {
  it('serves the same feeds, delivers the unmerged queue poll, adds nothing twice, and removes the earlier keys', async () => {
    const { env, prefix } = isolatedEnv();
    const kv = (workerEnv as unknown as { TRIBUTARY: KVNamespace }).TRIBUTARY;
    const createdAt = '2026-11-01T00:00:00.000Z';
    const urls = new Map<string, string>();
    for (const f of [...FIXTURES, PENDING]) {
      urls.set(f.id, await fixtureRoute(`mig-${prefix}${f.id}`, { headers: { 'content-type': 'application/rss+xml' }, body: rss(f.title, f.stories) }));
    }
    const registry: Registry = {
      sources: Object.fromEntries(
        [...FIXTURES, PENDING].map((f) => [f.id, { id: f.id, url: urls.get(f.id)!, title: f.title, categories: f.categories, createdAt }]),
      ),
      categories: { news: { slug: 'news', title: 'ข่าว · Tin tức' }, local: { slug: 'local', title: 'Local', include: ['เชียงใหม่'] } },
    };
    // The earlier code's rivers, made by the same pure merge it used.
    const items = new Map<string, Item[]>();
    for (const f of [...FIXTURES, PENDING]) items.set(f.id, await itemsOf(f, urls.get(f.id)!));
    const contribution = (f: Fixture): SourceContribution => ({
      source: { id: f.id, title: f.title, feedUrl: urls.get(f.id)! },
      items: items.get(f.id)!,
      seen: new Set(),
    });
    const riverOf = (slug: string, title: string, fs: Fixture[]): River => {
      const rule = slug === 'all' ? undefined : categoryRule(registry.categories[slug]);
      const cs = fs
        .filter((f) => slug === 'all' || f.categories.includes(slug))
        .map(contribution)
        .map((c) => (rule ? { ...c, items: c.items.filter(rule) } : c));
      return mergeRiver(null, { slug, title }, cs, { now: CHECKED, cap: 300 }).river;
    };
    const legacy: Record<string, unknown> = {
      registry,
      state: { sources: Object.fromEntries(FIXTURES.map((f) => [f.id, stateOf(f, createdAt, items.get(f.id)!)])), categories: {} },
      'river:news': riverOf('news', 'ข่าว · Tin tức', FIXTURES),
      'river:local': riverOf('local', 'Local', FIXTURES),
      'river:all': riverOf('all', 'All categories', FIXTURES),
      'snap:queued': {
        sourceId: 'queued',
        polledAt: '2026-11-30T08:05:00.000Z',
        state: { ...stateOf(PENDING, createdAt, items.get('queued')!), seen: undefined },
        items: items.get('queued'),
        feedTitle: PENDING.title,
      },
    };
    for (const [key, value] of Object.entries(legacy)) await kv.put(prefix + key, JSON.stringify(value));
    // What the earlier code served: the rivers as they stood, and the pending poll merged by its next cron.
    const expected = (slug: string, title: string) => riverOf(slug, title, [...FIXTURES, PENDING]);

    const served = async (slug: string) => (await (await call(env, `/feeds/${slug}.json?limit=300`)).json<{ items: JsonItem[] }>()).items;
    const before = new Map<string, JsonItem[]>();
    for (const [slug, title] of [
      ['news', 'ข่าว · Tin tức'],
      ['local', 'Local'],
      ['all', 'All categories'],
    ] as const) {
      const got = await served(slug);
      before.set(slug, got);
      const want = expected(slug, title).items;
      expect(
        got.map((i) => i.title),
        slug,
      ).toEqual(want.map((i) => i.title));
      expect(new Set(got.map((i) => i.id)).size, slug).toBe(got.length);
    }
    // The shared rice story stays one entry attributed to both sources.
    const rice = before.get('news')!.find((i) => i.url?.includes('story.mig.test/rice'));
    expect(rice?._tributary.sources.map((s) => s.id).sort()).toEqual(['siam', 'wire']);
    expect(before.get('local')!.map((i) => i.title)).toEqual(['เชียงใหม่คุมเข้มปล่อยโคมยี่เป็ง']);

    // The earlier keys are gone; the states came across.
    for (const key of Object.keys(legacy)) expect(await kv.get(prefix + key), key).toBeNull();
    const status = await (await call(env, '/status.json')).json<{
      sources: { id: string; lastCheckedAt: string | null; nextCheckAt: string | null; itemCount: number }[];
    }>();
    const siam = status.sources.find((s) => s.id === 'siam');
    expect(siam).toMatchObject({ lastCheckedAt: CHECKED, nextCheckAt: NEXT, itemCount: 3 });

    // A forced poll of the same feeds adds nothing; a new story adds exactly one entry.
    expect((await call(env, '/admin/poll?force=1', { method: 'POST' })).status).toBe(200);
    for (const slug of ['news', 'local', 'all']) expect(summary(await served(slug)), slug).toEqual(summary(before.get(slug)!));
    const wire = FIXTURES[1];
    await fixtureRoute(`mig-${prefix}wire`, {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss(wire.title, [{ guid: 'w10', title: 'A story after the upgrade', link: 'https://wire.mig.test/10', date: day(23) }, ...wire.stories]),
    });
    expect((await call(env, '/admin/poll?force=1', { method: 'POST' })).status).toBe(200);
    const after = await served('news');
    expect(after.length).toBe(before.get('news')!.length + 1);
    expect(after[0].title).toBe('A story after the upgrade');
    expect(summary(after.slice(1))).toEqual(summary(before.get('news')!));
  });
});
