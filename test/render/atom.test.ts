import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderAtom } from '../../src/render/atom';
import { stripInvalidXmlChars } from '../../src/render/xml';
import { collidingGuidItem, emptyRiver, HOSTILE, hostileItem, podcastItem, renderContext, river, riverItem, thaiItem, vietItem } from './sample-river';
import { expectWellFormed, parseXml, text } from './xml-check';

// xsd:dateTime in UTC, as RFC 3339 and the Atom schema want.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function feedOf(xml: string) {
  expectWellFormed(xml);
  return parseXml(xml).feed;
}

function linksByRel(links: Record<string, string>[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const link of links) (out[link['@rel']] ??= []).push(link['@href']);
  return out;
}

describe('renderAtom', () => {
  const ctx = renderContext('asia', 'atom', {
    nextUrl: 'https://tributary.test/feeds/asia.atom?before=c1',
    websubHub: 'https://hub.example/',
  });

  it('renders the feed head: id, updated, xml:lang, author and self/alternate/next/hub links', () => {
    const feed = feedOf(renderAtom(river, river.items, ctx));
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed['@xml:lang']).toBe('th');
    expect(feed.id).toBe('https://tributary.test/feeds/asia.atom');
    expect(text(feed.title)).toBe('ข่าวเอเชีย – Tin châu Á');
    expect(text(feed.subtitle)).toBe('Thai & Vietnamese news <merged>');
    expect(feed.updated).toBe('2025-03-01T12:00:00Z');
    expect(feed.author[0].name).toBe('ข่าวเอเชีย – Tin châu Á');
    expect(linksByRel(feed.link)).toEqual({
      self: ['https://tributary.test/feeds/asia.atom'],
      alternate: ['https://tributary.test/c/asia'],
      next: ['https://tributary.test/feeds/asia.atom?before=c1'],
      hub: ['https://hub.example/'],
    });
    expect(feed.entry).toHaveLength(4);
  });

  it('keeps the same feed id on every page', () => {
    const first = feedOf(renderAtom(river, river.items, renderContext('asia', 'atom')));
    const older = feedOf(
      renderAtom(river, river.items.slice(2), renderContext('asia', 'atom', { selfUrl: 'https://tributary.test/feeds/asia.atom?before=c1' })),
    );
    expect(older.id).toBe(first.id);
  });

  it('renders a Thai entry with escaped HTML summary and content, categories and the original feed as <source>', () => {
    const [entry] = feedOf(renderAtom(river, [thaiItem], ctx)).entry;
    expect(entry.id).toBe(thaiItem.guid);
    expect(text(entry.title)).toBe(thaiItem.title);
    expect(entry.published).toBe('2025-03-01T09:30:00Z');
    expect(entry.updated).toBe('2025-03-01T11:00:00Z');
    expect(entry.summary['@type']).toBe('html');
    expect(text(entry.summary)).toBe(thaiItem.summaryHtml);
    expect(entry.content['@type']).toBe('html');
    expect(text(entry.content)).toBe(thaiItem.contentHtml);
    expect(entry.author.map((a: { name: string }) => a.name)).toEqual(['สมชาย ใจดี']);
    expect(entry.category.map((c: Record<string, string>) => c['@term'])).toEqual(['น้ำท่วม', 'กรุงเทพฯ']);
    expect(entry['@xml:lang']).toBeUndefined(); // same as the feed's
    const source = entry.source;
    expect(source.id).toBe('https://news.example.th/rss.xml');
    expect(text(source.title)).toBe('ข่าวไทยรายวัน');
    expect(linksByRel(source.link)).toEqual({ self: ['https://news.example.th/rss.xml'], alternate: ['https://news.example.th/'] });
    const links = linksByRel(entry.link);
    expect(links.alternate).toEqual([thaiItem.url]);
    expect(links.via).toEqual(['https://tin.example.vn/', 'https://wire.example.com/story/42?utm_source=x&ref=y']);
    expect(entry['tributary:source'].map((s: Record<string, string>) => s['@url'])).toEqual([
      'https://tin.example.vn/feed.atom',
      'https://wire.example.com/asia.json?a=1&b=2',
    ]);
  });

  it('falls back to the source title as author and sets xml:lang for another language', () => {
    const [entry] = feedOf(renderAtom(river, [vietItem], ctx)).entry;
    expect(entry.author.map((a: { name: string }) => a.name)).toEqual(['Tin tức Việt Nam']);
    expect(entry['@xml:lang']).toBe('vi');
    expect(entry.id).toBe('tag:tributary,2025:viet-news/0f1e2d3c4b5a6978');
    // No content of its own, but an alternate link: the summary is enough.
    expect(entry.content).toBeUndefined();
  });

  it('renders enclosures as rel="enclosure" and gives a linkless entry content', () => {
    const [entry] = feedOf(renderAtom(river, [podcastItem], ctx)).entry;
    const enclosures = entry.link.filter((l: Record<string, string>) => l['@rel'] === 'enclosure');
    expect(enclosures[0]).toEqual({ '@rel': 'enclosure', '@href': 'https://pod.example.org/ep1.mp3', '@type': 'audio/mpeg', '@length': '12345678' });
    expect(enclosures).toHaveLength(2);
    expect(linksByRel(entry.link).replies).toEqual(['https://pod.example.org/ep1#comments']);
    expect(linksByRel(entry.link).alternate).toBeUndefined();
    expect(text(entry.content)).toBe(podcastItem.summaryHtml);
  });

  it('gives entries whose sources reuse the same guid distinct ids', () => {
    const entries = feedOf(renderAtom(river, [podcastItem, collidingGuidItem], ctx)).entry;
    expect(entries[0].id).not.toBe(entries[1].id);
  });

  it('stays well-formed with hostile strings, dates and language tags', () => {
    const xml = renderAtom(river, [hostileItem], ctx);
    expect(xml).not.toContain('<script>');
    const [entry] = feedOf(xml).entry;
    const clean = stripInvalidXmlChars(HOSTILE);
    expect(text(entry.title)).toBe(clean);
    expect(entry.author[0].name).toBe(clean);
    expect(entry.published).toBe('2025-03-01T06:00:00Z');
    // A date past year 9999 cannot be written as xsd:dateTime: updated falls back to published.
    expect(entry.updated).toBe('2025-03-01T06:00:00Z');
    expect(entry['@xml:lang']).toBeUndefined();
    const enclosure = entry.link.find((l: Record<string, string>) => l['@rel'] === 'enclosure');
    expect(enclosure['@type']).toBeUndefined();
    expect(enclosure['@length']).toBeUndefined();
    expect(text(entry.source.title)).toBe(clean);
  });

  it('renders an empty river as a valid feed with a feed-level author', () => {
    const xml = renderAtom(emptyRiver, [], renderContext('empty', 'atom'));
    const feed = feedOf(xml);
    expect(feed.entry).toBeUndefined();
    expect(feed.author).toHaveLength(1);
    expect(feed['@xml:lang']).toBeUndefined();
    expect(xml).not.toContain('xml:lang=""');
  });

  it('writes only RFC 3339 dates whatever the item dates are', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: -1e15, max: 1e15 }), (title, published, millis) => {
        const item = riverItem({ key: 'k', sourceId: 's', title, publishedAt: published, updatedAt: new Date(millis).toISOString() });
        const [entry] = feedOf(renderAtom(river, [item], ctx)).entry;
        expect(entry.published).toMatch(RFC3339);
        expect(entry.updated).toMatch(RFC3339);
        expect(Date.parse(entry.updated)).toBeGreaterThanOrEqual(Date.parse(entry.published));
      }),
      { numRuns: 150 },
    );
  });
});
