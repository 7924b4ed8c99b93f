// The Durable Objects on their own: the Directory's leases, a Feed's outbox when a River cannot take a delivery,
// and a River's idempotent merge and write pacing.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Contribution, ContributedItem, Env } from '../../src/model';
import { VIEW_FORMATS, renderView } from '../../src/render/views';
import { decodePage, loadPage, pageRiver } from '../../src/store/kv';
import { deploymentOf, directoryOf, feedOf, riverOf } from '../../src/store/objects';
import { call, fixtureRoute, isolatedEnv, rss } from '../support/kv';

function item(key: string, title: string, publishedAt: string): ContributedItem {
  return {
    key,
    sourceId: 'src',
    guid: key,
    title,
    url: `https://objects.test/${key}`,
    publishedAt,
    authors: [],
    tags: [],
    enclosures: [],
    contentHash: `h-${key}`,
    change: 'new',
  };
}

function contribution(items: ContributedItem[], revision = 1): Contribution {
  return { source: { id: 'src', title: 'Source', feedUrl: 'https://objects.test/feed' }, revision, polledAt: new Date().toISOString(), items };
}

async function addSource(env: Env, id: string, categories: string[]): Promise<void> {
  const url = await fixtureRoute(`objects-${id}-${Math.random().toString(36).slice(2)}`, {
    headers: { 'content-type': 'application/rss+xml' },
    body: rss(id, [{ guid: `${id}-1`, title: `The only story of ${id}`, link: `https://objects.test/${id}/1`, date: 'Fri, 20 Nov 2026 08:00:00 GMT' }]),
  });
  expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id, url, categories }) })).status).toBe(201);
}

describe('the Directory', () => {
  it('hands a due source to one run at a time, until its report comes back', async () => {
    const { env } = isolatedEnv();
    await addSource(env, 'one', ['news']);
    await addSource(env, 'two', ['news']);
    const d = deploymentOf(env);
    const dir = directoryOf(env, d);
    const now = new Date().toISOString();
    const first = await dir.plan(d, { now, budget: 50 });
    expect(first.tasks.map((t) => t.source.id).sort()).toEqual(['one', 'two']);
    // An overlapping run finds nothing due: both are on lease.
    expect((await dir.plan(d, { now, budget: 50 })).tasks).toEqual([]);
    // One is reported (not modified, next check in 15 minutes); the other was not fetched and is due again at once.
    const one = first.tasks.find((t) => t.source.id === 'one')!;
    await dir.record(
      d,
      [
        {
          id: 'one',
          createdAt: one.source.createdAt,
          revision: one.revision,
          checkedAt: now,
          outcome: { ok: true, kind: 'not-modified', status: 304, finalUrl: 'https://x.test/' },
        },
      ],
      ['two'],
    );
    expect((await dir.plan(d, { now, budget: 50 })).tasks.map((t) => t.source.id)).toEqual(['two']);
    // A forced poll takes every source, leased or not.
    expect((await dir.plan(d, { now, budget: 50, force: true })).tasks).toHaveLength(2);
  });
});

describe('a Feed', () => {
  it('keeps a delivery a River cannot take, retries it on its alarm, and gives a poisoned one up without blocking the next', async () => {
    const { env } = isolatedEnv({ KV_WRITE_GAP_MS: '0' });
    const d = deploymentOf(env);
    const source = { id: 'src', url: 'https://objects.test/feed', categories: ['news'], createdAt: '2026-11-01T00:00:00.000Z' };
    const feed = feedOf(env, d, source);
    const good = contribution([item('k1', 'A story that must arrive', '2026-11-20T08:00:00.000Z')]);
    await runInDurableObject(feed, async (_instance, state) => {
      state.storage.sql.exec("INSERT INTO meta (k, v) VALUES ('deployment', ?)", JSON.stringify(d));
      // First in line: a contribution the River cannot merge (no items list), then a good one.
      state.storage.sql.exec(
        'INSERT INTO outbox (slug, payload) VALUES (?, ?), (?, ?)',
        'news',
        JSON.stringify({ ...good, items: null }),
        'news',
        JSON.stringify(good),
      );
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    const pending = () =>
      runInDurableObject(feed, (_i, state) =>
        state.storage.sql.exec<{ n: number; attempts: number }>('SELECT count(*) AS n, max(attempts) AS attempts FROM outbox').one(),
      );
    expect(await runDurableObjectAlarm(feed)).toBe(true);
    // Still both: the good one waits behind the first, in order.
    expect(await pending()).toEqual({ n: 2, attempts: 1 });
    for (let i = 0; i < 20 && (await pending()).n > 0; i++) await runDurableObjectAlarm(feed);
    expect((await pending()).n).toBe(0);
    const river = riverOf(env, d, 'news');
    expect(
      decodePage(await river.head(d, 'news'))
        .items()
        .map((i) => i.title),
    ).toEqual(['A story that must arrive']);
  });
});

describe('a River', () => {
  it('merges a delivery once however often it arrives, and refuses one from before its source left', async () => {
    const { env } = isolatedEnv({ KV_WRITE_GAP_MS: '0' });
    const d = deploymentOf(env);
    const river = riverOf(env, d, 'news');
    const c = contribution(
      [item('a1', 'First story of the river', '2026-11-20T08:00:00.000Z'), item('a2', 'Second story of the river', '2026-11-21T08:00:00.000Z')],
      3,
    );
    expect(await river.merge(d, 'news', c)).toEqual({ changed: true });
    expect(await river.merge(d, 'news', c)).toEqual({ changed: false });
    const since = new Date(Date.now() - 1000).toISOString();
    const published = await river.flush(d, 'news', since);
    expect(published).toMatchObject({ slug: 'news', itemCount: 2 });
    const page = await loadPage(env.TRIBUTARY, d.prefix, 'news');
    expect(page?.items().map((i) => i.title)).toEqual(['Second story of the river', 'First story of the river']);
    expect(page?.meta.version).toBe(published!.version);
    // The source leaves at revision 5: a delivery fetched at revision 3 or 4 is refused; one at 5 is taken.
    await river.removeSource(d, 'news', 'src', 5);
    expect(decodePage(await river.head(d, 'news')).items()).toEqual([]);
    expect((await river.merge(d, 'news', contribution([item('a3', 'Fetched before the source left', '2026-11-22T08:00:00.000Z')], 4))).refused).toMatch(
      /left this river/,
    );
    expect(await river.merge(d, 'news', contribution([item('a4', 'Fetched after the source came back', '2026-11-23T08:00:00.000Z')], 5))).toEqual({
      changed: true,
    });
  });

  it('writes its page at most once a second by default (KV takes one write per second per key)', async () => {
    const { env, counts } = isolatedEnv();
    const d = deploymentOf(env);
    const river = riverOf(env, d, 'paced');
    const t0 = Date.now();
    await river.merge(d, 'paced', contribution([item('p1', 'Paced story number one', '2026-11-20T08:00:00.000Z')]));
    await river.flush(d, 'paced', new Date(t0 - 1000).toISOString());
    await river.merge(d, 'paced', contribution([item('p2', 'Paced story number two', '2026-11-21T08:00:00.000Z')]));
    await river.flush(d, 'paced', new Date(t0 - 1000).toISOString());
    expect(counts.writtenKeys.filter((k) => k === 'page:paced')).toHaveLength(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
  });
});

describe('a River page', () => {
  it('is what every format serves: the newest entries as stored, rendered on a miss', async () => {
    const { env } = isolatedEnv({ KV_WRITE_GAP_MS: '0' });
    const d = deploymentOf(env);
    const river = riverOf(env, d, 'views');
    await river.merge(
      d,
      'views',
      contribution([item('v1', 'ข่าวเช้า: ตลาดหุ้นเปิดบวก', '2026-11-20T08:00:00.000Z'), item('v2', 'Tin sáng: chứng khoán tăng điểm', '2026-11-21T08:00:00.000Z')]),
    );
    await river.flush(d, 'views', new Date(Date.now() - 1000).toISOString());
    const page = (await loadPage(env.TRIBUTARY, d.prefix, 'views'))!;
    expect(page.meta).toMatchObject({ slug: 'views', itemCount: 2, more: false });
    const base = env.PUBLIC_BASE_URL!;
    for (const format of VIEW_FORMATS) {
      const served = await call(env, format === 'html' ? '/c/views' : `/feeds/views.${format}`);
      expect(await served.text(), format).toBe(renderView(pageRiver(page), page.items(), { slug: 'views', format, base, canonical: '' }, d.config));
    }
  });
});
