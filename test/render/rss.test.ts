import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderRss } from '../../src/render/rss';
import { stripInvalidXmlChars } from '../../src/render/xml';
import { collidingGuidItem, emptyRiver, HOSTILE, hostileItem, podcastItem, renderContext, river, riverItem, thaiItem, vietItem } from './sample-river';
import { expectWellFormed, parseXml, text } from './xml-check';

const RFC822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function channelOf(xml: string) {
  expectWellFormed(xml);
  return parseXml(xml).rss.channel;
}

describe('renderRss', () => {
  const ctx = renderContext('asia', 'rss', {
    nextUrl: 'https://tributary.test/feeds/asia.rss?before=c1',
    websubHub: 'https://hub.example/',
  });

  it('renders the channel: self, hub and next links, language, ttl, lastBuildDate', () => {
    const xml = renderRss(river, river.items, ctx);
    const channel = channelOf(xml);
    expect(parseXml(xml).rss['@version']).toBe('2.0');
    expect(channel.title).toBe('ข่าวเอเชีย – Tin châu Á');
    expect(channel.link).toBe('https://tributary.test/c/asia');
    expect(channel.description).toBe('Thai & Vietnamese news <merged>');
    expect(channel.language).toBe('th');
    expect(channel.ttl).toBe('15');
    expect(channel.lastBuildDate).toBe('Sat, 01 Mar 2025 12:00:00 GMT');
    const links = Object.fromEntries(channel['atom:link'].map((l: Record<string, string>) => [l['@rel'], l['@href']]));
    expect(links).toEqual({
      self: 'https://tributary.test/feeds/asia.rss',
      hub: 'https://hub.example/',
      next: 'https://tributary.test/feeds/asia.rss?before=c1',
    });
    expect(channel.item).toHaveLength(4);
  });

  it('leaves out hub and next when there are none', () => {
    const channel = channelOf(renderRss(river, river.items, renderContext('asia', 'rss')));
    expect(channel['atom:link'].map((l: Record<string, string>) => l['@rel'])).toEqual(['self']);
  });

  it('renders a Thai item with its body, creator, categories, thumbnail and every source', () => {
    const [item] = channelOf(renderRss(river, [thaiItem], ctx)).item;
    expect(item.title).toBe(thaiItem.title);
    expect(item.link).toBe(thaiItem.url);
    expect(text(item.guid)).toBe(thaiItem.guid);
    expect(item.guid['@isPermaLink']).toBe('true');
    expect(item.pubDate).toBe('Sat, 01 Mar 2025 09:30:00 GMT');
    expect(item.description).toBe(thaiItem.summaryHtml);
    expect(item['content:encoded']).toBe(thaiItem.contentHtml);
    expect(item['dc:creator']).toBe('สมชาย ใจดี');
    expect(item.category).toEqual(['น้ำท่วม', 'กรุงเทพฯ']);
    expect(item['media:thumbnail']['@url']).toBe(thaiItem.image);
    expect(item.source['@url']).toBe('https://news.example.th/rss.xml');
    expect(text(item.source)).toBe('ข่าวไทยรายวัน');
    expect(item['tributary:source'].map((s: Record<string, string>) => [s['@url'], text(s)])).toEqual([
      ['https://tin.example.vn/feed.atom', 'Tin tức Việt Nam'],
      ['https://wire.example.com/asia.json?a=1&b=2', 'Wire & Co <Asia>'],
    ]);
    expect(item['tributary:source'][1]['@link']).toBe('https://wire.example.com/story/42?utm_source=x&ref=y');
  });

  it('names the source as creator when the item has no author, and marks other-language items', () => {
    const [item] = channelOf(renderRss(river, [vietItem], ctx)).item;
    expect(item['dc:creator']).toBe('Tin tức Việt Nam');
    expect(item['dc:language']).toBe('vi');
    expect(item.guid['@isPermaLink']).toBe('false');
  });

  it('renders one enclosure plus media:content for every file', () => {
    const [item] = channelOf(renderRss(river, [podcastItem], ctx)).item;
    expect(item.enclosure).toEqual({ '@url': 'https://pod.example.org/ep1.mp3', '@length': '12345678', '@type': 'audio/mpeg' });
    expect(item['media:content'].map((m: Record<string, string>) => m['@url'])).toEqual([
      'https://pod.example.org/ep1.mp3',
      'https://pod.example.org/ep1-cover.png',
    ]);
    expect(item.comments).toBe('https://pod.example.org/ep1#comments');
    expect(item.link).toBeUndefined();
  });

  it('gives items whose sources reuse the same guid distinct guids', () => {
    const items = channelOf(renderRss(river, [podcastItem, collidingGuidItem], ctx)).item;
    const guids = items.map((i: { guid: unknown }) => text(i.guid));
    expect(new Set(guids).size).toBe(2);
  });

  it('stays well-formed with hostile strings and keeps them as text', () => {
    const xml = renderRss(river, [hostileItem], ctx);
    expect(xml).not.toContain('<script>');
    const [item] = channelOf(xml).item;
    const clean = stripInvalidXmlChars(HOSTILE);
    expect(item.title).toBe(clean);
    expect(item['dc:creator']).toBe(clean);
    expect(item.category).toEqual([clean]);
    expect(item.description).toBe('<p>ok ]]> <![CDATA[ nested ]]></p>');
    expect(item['content:encoded']).toBe('<p>]]]]><![CDATA[></p>');
    expect(item.link).toBe('https://evil.example/a?x=1&y=<2>');
    // An unparseable publishedAt falls back to when the river first saw the item.
    expect(item.pubDate).toBe('Sat, 01 Mar 2025 06:00:00 GMT');
    expect(item.enclosure['@length']).toBe('0');
    expect(item.enclosure['@type']).toBe('application/octet-stream');
  });

  it('renders an empty river as a valid channel', () => {
    const channel = channelOf(renderRss(emptyRiver, [], renderContext('empty', 'rss')));
    expect(channel.title).toBe('Empty');
    expect(channel.description).toBe('Empty');
    expect(channel.item).toBeUndefined();
    expect(channel.language).toBeUndefined();
  });

  it('is well-formed with valid dates for any strings and dates', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.oneof(
          fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'garbage' : d.toISOString())),
          fc.string(),
        ),
        (title, body, date) => {
          const item = riverItem({ key: 'k', sourceId: 's', title, summaryHtml: body, publishedAt: date, authors: [title], tags: [body] });
          const [parsed] = channelOf(renderRss(river, [item], ctx)).item;
          expect(parsed.pubDate).toMatch(RFC822);
          expect(parsed.title ?? '').toBe(stripInvalidXmlChars(title));
        },
      ),
      { numRuns: 150 },
    );
  });
});
