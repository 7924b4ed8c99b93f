// The invariant the renderers rely on: whatever a feed carries, items that come out of our ingest render to
// well-formed RSS and Atom and to JSON Feed whose strings are usable text — bodies copied as they are, no re-scan needed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { River } from '../../src/model';
import { ingestFeed } from '../../src/ingest';
import { renderAtom } from '../../src/render/atom';
import { renderJsonFeed } from '../../src/render/jsonfeed';
import { renderRss } from '../../src/render/rss';
import { stripInvalidXmlChars } from '../../src/render/xml';
import { assignKeys } from '../../src/river/dedup';
import { mergeRiver } from '../../src/river/merge';
import { renderContext } from './sample-river';
import { expectWellFormed, FORBIDDEN_XML_CHAR, parseXml } from './xml-check';

/** Escapes markup only: every other character, forbidden ones included, goes into the document raw, as hostile feeds do. */
const markupOnly = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Text made of what breaks feeds: controls, lone surrogates, non-characters, C1, `]]>`, quotes, backslashes, Thai/Vietnamese. */
const hostileText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\u0000', '\u0001', '\u0008', '\u000B', '\u000C', '\u001F', '\u007F', '\u0085', '\u0092', '\uFFFE', '\uFFFF', '\uD800', '\uDC00'),
    fc.constantFrom(']]>', ']]', '"', "'", '\\', '\\u0041', '\n', '\r', '\t', '\u2028', '&', '<', '>', '😀', 'ข่าว', 'Tiếng Việt'),
    fc.string({ unit: 'binary', maxLength: 3 }),
  ),
  maxLength: 40,
});

const hostileItem = fc.record({
  title: hostileText,
  body: hostileText,
  cdataBody: fc.boolean(),
  tag: hostileText,
  author: hostileText,
  date: fc.oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
    hostileText,
  ),
});

function rssDocument(items: { title: string; body: string; cdataBody: boolean; tag: string; author: string; date: string }[]): string {
  const entries = items.map(
    (it, i) =>
      `<item><title>${markupOnly(it.title)}</title><link>https://feed.test/${i}?a=1&amp;b="2"</link><guid>g${i}</guid>` +
      // A CDATA body keeps its `]]>` split by the document itself; either way ingest sees the hostile characters.
      `<description>${it.cdataBody ? `<![CDATA[<p>${it.body.replaceAll(']]>', ']]]]><![CDATA[>')}</p>]]>` : markupOnly(`<p title="${it.body}">${it.body}</p>`)}</description>` +
      `<category>${markupOnly(it.tag)}</category><author>${markupOnly(it.author)}</author><pubDate>${markupOnly(it.date)}</pubDate></item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Hostile</title><link>https://feed.test/</link>${entries.join('')}</channel></rss>`;
}

async function riverFrom(doc: string): Promise<River> {
  const result = await ingestFeed(new TextEncoder().encode(doc), {
    contentType: 'application/rss+xml; charset=utf-8',
    url: 'https://feed.test/rss.xml',
    fetchedAt: '2026-01-01T00:00:00.000Z',
    sourceId: 'hostile',
  });
  if (!result.ok) throw new Error(result.reason);
  const { items } = assignKeys('hostile', result.feed.items);
  const source = { id: 'hostile', title: 'Hostile \u0000 source ]]>', feedUrl: 'https://feed.test/rss.xml', siteUrl: 'https://feed.test/' };
  return mergeRiver(null, { slug: 'hostile', title: 'Hostile \uFFFE river', language: 'th' }, [{ source, items, seen: new Set() }], {
    now: '2026-01-01T00:00:00.000Z',
    cap: 500,
  }).river;
}

/** Every string value in a parsed JSON document. */
function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

describe('items from ingest, rendered', () => {
  it('are well-formed in every format, every string kept as stripInvalidXmlChars leaves it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileItem, { minLength: 1, maxLength: 4 }), async (items) => {
        const river = await riverFrom(rssDocument(items));
        expect(river.items.length).toBeGreaterThan(0);

        const rss = renderRss(river, river.items, renderContext('hostile', 'rss'));
        expectWellFormed(rss);
        const atom = renderAtom(river, river.items, renderContext('hostile', 'atom'));
        expectWellFormed(atom);
        const rssItems = [parseXml(rss).rss.channel.item].flat();
        expect(rssItems).toHaveLength(river.items.length);

        const json = renderJsonFeed(river, river.items, renderContext('hostile', 'json'));
        const feed = JSON.parse(json);
        for (const s of stringsOf(feed)) expect(FORBIDDEN_XML_CHAR.test(s), JSON.stringify(s)).toBe(false);
        expect(feed.items).toHaveLength(river.items.length);
        river.items.forEach((item, i) => {
          // Every string comes back as exactly what stripInvalidXmlChars leaves of it (for ingest's output: all of it but
          // DEL), quotes, backslashes and newlines included, whichever path the renderer took.
          expect(feed.items[i].title ?? '').toBe(stripInvalidXmlChars(item.title));
          const body = item.contentHtml || item.summaryHtml;
          if (body) expect(feed.items[i].content_html).toBe(stripInvalidXmlChars(body));
          // XML parsers read a CR in CDATA as LF (end-of-line normalization).
          expect(rssItems[i].description ?? '').toBe(stripInvalidXmlChars(item.summaryHtml || item.contentHtml || '').replace(/\r\n?/g, '\n'));
        });
      }),
      { numRuns: 100 },
    );
  });
});
