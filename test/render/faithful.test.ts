// What the source gave, and only that: every enclosure stays one (an image used as the item's image too), and a date
// the source never gave is presented as no publication date, in every format.
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { River } from '../../src/model';
import { renderAtom } from '../../src/render/atom';
import { renderRiverPage } from '../../src/render/html';
import { renderJsonFeed } from '../../src/render/jsonfeed';
import { renderRss } from '../../src/render/rss';
import { renderContext, river as sample, riverItem } from './sample-river';

const photo = riverItem({
  key: 'aa00aa00aa00aa00',
  sourceId: 'thai-news',
  title: 'ภาพข่าว: โคมยี่เป็งลอยเหนือเชียงใหม่',
  url: 'https://news.example.th/photo/1',
  image: 'https://news.example.th/img/lantern.jpg',
  enclosures: [
    { url: 'https://news.example.th/img/lantern.jpg', type: 'image/jpeg', length: 52_000, medium: 'image' },
    { url: 'https://news.example.th/img/lantern-2.jpg', type: 'image/jpeg' },
  ],
});
const undated = riverItem({
  key: 'bb11bb11bb11bb11',
  sourceId: 'thai-news',
  title: 'An item its feed gave no date',
  url: 'https://news.example.th/undated',
  publishedAt: '2025-03-02T05:00:00.000Z',
  firstSeenAt: '2025-03-02T05:00:00.000Z',
  dateGuessed: true,
});
const river: River = { ...sample, items: [photo, undated] };
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['item', 'entry', 'link', 'enclosure'].includes(name) });

describe('faithful to the source', () => {
  it('keeps every enclosure, the image one too, in JSON Feed, Atom and RSS', () => {
    const json = JSON.parse(renderJsonFeed(river, river.items, renderContext('news', 'json')));
    expect(json.items[0].image).toBe('https://news.example.th/img/lantern.jpg');
    expect(json.items[0].attachments.map((a: { url: string }) => a.url)).toEqual([
      'https://news.example.th/img/lantern.jpg',
      'https://news.example.th/img/lantern-2.jpg',
    ]);
    const atom = xml.parse(renderAtom(river, river.items, renderContext('news', 'atom')));
    const enclosures = atom.feed.entry[0].link.filter((l: { '@rel': string }) => l['@rel'] === 'enclosure').map((l: { '@href': string }) => l['@href']);
    expect(enclosures).toHaveLength(2);
    const rss = xml.parse(renderRss(river, river.items, renderContext('news', 'rss')));
    expect(rss.rss.channel.item[0].enclosure.map((e: { '@url': string }) => e['@url'])).toEqual(['https://news.example.th/img/lantern.jpg']);
  });

  it('gives no publication date the source did not give; Atom keeps the required <updated>', () => {
    const json = JSON.parse(renderJsonFeed(river, river.items, renderContext('news', 'json')));
    expect(json.items[0].date_published).toBeDefined();
    expect(json.items[1].date_published).toBeUndefined();
    expect(json.items[1].date_modified).toBeUndefined();
    const atom = xml.parse(renderAtom(river, river.items, renderContext('news', 'atom')));
    expect(atom.feed.entry[1].published).toBeUndefined();
    expect(atom.feed.entry[1].updated).toBe('2025-03-02T05:00:00Z');
    const rss = xml.parse(renderRss(river, river.items, renderContext('news', 'rss')));
    expect(rss.rss.channel.item[0].pubDate).toBeDefined();
    expect(rss.rss.channel.item[1].pubDate).toBeUndefined();
    const page = renderRiverPage(river, river.items, { ...renderContext('news', 'json'), selfUrl: 'https://t.test/c/news' });
    expect(page).toMatch(/seen <\/span>/);
  });
});
