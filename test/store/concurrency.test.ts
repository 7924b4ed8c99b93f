// No item is ever lost to concurrency: runs that overlap (the cron and admin polls), and a source removal during a
// run, against feeds that carry only their newest item — an item a lost write drops never comes back.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import type { Env } from '../../src/model';
import { call, fixtureRoute, isolatedEnv, rss } from '../support/kv';

const ROUNDS = 50;
const at = (round: number) => new Date(Date.UTC(2026, 10, 1) + round * 3600_000).toUTCString();
let n = 0;
const uniq = (name: string) => `conc-${name}-${++n}-${Math.random().toString(36).slice(2, 7)}`;

interface JsonFeed {
  items: { id: string; title: string; _tributary?: { sources: { id: string }[] } }[];
}

/** A feed that carries only the story of `round`. */
function newestOnly(_name: string, source: string, round: number): string {
  return rss(`Source ${source}`, [
    { guid: `${source}-${round}`, title: `Story ${round} from source ${source}`, link: `https://${source}.conc.test/${round}`, date: at(round) },
  ]);
}

/** Programs the route to serve the story of `round`; returns its URL. */
async function setRound(route: string, source: string, round: number): Promise<string> {
  return fixtureRoute(route, { headers: { 'content-type': 'application/rss+xml' }, body: newestOnly(route, source, round) });
}

async function poll(env: Env, query: string): Promise<void> {
  const res = await call(env, `/admin/poll?${query}`, { method: 'POST' });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function cron(env: Env): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '*/15 * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function riverTitles(env: Env, slug: string): Promise<string[]> {
  const feed = await (await call(env, `/feeds/${slug}.json?limit=300`)).json<JsonFeed>();
  return feed.items.map((i) => i.title);
}

async function addSource(env: Env, id: string, url: string, categories: string[]): Promise<void> {
  const res = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id, url, categories }) });
  expect(res.status, await res.clone().text()).toBe(201);
}

describe('overlapping runs', () => {
  it(`lose nothing and double nothing over ${ROUNDS} rounds of the cron and admin polls at once`, async () => {
    // KV_WRITE_GAP_MS 0: Miniflare's KV does not limit writes per key, and 50 rounds at one publish a second are slow.
    const { env } = isolatedEnv({ KV_WRITE_GAP_MS: '0' });
    const sources = ['a', 'b', 'c'];
    const routes = Object.fromEntries(sources.map((s) => [s, uniq(s)]));
    for (const s of sources) await addSource(env, s, await setRound(routes[s], s, 0), s === 'c' ? ['news', 'local'] : ['news']);
    const expected = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of sources) {
        await setRound(routes[s], s, round);
        expected.add(`Story ${round} from source ${s}`);
      }
      // Each source's newest story reaches "news" through a different run at the same time, while a forced poll of
      // everything and the cron overlap them.
      await Promise.all([poll(env, 'source=a'), poll(env, 'source=b'), poll(env, 'source=c'), poll(env, 'force=1'), cron(env)]);
    }
    const news = await riverTitles(env, 'news');
    expect(news.length).toBe(expected.size);
    expect(new Set(news)).toEqual(expected);
    const all = await riverTitles(env, 'all');
    expect(all.length).toBe(expected.size);
    expect((await riverTitles(env, 'local')).length).toBe(ROUNDS);
  }, 240_000);
});

describe('a source removed while a run polls it', () => {
  it(`leaves none of its items behind, in ${ROUNDS} rounds, while the other source loses nothing`, async () => {
    const { env } = isolatedEnv({ KV_WRITE_GAP_MS: '0' });
    const keep = uniq('keep');
    const gone = uniq('gone');
    await addSource(env, 'keeper', await setRound(keep, 'k', 0), ['news']);
    const goneUrl = await setRound(gone, 'g', 0);
    const kept = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      await setRound(keep, 'k', round);
      await setRound(gone, 'g', round);
      kept.add(`Story ${round} from source k`);
      // Registered again each round (a new incarnation under the same id), then removed while a forced poll runs.
      await addSource(env, 'leaver', goneUrl, ['news', 'local']);
      const delay = (round * 7) % 40;
      await Promise.all([
        poll(env, 'force=1'),
        new Promise((resolve) => setTimeout(resolve, delay)).then(async () =>
          expect((await call(env, '/admin/sources/leaver', { method: 'DELETE' })).status).toBe(200),
        ),
      ]);
      const news = await (await call(env, '/feeds/news.json?limit=300')).json<JsonFeed>();
      const leftovers = news.items.filter((i) => i._tributary?.sources.some((s) => s.id === 'leaver'));
      expect(
        leftovers.map((i) => i.title),
        `round ${round}`,
      ).toEqual([]);
    }
    for (const slug of ['news', 'all']) {
      const titles = await riverTitles(env, slug);
      expect(
        titles.filter((t) => t.endsWith('source g')),
        slug,
      ).toEqual([]);
      expect(new Set(titles), slug).toEqual(kept);
      expect(titles.length, slug).toBe(kept.size);
    }
    expect(await riverTitles(env, 'local')).toEqual([]);
  }, 240_000);
});
