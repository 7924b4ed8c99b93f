// Real documents from other projects' test suites (test/fixtures/corpus, each with its licence): formats and shapes
// a reader must take as feedparser does.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ingestFeed } from '../../src/ingest/index';

async function ingestCorpusFile(path: string) {
  const res = await fetch(`${env.FIXTURE_ORIGIN}/files/corpus/${path}`);
  expect(res.status).toBe(200);
  const result = await ingestFeed(new Uint8Array(await res.arrayBuffer()), {
    url: `https://feeds.example/${path}`,
    fetchedAt: '2026-11-24T12:00:00Z',
    sourceId: 'corpus',
  });
  if (!result.ok) throw new Error(result.reason);
  return result.feed;
}

describe('documents feedparser reads', () => {
  it.each([
    // [file, items, first title, first link]: feedparser's counts, but for the nested file's ten empty `<item />`s
    // (feedparser lists them as entries with nothing in them; readers show nothing for them, and neither do we).
    ['rust-syndication-rss/rss090.xml', 5, 'New Status Updates', 'http://www.mozilla.org/status/'],
    ['node-feedparser/illegally-nested.xml', 10, 'My Professional Armchair Analysis of CES', undefined],
  ])('%s: %i items', async (file, count, firstTitle, firstLink) => {
    const feed = await ingestCorpusFile(file);
    expect(feed.items).toHaveLength(count);
    expect(feed.items[0].title).toBe(firstTitle);
    if (firstLink) expect(feed.items[0].url).toBe(firstLink);
    expect(new Set(feed.items.map((i) => i.title)).size).toBe(count);
  });

  it('keeps an item illegally nested in another as an item of its own', async () => {
    const doc = `<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>
<item><title>Outer story with a nested one</title><link>https://n.test/1</link>
  <item><title>Inner story the feed nested</title><link>https://n.test/2</link></item>
</item><item><title>Third story after them</title><link>https://n.test/3</link></item></channel></rss>`;
    const r = await ingestFeed(new TextEncoder().encode(doc), { url: 'https://n.test/feed', fetchedAt: '2026-11-24T12:00:00Z', sourceId: 'n' });
    if (!r.ok) throw new Error(r.reason);
    expect(r.feed.items.map((i) => [i.title, i.url])).toEqual([
      ['Outer story with a nested one', 'https://n.test/1'],
      ['Inner story the feed nested', 'https://n.test/2'],
      ['Third story after them', 'https://n.test/3'],
    ]);
  });

  it('reads RSS 0.90 in the channel.netscape.com namespace as RSS 0.90', async () => {
    const feed = await ingestCorpusFile('rust-syndication-rss/rss090.xml');
    expect(feed.meta.format).toBe('rdf');
    expect(feed.meta.version).toBe('0.90');
    expect(feed.meta.title).toBe('Mozilla Dot Org');
  });
});
