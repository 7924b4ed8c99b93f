// Our own output read back by our own ingest (decode → parse → normalize) gives the items we rendered.
import { describe, expect, it } from 'vitest';
import type { ItemDraft, RenderContext, River, RiverItem } from '../../src/model';
import { ingestFeed } from '../../src/ingest';
import { renderAtom } from '../../src/render/atom';
import { renderJsonFeed } from '../../src/render/jsonfeed';
import { renderRss } from '../../src/render/rss';
import { hostileItem, podcastItem, renderContext, river, thaiItem, vietItem } from './sample-river';

const FORMATS: [string, (r: River, i: RiverItem[], c: RenderContext) => string, 'rss' | 'atom' | 'json', string][] = [
  ['RSS', renderRss, 'rss', 'application/rss+xml; charset=utf-8'],
  ['Atom', renderAtom, 'atom', 'application/atom+xml; charset=utf-8'],
  ['JSON Feed', renderJsonFeed, 'json', 'application/feed+json; charset=utf-8'],
];

async function readBack(
  render: (r: River, i: RiverItem[], c: RenderContext) => string,
  format: 'rss' | 'atom' | 'json',
  contentType: string,
  items: RiverItem[],
) {
  const ctx = renderContext('asia', format);
  const body = new TextEncoder().encode(render(river, items, ctx));
  const result = await ingestFeed(body, { contentType, url: ctx.selfUrl, fetchedAt: '2025-03-02T00:00:00.000Z', sourceId: 'roundtrip' });
  if (!result.ok) throw new Error(result.reason);
  return result.feed;
}

describe.each(FORMATS)('%s through our own ingest', (_name, render, format, contentType) => {
  it('gives back the feed facts and every item', async () => {
    const feed = await readBack(render, format, contentType, [thaiItem, vietItem, podcastItem]);
    expect(feed.meta.title).toBe(river.title);
    expect(feed.meta.link).toBe('https://tributary.test/c/asia');
    expect(feed.meta.language).toBe('th');
    expect(feed.items).toHaveLength(3);
    const [thai, viet, podcast] = feed.items as ItemDraft[];

    expect(thai.title).toBe(thaiItem.title);
    expect(thai.url).toBe(thaiItem.url);
    expect(thai.guid).toBe(thaiItem.guid);
    expect(Date.parse(thai.publishedAt)).toBe(Date.parse(thaiItem.publishedAt));
    expect(thai.authors).toEqual(thaiItem.authors);
    expect(thai.tags).toEqual(thaiItem.tags);
    expect(thai.image).toBe(thaiItem.image);
    expect(thai.contentHtml).toBe(thaiItem.contentHtml);

    expect(viet.title).toBe(vietItem.title);
    expect(viet.url).toBe(vietItem.url);
    expect(Date.parse(viet.publishedAt)).toBe(Date.parse(vietItem.publishedAt));
    expect(viet.language ?? 'vi').toBe('vi');
    expect(viet.summaryHtml ?? viet.contentHtml).toBe(vietItem.summaryHtml);

    expect(podcast.title).toBe(podcastItem.title);
    expect(podcast.enclosures.map((e) => e.url)).toContain('https://pod.example.org/ep1.mp3');
    const audio = podcast.enclosures.find((e) => e.url === 'https://pod.example.org/ep1.mp3');
    expect(audio?.type).toBe('audio/mpeg');
    expect(audio?.length).toBe(12345678);
  });

  it('reads hostile items back as the same text, minus what XML cannot carry', async () => {
    const feed = await readBack(render, format, contentType, [hostileItem]);
    expect(feed.items).toHaveLength(1);
    const [item] = feed.items;
    // An RSS <title> is ambiguous (readers, ours included, take markup in it as HTML); Atom and JSON say "text".
    if (format !== 'rss') expect(item.title).toContain('<script>alert("x")</script> ]]> &');
    expect(item.title).toContain(']]> &');
    expect(item.title).toContain('😀');
    expect(item.title).not.toMatch(/[\u0000\uFFFE\uFFFF]|[\uD800-\uDFFF]/u);
    expect(item.url).toBe('https://evil.example/a?x=1&y=%3C2%3E');
  });
});
