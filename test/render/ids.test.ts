// The source's own id is the one readers get (issue 11, point 1): where it is an absolute IRI (URL, tag:, urn:) that
// no other entry of the river serves; else one of ours. Every attributed source's own id rides along.
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { call, fixtureRoute, isolatedEnv, rss } from '../support/kv';

const day = (d: number) => new Date(Date.UTC(2026, 10, d, 8)).toUTCString();
let n = 0;
const uniq = (name: string) => `ids-${name}-${++n}-${Math.random().toString(36).slice(2, 7)}`;
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['item', 'entry', 'tributary:source'].includes(name) });

interface JsonItem {
  id: string;
  title: string;
  _tributary: { sources: { id: string; item_id?: string }[] };
}

describe('item ids', () => {
  it('serve the source’s own absolute id, mint one otherwise, and keep each source’s own id in the attribution', async () => {
    const { env } = isolatedEnv({ KV_WRITE_GAP_MS: '0' });
    const a = await fixtureRoute(uniq('a'), {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('A', [
        { guid: 'https://a.ids.test/story/1', title: 'A story whose guid is its URL', link: 'https://a.ids.test/story/1', date: day(20) },
        { guid: 'tag:a.ids.test,2026:2', title: 'A story with a tag URI for a guid', link: 'https://a.ids.test/story/2', date: day(19) },
        { guid: 'urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427', title: 'A story with a URN for a guid', link: 'https://a.ids.test/story/3', date: day(18) },
        { guid: '12345', title: 'A story whose guid is a bare number', link: 'https://a.ids.test/story/4', date: day(17) },
      ]),
    });
    // B uses A's tag URI for a story of its own (another title, another link): the river serves that id once.
    const b = await fixtureRoute(uniq('b'), {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('B', [
        { guid: 'tag:a.ids.test,2026:2', title: 'Another story that reuses a tag URI', link: 'https://b.ids.test/other', date: day(21) },
        { guid: 'b-77', title: 'A story whose guid is its URL', link: 'https://a.ids.test/story/1?utm_source=b', date: day(22) },
      ]),
    });
    for (const [id, url] of [
      ['a', a],
      ['b', b],
    ])
      expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id, url, categories: ['news'] }) })).status).toBe(201);
    expect((await call(env, '/admin/poll?source=a', { method: 'POST' })).status).toBe(200);
    expect((await call(env, '/admin/poll?source=b', { method: 'POST' })).status).toBe(200);

    const feed = await (await call(env, '/feeds/news.json')).json<{ items: JsonItem[] }>();
    const byTitle = Object.fromEntries(feed.items.map((i) => [i.title, i]));
    expect(byTitle['A story whose guid is its URL'].id).toBe('https://a.ids.test/story/1');
    expect(byTitle['A story with a tag URI for a guid'].id).toBe('tag:a.ids.test,2026:2');
    expect(byTitle['A story with a URN for a guid'].id).toBe('urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427');
    expect(byTitle['A story whose guid is a bare number'].id).toMatch(/^tag:tributary,2025:a\//);
    expect(byTitle['Another story that reuses a tag URI'].id).toMatch(/^tag:tributary,2025:b\//);
    // One story from two sources: one entry, its id unchanged, each source's own id in the attribution.
    const shared = byTitle['A story whose guid is its URL'];
    expect(shared._tributary.sources.map((s) => [s.id, s.item_id])).toEqual([
      ['a', 'https://a.ids.test/story/1'],
      ['b', 'b-77'],
    ]);

    const rssDoc = xml.parse(await (await call(env, '/feeds/news.rss')).text());
    const rssItem = rssDoc.rss.channel.item.find((i: { title: string }) => i.title === 'A story whose guid is its URL');
    expect(rssItem.guid['#text']).toBe('https://a.ids.test/story/1');
    expect(rssItem['tributary:source'].map((s: Record<string, string>) => s['@item-id'])).toEqual(['https://a.ids.test/story/1', 'b-77']);
    const atomDoc = xml.parse(await (await call(env, '/feeds/news.atom')).text());
    const entry = atomDoc.feed.entry.find((e: { title: { '#text': string } }) => e.title['#text'] === 'A story with a URN for a guid');
    expect(entry.id).toBe('urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427');
  });
});
