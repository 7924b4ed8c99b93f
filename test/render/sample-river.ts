// Rivers for the render tests: Thai and Vietnamese news, a story carried by three sources,
// podcast enclosures, and items built from hostile strings.

import type { RenderContext, River, RiverItem, SourceRef } from '../../src/model';

export const thaiSource: SourceRef = {
  id: 'thai-news',
  title: 'ข่าวไทยรายวัน',
  feedUrl: 'https://news.example.th/rss.xml',
  siteUrl: 'https://news.example.th/',
  itemKey: 'a1b2c3d4e5f60718',
  publishedAt: '2025-03-01T09:30:00.000Z',
};
export const vietSource: SourceRef = {
  id: 'viet-news',
  title: 'Tin tức Việt Nam',
  feedUrl: 'https://tin.example.vn/feed.atom',
  siteUrl: 'https://tin.example.vn/',
  itemKey: '0f1e2d3c4b5a6978',
  publishedAt: '2025-03-01T07:15:00.000Z',
};
export const wireSource: SourceRef = {
  id: 'wire',
  title: 'Wire & Co <Asia>',
  feedUrl: 'https://wire.example.com/asia.json?a=1&b=2',
  itemUrl: 'https://wire.example.com/story/42?utm_source=x&ref=y',
  itemKey: '1122334455667788',
  publishedAt: '2025-03-01T10:00:00.000Z',
};
export const podcastSource: SourceRef = {
  id: 'podcast',
  title: 'Podcast ฟังสบาย',
  feedUrl: 'https://pod.example.org/feed.rss',
  itemKey: '9988776655443322',
  publishedAt: '2025-02-28T00:00:00.000Z',
};

export function riverItem(overrides: Partial<RiverItem> & Pick<RiverItem, 'key' | 'sourceId' | 'title'>): RiverItem {
  return {
    publishedAt: '2025-03-01T08:00:00.000Z',
    firstSeenAt: '2025-03-01T08:05:00.000Z',
    authors: [],
    tags: [],
    enclosures: [],
    contentHash: `hash-${overrides.key}`,
    sources: [thaiSource],
    ...overrides,
  };
}

export const thaiItem = riverItem({
  key: 'a1b2c3d4e5f60718',
  sourceId: 'thai-news',
  guid: 'https://news.example.th/2025/03/01/flood',
  guidIsPermaLink: true,
  url: 'https://news.example.th/2025/03/01/flood',
  title: 'น้ำท่วมกรุงเทพฯ: ประชาชนอพยพ ๓,๐๐๐ คน',
  summaryHtml: '<p>ฝนตกหนัก <b>ต่อเนื่อง</b> ทำให้น้ำท่วม &amp; การจราจรติดขัด</p>',
  contentHtml: '<p>ฝนตกหนักต่อเนื่องสามวัน</p><p>ประชาชนอพยพไปยังศูนย์พักพิง</p>',
  publishedAt: '2025-03-01T09:30:00.000Z',
  updatedAt: '2025-03-01T11:00:00.000Z',
  authors: ['สมชาย ใจดี'],
  tags: ['น้ำท่วม', 'กรุงเทพฯ'],
  image: 'https://news.example.th/img/flood.jpg',
  language: 'th',
  sources: [thaiSource, vietSource, wireSource],
});

export const vietItem = riverItem({
  key: '0f1e2d3c4b5a6978',
  sourceId: 'viet-news',
  guid: 'tag:tin.example.vn,2025:bai-viet-1',
  guidIsPermaLink: false,
  url: 'https://tin.example.vn/bai-viet/kinh-te',
  title: 'Kinh tế Việt Nam tăng trưởng 7% – Người dân phấn khởi',
  summaryHtml: '<p>Tổng cục Thống kê công bố số liệu quý I: tăng trưởng đạt 7,1%.</p>',
  publishedAt: '2025-03-01T07:15:00.000Z',
  authors: [],
  tags: ['Kinh tế'],
  language: 'vi',
  sources: [vietSource],
});

export const podcastItem = riverItem({
  key: '9988776655443322',
  sourceId: 'podcast',
  guid: '1',
  guidIsPermaLink: false,
  title: 'ตอนที่ 1: เริ่มต้น',
  summaryHtml: '<p>ตอนแรกของรายการ</p>',
  publishedAt: '2025-02-28T00:00:00.000Z',
  enclosures: [
    { url: 'https://pod.example.org/ep1.mp3', type: 'audio/mpeg', length: 12345678, medium: 'audio' },
    { url: 'https://pod.example.org/ep1-cover.png', medium: 'image' },
  ],
  comments: 'https://pod.example.org/ep1#comments',
  sources: [podcastSource],
});

/** A second item with the same source guid "1" from another source: ids must still be unique. */
export const collidingGuidItem = riverItem({
  key: '1122334455667788',
  sourceId: 'wire',
  guid: '1',
  guidIsPermaLink: false,
  url: 'https://wire.example.com/story/1',
  title: 'Wire story one',
  publishedAt: '2025-02-27T00:00:00.000Z',
  sources: [wireSource],
});

/** Every string a feed can throw at us: CDATA terminators, NUL, non-characters, lone surrogates, markup. */
export const HOSTILE = '<script>alert("x")</script> ]]> & \u0000\u0001\u000B\uFFFE\uFFFF \uD800 lone \uDC00 ok 😀 \u0085 done';

export const hostileItem = riverItem({
  key: 'hostile]]>key',
  sourceId: 'evil',
  guid: 'guid ]]> <b>&',
  guidIsPermaLink: false,
  url: 'https://evil.example/a?x=1&y=<2>',
  title: HOSTILE,
  summaryHtml: `<p>${'ok ]]> <![CDATA[ nested ]]>'}\u0000</p>`,
  contentHtml: '<p>]]]]><![CDATA[>\uFFFE</p>',
  publishedAt: 'not a date',
  firstSeenAt: '2025-03-01T06:00:00.000Z',
  updatedAt: '+275760-09-13T00:00:00.000Z',
  authors: [HOSTILE],
  tags: [HOSTILE, ''],
  image: 'https://evil.example/i.png?a=1&b="2"',
  language: 'th"><x',
  comments: 'https://evil.example/c?x=1&y=2',
  enclosures: [{ url: 'https://evil.example/e.bin?a=1&b=2', type: 'not a type', length: -5 }],
  sources: [
    { id: 'evil', title: HOSTILE, feedUrl: 'https://evil.example/feed?x=1&y=2', siteUrl: 'https://evil.example/"q"', itemKey: 'x', publishedAt: 'never' },
    { id: 'evil2', title: ']]>', feedUrl: 'https://evil2.example/feed', itemUrl: 'https://evil2.example/a]]>b', itemKey: 'y', publishedAt: '' },
  ],
});

export const river: River = {
  slug: 'asia',
  title: 'ข่าวเอเชีย – Tin châu Á',
  description: 'Thai & Vietnamese news <merged>',
  language: 'th',
  updatedAt: '2025-03-01T12:00:00.000Z',
  version: 'v-asia',
  items: [thaiItem, vietItem, podcastItem, collidingGuidItem],
};

export const emptyRiver: River = {
  slug: 'empty',
  title: 'Empty',
  updatedAt: '2025-03-01T12:00:00.000Z',
  version: 'v-empty',
  items: [],
};

export function renderContext(slug: string, format: 'rss' | 'atom' | 'json', overrides: Partial<RenderContext> = {}): RenderContext {
  return {
    selfUrl: `https://tributary.test/feeds/${slug}.${format}`,
    htmlUrl: `https://tributary.test/c/${slug}`,
    baseUrl: 'https://tributary.test',
    ttlMinutes: 15,
    generator: 'Tributary 0.1.0',
    ...overrides,
  };
}
