// Property tests: whatever bytes arrive, ingest returns a value; whatever comes out renders as well-formed XML.
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { parseFragment, serialize } from 'parse5';
import { describe, expect, it } from 'vitest';
import type { ItemDraft } from '../../src/model';
import { parseDate } from '../../src/ingest/dates';
import { ingestFeed, type IngestResult } from '../../src/ingest/index';
import { sanitizeHtml } from '../../src/ingest/sanitize';
import { LANGUAGE_TAG } from '../../src/patterns';

const opts = { url: 'https://prop.example/feed', fetchedAt: '2026-11-24T12:00:00Z', sourceId: 'p' };

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/**
 * ingestFeed catches what is thrown inside it, so "never throws" holds even over a bug: a bug is what comes back
 * with the code `internal`, and that must never come back. A broken feed is a failure with a reason, no more.
 */
function expectNoBug(r: IngestResult): void {
  if (!r.ok && r.code === 'internal') throw new Error(`a bug, not the feed's fault: ${r.reason}`);
  if (!r.ok) expect(r.reason).toMatch(/\S/);
}

/** Sanitized HTML reads back as itself in an HTML5 parser: nothing in it is implied, moved or dropped. */
function expectHtmlFixedPoint(html: string): void {
  const reparsed = serialize(parseFragment(html));
  if (reparsed !== html) throw new Error(`not a fixed point of HTML5 parsing: ${JSON.stringify(html)} reads back as ${JSON.stringify(reparsed)}`);
}

/** Every field of an item, as a renderer would write it: text escaped, sanitized HTML as escaped text (type="html"). */
function expectRenderable(item: ItemDraft): void {
  const text = [
    item.title,
    item.url,
    item.guid,
    item.publishedAt,
    item.updatedAt,
    item.image,
    item.comments,
    item.language,
    ...item.authors,
    ...item.tags,
    ...item.enclosures.flatMap((e) => [e.url, e.type, e.medium]),
  ]
    .filter((v): v is string => typeof v === 'string')
    .map((v) => `<t>${escapeXml(v)}</t>`)
    .join('');
  const bodies = [item.summaryHtml, item.contentHtml].filter((h): h is string => Boolean(h));
  bodies.forEach(expectHtmlFixedPoint);
  const html = bodies.map((h) => `<div>${escapeXml(h)}</div>`).join('');
  const xml = `<item>${text}${html}</item>`;
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) throw new Error(`not well-formed: ${JSON.stringify(verdict.err)} in ${xml.slice(0, 300)}`);
  expect(Number.isNaN(Date.parse(item.publishedAt))).toBe(false);
}

const SEED_RSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Seed &amp; feed</title><link>https://seed.example/</link>
<item><title>One &lt;b&gt;bold&lt;/b&gt;</title><link>/1</link><guid>1</guid><pubDate>Tue, 24 Nov 2026 08:00:00 +0700</pubDate>
<description><![CDATA[<p>Hi <a href="/x" onclick="y()">x</a><img src="i.png" srcset="a.png 1x, b.png 2x"><script>z()</script></p>]]></description>
<enclosure url="https://seed.example/a.mp3" type="audio/mpeg" length="1"/><media:thumbnail url="t.jpg"/></item>
<item><title>Tiếng Việt ภาษาไทย</title><link>https://seed.example/2</link><content:encoded>&lt;b&gt;ok&lt;/b&gt;</content:encoded></item>
</channel></rss>`;

const SEED_ATOM = `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example/a/"><title type="html">A &lt;i&gt;t&lt;/i&gt;</title>
<entry><id>urn:1</id><title>E</title><link href="e1"/><updated>2026-01-01T00:00:00Z</updated>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>x <a href="../y">y</a></p></div></content></entry></feed>`;

const SEED_JSON = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'J',
  items: [{ id: '1', url: 'https://j.example/1', content_html: '<p>x</p>', date_published: '2026-01-01T00:00:00Z' }],
});

/** A real-looking feed with one random edit: a slice deleted, text inserted, a cut, or a slice repeated. */
function mutated(seed: string) {
  return fc.oneof(
    fc.tuple(fc.nat(seed.length), fc.nat(200)).map(([at, n]) => seed.slice(0, at) + seed.slice(at + n)),
    fc
      .tuple(
        fc.nat(seed.length),
        fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", '/', '!', '[', ']', ';', '#', 'x', '\u0000', '\uFFFE', '\uD800', 'é', ' ', '?', '-') }),
      )
      .map(([at, s]) => seed.slice(0, at) + s + seed.slice(at)),
    fc.nat(seed.length).map((at) => seed.slice(0, at)),
    fc.tuple(fc.nat(seed.length), fc.nat(seed.length)).map(([a, b]) => seed.slice(0, Math.max(a, b)) + seed.slice(Math.min(a, b))),
  );
}

describe('ingest properties', () => {
  it('never throws on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 512 }),
        fc.option(fc.constantFrom('text/xml; charset=utf-16', 'application/rss+xml; charset=windows-874', 'text/html', 'x; charset=bogus')),
        async (bytes, contentType) => {
          const r = await ingestFeed(bytes, { ...opts, contentType: contentType ?? undefined });
          expectNoBug(r);
          if (r.ok) r.feed.items.forEach(expectRenderable);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['RSS', SEED_RSS],
    ['Atom', SEED_ATOM],
    ['JSON Feed', SEED_JSON],
  ])('never throws on mutations of a real %s feed, and what comes out renders as XML', async (_name, seed) => {
    await fc.assert(
      fc.asyncProperty(mutated(seed), async (text) => {
        const r = await ingestFeed(new TextEncoder().encode(text), opts);
        expectNoBug(r);
        if (r.ok) r.feed.items.forEach(expectRenderable);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mutations of the Thai windows-874 fixture', async () => {
    const res = await fetch(`${env.FIXTURE_ORIGIN}/files/ingest/thai-windows-874.xml`);
    const seed = new Uint8Array(await res.arrayBuffer());
    await fc.assert(
      fc.asyncProperty(fc.nat(seed.length), fc.uint8Array({ maxLength: 8 }), async (at, junk) => {
        const bytes = new Uint8Array([...seed.subarray(0, at), ...junk, ...seed.subarray(at)]);
        const r = await ingestFeed(bytes, opts);
        expectNoBug(r);
        if (r.ok) r.feed.items.forEach(expectRenderable);
      }),
      { numRuns: 200 },
    );
  });
});

describe('language properties', () => {
  const subtag = fc.string({ unit: fc.constantFrom(...'aZ09xk'), minLength: 1, maxLength: 9 });
  const tagLike = fc
    .tuple(fc.array(subtag, { minLength: 1, maxLength: 8 }), fc.constantFrom('-', '_'), fc.constantFrom('', ' '))
    .map(([parts, sep, pad]) => pad + parts.join(sep) + pad);

  it.each([['i-klingon'], ['th_TH'], ['abcdefgh-abcdefgh-abcdefgh-abcdefg-x']])('stores %s as a tag ?lang= accepts', async (tag) => {
    const r = await ingestFeed(new TextEncoder().encode(rssWithLanguage(tag)), opts);
    expect(r.ok && r.feed.items[0].language).toMatch(LANGUAGE_TAG);
  });

  it('stores only tags ?lang= accepts (LANGUAGE_TAG), or none', async () => {
    await fc.assert(
      fc.asyncProperty(tagLike, async (tag) => {
        const r = await ingestFeed(new TextEncoder().encode(rssWithLanguage(tag)), opts);
        if (!r.ok) throw new Error(r.reason); // a well-formed feed: any failure here is a bug
        for (const language of [r.feed.meta.language, r.feed.items[0].language]) if (language !== undefined) expect(language).toMatch(LANGUAGE_TAG);
      }),
      { numRuns: 300 },
    );
  });
});

function rssWithLanguage(tag: string): string {
  return `<rss version="2.0"><channel><title>t</title><language>${tag}</language><item><title>x</title><link>https://l.example/1</link></item></channel></rss>`;
}

const htmlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '<p>',
        '</p>',
        '<b>',
        '</b>',
        '<i>',
        '<a href="/x">',
        '<a href="javascript:x">',
        '</a>',
        '<img src="i.png" onerror="x">',
        '<img src=a.png width=1 height=1>',
        '<br>',
        '<br/>',
        '<script>',
        '</script>',
        '<style>',
        '</style>',
        '<iframe src="https://www.youtube.com/embed/1">',
        '</iframe>',
        '<iframe src="//evil.example">',
        '<!--',
        '-->',
        '<![CDATA[',
        ']]>',
        '<svg>',
        '</svg>',
        '<table>',
        '<td colspan="2">',
        '</table>',
        '&amp;',
        '&lt;',
        '&nbsp;',
        '&#0;',
        '&bogus;',
        '<',
        '>',
        '"',
        "'",
        '=',
        ' ',
        '\n',
        'text',
        'é',
        '\u0085',
        '<div title="a&quot;b">',
        '</div>',
        '<textarea>',
        '<noscript>',
        '<object>',
        '</object>',
      ),
      fc.string({ maxLength: 5 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

describe('sanitizer properties', () => {
  it('is idempotent and its output is a fixed point of HTML5 fragment parsing', () => {
    fc.assert(
      fc.property(htmlish, fc.constantFrom(undefined, 'https://base.example/dir/page'), (html, base) => {
        const once = sanitizeHtml(html, { base });
        expect(sanitizeHtml(once, { base })).toBe(once);
        expectHtmlFixedPoint(once);
        // Every '<' left is a tag (text is escaped): no forbidden element, handler or scheme inside one.
        expect(once).not.toMatch(/<(script|style|object|svg|textarea)|<[^>]*(javascript:|\son[a-z]+=)/i);
      }),
      { numRuns: 1000 },
    );
  });

  it('respects the length cap', () => {
    fc.assert(
      fc.property(htmlish, fc.integer({ min: 0, max: 200 }), (html, max) => {
        expect(sanitizeHtml(html, { maxLength: max }).length).toBeLessThanOrEqual(max);
      }),
      { numRuns: 500 },
    );
  });
});

describe('date properties', () => {
  it('returns a valid UTC instant or nothing, for any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true, min: new Date('1000-01-01'), max: new Date('9999-12-31') }).map((d) => d.toUTCString()),
        ),
        (text) => {
          const d = parseDate(text);
          if (d) expect(d.iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads back every RFC 1123 date it is given', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true, min: new Date('1970-01-01'), max: new Date('2999-12-31') }), (date) => {
        expect(parseDate(date.toUTCString())?.iso).toBe(date.toISOString().replace(/\.\d{3}Z$/, 'Z'));
      }),
      { numRuns: 300 },
    );
  });
});
