import { describe, expect, it } from 'vitest';
import { ingestFeed } from '../../src/ingest/index';

const fetchedAt = '2026-11-24T12:00:00Z';
const enc = (s: string) => new TextEncoder().encode(s);

async function ingest(text: string, url = 'https://example.com/feed.xml') {
  return ingestFeed(enc(text), { url, fetchedAt, sourceId: 's' });
}
async function ok(text: string, url?: string) {
  const r = await ingest(text, url);
  if (!r.ok) throw new Error(r.reason);
  return r.feed;
}

describe('RSS 2.0 with namespaces', () => {
  const rss = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
 xmlns:atom="http://www.w3.org/2005/Atom" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">
<channel><title>Site &amp; Co</title><link>https://site.example/</link><description>About</description>
<language>en-US</language><ttl>60</ttl>
<atom:link rel="self" href="https://site.example/feed"/><atom:link rel="hub" href="https://hub.example/"/>
<item>
 <title>007 &amp;amp; friends</title>
 <link>https://feeds.feedburner.com/~r/x/1</link>
 <feedburner:origLink>https://site.example/posts/1</feedburner:origLink>
 <guid>https://site.example/?p=1</guid>
 <description>Short &lt;b&gt;bold&lt;/b&gt;</description>
 <content:encoded><![CDATA[<p onclick="x()">Hi <img src="/img/a.png" width="640"><script>alert(1)</script></p>]]></content:encoded>
 <dc:creator>Jane</dc:creator>
 <dc:date>2026-11-20T10:00:00+01:00</dc:date>
 <category domain="https://site.example/tags">news</category><dc:subject>world</dc:subject>
 <enclosure url="https://cdn.example/ep1.mp3" length="1234" type="audio/mpeg"/>
 <media:group><media:content url="https://cdn.example/v.mp4" type="video/mp4" medium="video"/>
 <media:thumbnail url="https://cdn.example/thumb.jpg"/></media:group>
 <itunes:duration>12:34</itunes:duration>
 <comments>https://site.example/posts/1#comments</comments>
</item>
</channel></rss>`;

  it('reads every namespace readers use', async () => {
    const feed = await ok(rss);
    expect(feed.meta).toMatchObject({
      title: 'Site & Co',
      link: 'https://site.example/',
      language: 'en-us',
      ttlMinutes: 60,
      hubUrl: 'https://hub.example/',
      format: 'rss',
      version: '2.0',
    });
    const [item] = feed.items;
    expect(item.title).toBe('007 & friends');
    expect(item.url).toBe('https://site.example/posts/1');
    expect(item.guid).toBe('https://site.example/?p=1');
    expect(item.guidIsPermaLink).toBe(true);
    expect(item.summaryHtml).toBe('Short <b>bold</b>');
    expect(item.contentHtml).toBe('<p>Hi <img src="https://site.example/img/a.png" width="640"></p>');
    expect(item.authors).toEqual(['Jane']);
    expect(item.publishedAt).toBe('2026-11-20T09:00:00Z');
    expect(item.dateGuessed).toBeUndefined();
    expect(item.tags).toEqual(['news', 'world']);
    expect(item.enclosures).toEqual([
      { url: 'https://cdn.example/ep1.mp3', type: 'audio/mpeg', length: 1234, medium: 'audio' },
      { url: 'https://cdn.example/v.mp4', type: 'video/mp4', medium: 'video' },
    ]);
    expect(item.image).toBe('https://cdn.example/thumb.jpg');
    expect(item.comments).toBe('https://site.example/posts/1#comments');
    expect(item.sourceId).toBe('s');
    expect(item.contentHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps a title like 007 as text, not a number', async () => {
    const feed = await ok('<rss version="2.0"><channel><title>t</title><item><title>007</title><link>https://a.example/</link></item></channel></rss>');
    expect(feed.items[0].title).toBe('007');
  });

  it('changes the content hash when a reader-visible field changes, not otherwise', async () => {
    const a = (await ok(rss)).items[0].contentHash;
    expect((await ok(rss)).items[0].contentHash).toBe(a);
    expect((await ok(rss.replace('Short', 'Longer'))).items[0].contentHash).not.toBe(a);
    expect((await ok(rss.replace('<dc:creator>Jane', '<dc:creator>Joe'))).items[0].contentHash).toBe(a);
  });

  it('decodes HTML entities that XML does not define, once', async () => {
    const feed = await ok(
      '<rss version="2.0"><channel><title>Caf&eacute;&nbsp;&amp;amp;</title><item><title>&lt;b&gt;x&lt;/b&gt; &amp;eacute;</title><link>https://a.example/</link></item></channel></rss>',
    );
    // Double-escaped titles are common (a CMS escaping twice); readers expect the character.
    expect(feed.meta.title).toBe('Caf\u00e9\u00a0&');
    expect(feed.items[0].title).toBe('x \u00e9');
    expect(feed.warnings.some((w) => w.includes('&eacute;'))).toBe(true);
  });

  it('clamps future dates and flags missing ones', async () => {
    const feed = await ok(`<rss version="2.0"><channel><title>t</title>
      <item><title>future</title><link>https://a.example/1</link><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>
      <item><title>none</title><link>https://a.example/2</link></item>
      <item><title>junk</title><link>https://a.example/3</link><pubDate>yesterday-ish</pubDate></item></channel></rss>`);
    expect(feed.items[0].publishedAt).toBe(fetchedAt);
    expect(feed.items[0].dateGuessed).toBeUndefined();
    expect(feed.items[1]).toMatchObject({ publishedAt: fetchedAt, dateGuessed: true });
    expect(feed.items[2]).toMatchObject({ publishedAt: fetchedAt, dateGuessed: true });
    expect(feed.warnings).toContain('unparseable date "yesterday-ish"');
  });
});

describe('RSS 1.0 (RDF) and 0.91', () => {
  it('reads RDF items that are siblings of the channel', async () => {
    const feed = await ok(`<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://r.example/"><title>RDF</title><link>https://r.example/</link><description>d</description></channel>
<item rdf:about="https://r.example/1"><title>One</title><link>https://r.example/1</link><dc:date>2026-01-02</dc:date><dc:language>de</dc:language></item>
<item rdf:about="https://r.example/2"><title>Two</title></item>
</rdf:RDF>`);
    expect(feed.meta).toMatchObject({ format: 'rdf', version: '1.0', title: 'RDF' });
    expect(feed.items.map((i) => [i.title, i.url, i.publishedAt])).toEqual([
      ['One', 'https://r.example/1', '2026-01-02T00:00:00Z'],
      ['Two', 'https://r.example/2', fetchedAt],
    ]);
    expect(feed.items[0].language).toBe('de');
    // rdf:about is the item's id, with or without a <link> (feedparser's entries[].id).
    expect(feed.items.map((i) => i.guid)).toEqual(['https://r.example/1', 'https://r.example/2']);
  });

  it('reads RSS 0.91 with a relative link resolved against the channel link', async () => {
    const feed = await ok(`<rss version="0.91"><channel><title>Old</title><link>https://old.example/blog/</link><language>fr</language>
      <item><title>Item</title><link>post.html</link><description>Plain &amp; simple</description></item></channel></rss>`);
    expect(feed.meta.version).toBe('0.91');
    expect(feed.items[0]).toMatchObject({ url: 'https://old.example/blog/post.html', summaryHtml: 'Plain &amp; simple', language: 'fr' });
  });
});

describe('Atom 1.0 and 0.3', () => {
  it('keeps xhtml content as HTML and resolves nested xml:base', async () => {
    const feed = await ok(`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.example/blog/" xml:lang="en">
<title type="html">A &lt;em&gt;blog&lt;/em&gt;</title><link href="./"/><link rel="self" href="feed.atom"/><id>urn:a</id><updated>2026-11-01T00:00:00Z</updated>
<author><name>Ann</name></author>
<entry xml:base="posts/"><id>urn:a:1</id><title type="text">x &lt; y</title><link rel="alternate" type="text/html" href="1.html"/>
<link rel="enclosure" href="/media/1.ogg" type="audio/ogg" length="99"/>
<published>2026-10-31T23:00:00-02:00</published><updated>2026-11-01T10:00:00Z</updated>
<category term="t1" scheme="https://a.example/s" label="Tag One"/>
<summary type="text">a &amp; b
second line</summary>
<content type="xhtml" xml:base="/root/"><div xmlns="http://www.w3.org/1999/xhtml"><p>See <a href="x.html">this</a> &amp; <img src="i.png" alt=""/></p></div></content>
</entry></feed>`);
    expect(feed.meta).toMatchObject({ title: 'A blog', link: 'https://a.example/blog/', format: 'atom', version: '1.0', language: 'en' });
    const [e] = feed.items;
    expect(e.title).toBe('x < y');
    expect(e.url).toBe('https://a.example/blog/posts/1.html');
    expect(e.authors).toEqual(['Ann']);
    expect(e.publishedAt).toBe('2026-11-01T01:00:00Z');
    expect(e.updatedAt).toBe('2026-11-01T10:00:00Z');
    expect(e.tags).toEqual(['Tag One']);
    expect(e.summaryHtml).toBe('a &amp; b<br>second line');
    expect(e.contentHtml).toBe(
      '<p>See <a href="https://a.example/root/x.html" rel="noopener noreferrer">this</a> &amp; <img src="https://a.example/root/i.png" alt=""></p>',
    );
    expect(e.enclosures).toEqual([{ url: 'https://a.example/media/1.ogg', type: 'audio/ogg', length: 99, medium: 'audio' }]);
    expect(e.language).toBe('en');
  });

  it('reads Atom 0.3 (modified, issued, tagline, escaped mode)', async () => {
    const feed = await ok(`<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old Atom</title><tagline>tl</tagline>
<link rel="alternate" type="text/html" href="https://o.example/"/><modified>2004-01-01T00:00:00Z</modified>
<entry><title>E</title><link rel="alternate" type="text/html" href="https://o.example/e"/><id>tag:o,2004:1</id>
<issued>2003-12-31T19:00:00-05:00</issued><modified>2004-01-02T00:00:00Z</modified>
<content type="text/html" mode="escaped">&lt;i&gt;hi&lt;/i&gt;</content></entry></feed>`);
    expect(feed.meta).toMatchObject({ version: '0.3', description: 'tl', link: 'https://o.example/' });
    expect(feed.items[0]).toMatchObject({ title: 'E', url: 'https://o.example/e', publishedAt: '2004-01-01T00:00:00Z', contentHtml: '<i>hi</i>' });
  });
});

describe('JSON Feed', () => {
  it('reads 1.1 with attachments, authors and html content', async () => {
    const feed = await ok(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'J',
        home_page_url: 'https://j.example/',
        language: 'vi',
        authors: [{ name: 'Feed Author' }],
        items: [
          {
            id: 1,
            url: '/p/1',
            title: 'One',
            content_html: '<p>x<script>bad()</script></p>',
            date_published: '2026-11-01T00:00:00Z',
            tags: ['a', 'A'],
            attachments: [{ url: 'https://j.example/a.mp3', mime_type: 'audio/mpeg', size_in_bytes: 10 }],
            image: 'https://j.example/i.png',
          },
          { id: '2', content_text: 'plain <text>', authors: [{ name: 'Item Author' }] },
        ],
      }),
    );
    expect(feed.meta).toMatchObject({ format: 'json', version: '1.1', title: 'J', language: 'vi' });
    expect(feed.items[0]).toMatchObject({
      guid: '1',
      url: 'https://j.example/p/1',
      title: 'One',
      contentHtml: '<p>x</p>',
      tags: ['a'],
      authors: ['Feed Author'],
      image: 'https://j.example/i.png',
    });
    expect(feed.items[0].enclosures).toEqual([{ url: 'https://j.example/a.mp3', type: 'audio/mpeg', length: 10, medium: 'audio' }]);
    expect(feed.items[1]).toMatchObject({ guid: '2', title: '', contentHtml: 'plain &lt;text&gt;', authors: ['Item Author'], dateGuessed: true });
  });

  it('ignores __proto__ and constructor keys', async () => {
    const text =
      '{"version":"https://jsonfeed.org/version/1","title":"p","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"items":[{"id":"1","title":"t","__proto__":{"polluted":3}}]}';
    const feed = await ok(text);
    expect(feed.items[0].title).toBe('t');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('not a feed', () => {
  it.each([
    ['<!DOCTYPE html><html><head><title>x</title></head><body><p>hi<br></body></html>', 'html-page', 'not a feed: HTML page'],
    ['<html><body><p>no doctype</p></body></html>', 'html-page', 'not a feed: HTML page'],
    ['', 'empty', 'empty body'],
    ['   \n', 'empty', 'empty body'],
    ['{"title":"no items"}', 'not-a-feed', 'not a feed: JSON object without items'],
    ['{"version":"https://jsonfeed.org/version/1.1","title":"no items"}', 'not-a-feed', 'not a feed: JSON Feed without items'],
    ['<?xml version="1.0"?><sitemap><url/></sitemap>', 'not-a-feed', 'not a feed: XML root <sitemap>'],
    ['<?xml version="1.0"?><entry xmlns="http://www.w3.org/2005/Atom"><title>x</title></entry>', 'not-a-feed', 'not a feed: Atom entry document'],
    ['hello world', 'not-a-feed', 'not a feed: neither XML nor JSON'],
    ['{"items": [', 'malformed', 'not a feed: invalid JSON'],
    ['<rss><channel><item><title>cut', 'malformed', 'truncated XML at line 1'],
  ])('%j → %s: %s', async (text, code, reason) => {
    const r = await ingest(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.reason.startsWith(reason), r.reason).toBe(true);
    }
  });

  it('reports truncated XML with the line it stopped at', async () => {
    const lines = ['<?xml version="1.0"?>', '<rss version="2.0">', '<channel>', '<title>t</title>'];
    for (let i = 0; i < 36; i++) lines.push(`<item><title>${i}</title></item>`);
    const r = await ingest(lines.join('\n') + '\n<item><title>cut');
    expect(r).toEqual({ ok: false, code: 'malformed', reason: 'truncated XML at line 41' });
  });

  it('tolerates whitespace and a BOM before the XML declaration', async () => {
    const feed = await ok(
      '\uFEFF \n <?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>i</title><link>https://x.example/</link></item></channel></rss>',
    );
    expect(feed.items).toHaveLength(1);
  });
});

describe('recoverable damage', () => {
  it('accepts a feed whose only defect is a missing </rss>, with a warning', async () => {
    const feed = await ok('<rss version="2.0"><channel><title>t</title><item><title>i</title><link>https://x.example/</link></item></channel>\n');
    expect(feed.items).toHaveLength(1);
    expect(feed.warnings).toContain('missing end tag </rss>');
  });

  it('still refuses a feed cut inside the channel', async () => {
    const r = await ingest('<rss version="2.0"><channel><title>t</title><item><title>i</title></item>\n');
    expect(r).toEqual({ ok: false, code: 'malformed', reason: 'truncated XML at line 2' });
  });

  it('reads a bare & and an unquoted attribute, and notes both', async () => {
    const feed = await ok(
      '<rss version="2.0"><channel><title>A & B</title><item><title>x</title><link>https://x.example/?a=1&b=2</link><enclosure url=https://x.example/a.mp3 type="audio/mpeg"/></item></channel></rss>',
    );
    expect(feed.meta.title).toBe('A & B');
    expect(feed.items[0].url).toBe('https://x.example/?a=1&b=2');
    expect(feed.items[0].enclosures[0].url).toBe('https://x.example/a.mp3');
    expect(feed.warnings).toEqual(expect.arrayContaining(['bare & in text', 'unquoted attribute url']));
  });

  it('reads C1 controls as the windows-1252 characters they stand for', async () => {
    const feed = await ok('<rss version="2.0"><channel><title>t</title><item><title>don\u0092t</title><link>https://x.example/</link></item></channel></rss>');
    expect(feed.items[0].title).toBe('don\u2019t');
  });
});

describe('description repeated in content:encoded', () => {
  const feed = (content: string) =>
    `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title><link>https://x.example/</link>` +
    `<item><title>i</title><link>https://x.example/a/1</link><description>&lt;p&gt;See &lt;a href="b"&gt;b&lt;/a&gt;&lt;/p&gt;</description>${content}</item></channel></rss>`;
  it('sanitizes once and gives both fields the same HTML', async () => {
    const item = (await ok(feed('<content:encoded><![CDATA[<p>See <a href="b">b</a></p>]]></content:encoded>'))).items[0];
    expect(item.summaryHtml).toBe('<p>See <a href="https://x.example/a/b" rel="noopener noreferrer">b</a></p>');
    expect(item.contentHtml).toBe(item.summaryHtml);
  });
  it('still sanitizes a different content on its own', async () => {
    const item = (await ok(feed('<content:encoded><![CDATA[<p>More <a href="c">c</a></p>]]></content:encoded>'))).items[0];
    expect(item.summaryHtml).toBe('<p>See <a href="https://x.example/a/b" rel="noopener noreferrer">b</a></p>');
    expect(item.contentHtml).toBe('<p>More <a href="https://x.example/a/c" rel="noopener noreferrer">c</a></p>');
  });
});

describe('the text <![CDATA[ in a title or body (issue 11)', () => {
  const rss = (title: string, description = 'd') =>
    `<rss version="2.0"><channel><title>t</title><link>https://x.example/</link><item><title>${title}</title><link>https://x.example/1</link><description>${description}</description></item></channel></rss>`;
  const atom = (type: string, title: string) =>
    `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>f</id><entry><id>e</id><title type="${type}">${title}</title><link href="https://x.example/1"/></entry></feed>`;

  it('stays verbatim in a plain-text title, escaped or in a CDATA section', async () => {
    expect((await ok(rss('Escaping with &lt;![CDATA[ in XML'))).items[0].title).toBe('Escaping with <![CDATA[ in XML');
    expect((await ok(rss('<![CDATA[Escaping with <![CDATA[ in XML]]>'))).items[0].title).toBe('Escaping with <![CDATA[ in XML');
    expect((await ok(atom('text', 'Escaping with &lt;![CDATA[ in XML'))).items[0].title).toBe('Escaping with <![CDATA[ in XML');
    const json = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 't',
      items: [{ id: '1', url: 'https://x.example/1', title: 'Escaping with <![CDATA[ in XML' }],
    });
    expect((await ok(json)).items[0].title).toBe('Escaping with <![CDATA[ in XML');
  });

  it('stays as text in an HTML title when no ]]> closes it, and the markup after it is still markup', async () => {
    expect((await ok(atom('html', 'Escaping with &lt;![CDATA[ in &lt;i&gt;XML&lt;/i&gt;'))).items[0].title).toBe('Escaping with <![CDATA[ in XML');
    expect((await ok(rss('A &lt;b&gt;bold&lt;/b&gt; use of &lt;![CDATA['))).items[0].title).toBe('A bold use of <![CDATA[');
  });

  it('stays as text in an HTML body when no ]]> closes it; closed, its content is text (xhtml copied raw)', async () => {
    const open = (await ok(rss('i', 'Use &lt;![CDATA[ then &lt;b&gt;bold&lt;/b&gt; &lt;![CDATA[ again'))).items[0];
    expect(open.summaryHtml).toBe('Use &lt;![CDATA[ then <b>bold</b> &lt;![CDATA[ again');
    const closed = (await ok(rss('i', '&lt;p&gt;&lt;![CDATA[a&lt;b]]&gt; after&lt;/p&gt;'))).items[0];
    expect(closed.summaryHtml).toBe('<p>a&lt;b after</p>');
  });
});

describe('an item listed twice in one fetch (issue 11, point 8b)', () => {
  const mon = 'Mon, 23 Nov 2026 08:00:00 GMT';
  const item = ([guid, link, body, date = mon]: string[]) =>
    `<item><guid isPermaLink="false">${guid}</guid><link>https://x.example/${link}</link><title>Budget vote</title><description>${body}</description><pubDate>${date}</pubDate></item>`;
  const feedOf = (...items: string[][]) =>
    ok(`<rss version="2.0"><channel><title>t</title><link>https://x.example/</link>${items.map(item).join('')}</channel></rss>`);

  it('is one item, where the first stood and with its date, saying what the later one says', async () => {
    const feed = await feedOf(
      ['1', '1', 'first draft'],
      ['2', '2', 'flood news', 'Mon, 23 Nov 2026 09:00:00 GMT'],
      ['1', '1', 'corrected', 'Tue, 24 Nov 2026 07:00:00 GMT'],
    );
    expect(feed.items.map((i) => [i.guid, i.summaryHtml, i.publishedAt])).toEqual([
      ['1', 'corrected', '2026-11-23T08:00:00Z'],
      ['2', 'flood news', '2026-11-23T09:00:00Z'],
    ]);
    expect(feed.items[0]).toEqual((await feedOf(['1', '1', 'corrected'])).items[0]);
    expect(feed.warnings).toContain('1 item listed again with the same guid and link: the later listing kept, where the first stood');
  });

  it('stays two items when only the guid or only the link is the same', async () => {
    const feed = await feedOf(['1', '1', 'a'], ['1', 'other', 'b'], ['3', '1', 'c']);
    expect(feed.items.map((i) => i.summaryHtml)).toEqual(['a', 'b', 'c']);
    expect(feed.warnings.some((w) => w.includes('listed again'))).toBe(false);
  });
});
