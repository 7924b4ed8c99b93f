import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonString, renderJsonFeed } from '../../src/render/jsonfeed';
import { stripInvalidXmlChars } from '../../src/render/xml';
import { collidingGuidItem, emptyRiver, HOSTILE, hostileItem, podcastItem, renderContext, river, riverItem, thaiItem, vietItem } from './sample-river';
import { FORBIDDEN_XML_CHAR } from './xml-check';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON Feed, read field by field by the assertions
function feedOf(json: string): any {
  const feed = JSON.parse(json);
  // The spec's rules the schema cannot express: unique string ids, a body on every item.
  const ids = feed.items.map((i: { id: unknown }) => i.id);
  expect(ids.every((id: unknown) => typeof id === 'string')).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
  for (const item of feed.items) expect('content_html' in item || 'content_text' in item).toBe(true);
  return feed;
}

describe('renderJsonFeed', () => {
  const ctx = renderContext('asia', 'json', {
    nextUrl: 'https://tributary.test/feeds/asia.json?before=c1',
    websubHub: 'https://hub.example/',
  });

  it('renders the top level: version, urls, next_url, authors, language, hubs', () => {
    const feed = feedOf(renderJsonFeed(river, river.items, ctx));
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'ข่าวเอเชีย – Tin châu Á',
      home_page_url: 'https://tributary.test/c/asia',
      feed_url: 'https://tributary.test/feeds/asia.json',
      description: 'Thai & Vietnamese news <merged>',
      next_url: 'https://tributary.test/feeds/asia.json?before=c1',
      language: 'th',
      authors: [{ name: 'ข่าวเอเชีย – Tin châu Á', url: 'https://tributary.test/c/asia' }],
      hubs: [{ type: 'WebSub', url: 'https://hub.example/' }],
    });
    expect(feed.items).toHaveLength(4);
  });

  it('renders a Thai item with content, image, tags, authors and every source in _tributary', () => {
    const [item] = feedOf(renderJsonFeed(river, [thaiItem], ctx)).items;
    expect(item).toEqual({
      id: thaiItem.guid,
      url: thaiItem.url,
      title: thaiItem.title,
      content_html: thaiItem.contentHtml,
      image: thaiItem.image,
      date_published: '2025-03-01T09:30:00Z',
      date_modified: '2025-03-01T11:00:00Z',
      authors: [{ name: 'สมชาย ใจดี' }],
      tags: ['น้ำท่วม', 'กรุงเทพฯ'],
      language: 'th',
      _tributary: {
        first_seen: thaiItem.firstSeenAt,
        sources: [
          { id: 'thai-news', title: 'ข่าวไทยรายวัน', feed_url: 'https://news.example.th/rss.xml', home_page_url: 'https://news.example.th/' },
          { id: 'viet-news', title: 'Tin tức Việt Nam', feed_url: 'https://tin.example.vn/feed.atom', home_page_url: 'https://tin.example.vn/' },
          {
            id: 'wire',
            title: 'Wire & Co <Asia>',
            feed_url: 'https://wire.example.com/asia.json?a=1&b=2',
            url: 'https://wire.example.com/story/42?utm_source=x&ref=y',
          },
        ],
      },
    });
  });

  it('uses the summary as content_html when there is no content, and the source as author', () => {
    const [item] = feedOf(renderJsonFeed(river, [vietItem], ctx)).items;
    expect(item.content_html).toBe(vietItem.summaryHtml);
    expect(item.authors).toEqual([{ name: 'Tin tức Việt Nam' }]);
    expect(item.language).toBe('vi');
    expect(item.date_modified).toBeUndefined();
  });

  it('lists attachments with a mime type, except the image shown as the item image', () => {
    const [item] = feedOf(renderJsonFeed(river, [podcastItem], ctx)).items;
    expect(item.attachments).toEqual([
      { url: 'https://pod.example.org/ep1.mp3', mime_type: 'audio/mpeg', size_in_bytes: 12345678 },
      { url: 'https://pod.example.org/ep1-cover.png', mime_type: 'image/png' },
    ]);
    expect(item.url).toBeUndefined();
    expect(item._tributary.comments).toBe('https://pod.example.org/ep1#comments');
  });

  it('gives items whose sources reuse the same guid distinct ids', () => {
    feedOf(renderJsonFeed(river, [podcastItem, collidingGuidItem, podcastItem], ctx));
  });

  it('drops characters that are not text from every string', () => {
    const json = renderJsonFeed(river, [hostileItem], ctx);
    expect(json).not.toMatch(/\\u0000|\\ud[89a-f][0-9a-f]{2}/i);
    const [item] = feedOf(json).items;
    const clean = stripInvalidXmlChars(HOSTILE);
    expect(item.title).toBe(clean);
    expect(item.authors).toEqual([{ name: clean }]);
    expect(item.tags).toEqual([clean]);
    expect(item._tributary.sources[0].title).toBe(clean);
    expect(item.content_html).toBe('<p>]]]]><![CDATA[></p>');
    expect(item.date_published).toBe('2025-03-01T06:00:00Z');
    expect(item.language).toBeUndefined();
    expect(item.attachments).toEqual([{ url: 'https://evil.example/e.bin?a=1&b=2', mime_type: 'application/octet-stream' }]);
  });

  it('renders an empty river as a valid feed', () => {
    const feed = feedOf(renderJsonFeed(emptyRiver, [], renderContext('empty', 'json')));
    expect(feed.items).toEqual([]);
    expect(feed.next_url).toBeUndefined();
    expect(feed.language).toBeUndefined();
  });

  it('gives every item text content and valid dates for any input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.option(fc.string({ unit: 'binary' }), { nil: undefined }),
        fc.string(),
        (title, body, date) => {
          const item = riverItem({ key: 'k', sourceId: 's', title, summaryHtml: body, publishedAt: date });
          const json = renderJsonFeed(river, [item], ctx);
          const [parsed] = feedOf(json).items;
          expect(parsed.date_published).toMatch(RFC3339);
          for (const value of [parsed.title, parsed.content_html, parsed.content_text]) {
            if (value !== undefined) expect(FORBIDDEN_XML_CHAR.test(value)).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('quotes any string exactly as JSON.stringify does once forbidden characters are dropped', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(fc.constantFrom('"', '\\', '\n', '\r', '\t', '\u2028', '\u007F', '\u0085', 'ข', 'ệ'), fc.string({ unit: 'binary', maxLength: 2 })),
        }),
        (value) => {
          expect(jsonString(value)).toBe(JSON.stringify(stripInvalidXmlChars(value)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
