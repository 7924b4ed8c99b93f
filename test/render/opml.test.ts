import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Registry } from '../../src/model';
import { SLUG } from '../../src/patterns';
import { parseOpml, renderOpml, slugify, type OpmlImport } from '../../src/render/opml';
import { HOSTILE } from './sample-river';
import { expectWellFormed, parseXml } from './xml-check';

async function fixture(name: string): Promise<string> {
  const res = await fetch(`${env.FIXTURE_ORIGIN}/files/render/${name}?type=text/x-opml`);
  expect(res.status).toBe(200);
  return res.text();
}

function imported(xml: string): OpmlImport {
  const result = parseOpml(xml);
  if (!result.ok) throw new Error(result.reason);
  for (const category of result.categories) expect(category.slug).toMatch(SLUG);
  return result;
}

function categoryOf(result: OpmlImport, url: string): string[] {
  const source = result.sources.find((s) => s.url === url);
  expect(source, url).toBeDefined();
  return source!.categories.map((slug) => result.categories.find((c) => c.slug === slug)!.title);
}

describe('slugify', () => {
  it('folds Latin diacritics (Vietnamese included) and hashes scripts without a Latin spelling', () => {
    expect(slugify('Tin tức Việt Nam')).toBe('tin-tuc-viet-nam');
    expect(slugify('Đời sống')).toBe('doi-song');
    expect(slugify('Công nghệ & Khoa học')).toBe('cong-nghe-khoa-hoc');
    expect(slugify('  Tech News!  ')).toBe('tech-news');
    const thai = slugify('ข่าวไทย');
    expect(thai).toMatch(/^c-[0-9a-f]{10}$/);
    expect(slugify('ข่าวไทย')).toBe(thai);
    expect(slugify('ข่าวกีฬา')).not.toBe(thai);
    expect(slugify('ข่าว Tech')).toMatch(/^tech-[0-9a-f]{6}$/);
    expect(slugify('x'.repeat(100))).toHaveLength(63);
  });

  it('always yields a valid slug', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (title) => {
        expect(slugify(title)).toMatch(SLUG);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseOpml', () => {
  it('reads a Miniflux export: folders become categories, numeric references decoded, shared feeds in both', async () => {
    const result = imported(await fixture('miniflux-export.opml'));
    expect(result.categories).toEqual([
      { slug: 'all', title: 'All' },
      { slug: 'tin-tuc-viet-nam', title: 'Tin tức Việt Nam' },
      { slug: expect.stringMatching(/^c-[0-9a-f]{10}$/), title: 'ข่าวไทย' },
    ]);
    expect(result.sources).toHaveLength(5);
    expect(result.sources[0]).toEqual({ url: 'https://tom.example/feed.xml', title: 'Tom\'s "Blog"', categories: ['all'] });
    expect(categoryOf(result, 'https://go.dev/blog/feed.atom')).toEqual(['All', 'ข่าวไทย']);
    expect(categoryOf(result, 'https://www.thairath.example/rss/news')).toEqual(['ข่าวไทย']);
    expect(result.sources.find((s) => s.url === 'https://tin.example.vn/doi-song.rss')?.title).toBe('Đời sống');
    expect(result.skipped).toEqual([]);
  });

  it('reads a FreshRSS export and skips its scraping sources with the reason', async () => {
    const result = imported(await fixture('freshrss-export.opml'));
    expect(result.categories.map((c) => c.title)).toEqual(['Uncategorized', 'Công nghệ & Khoa học', 'เทคโนโลยี']);
    expect(result.categories[1].slug).toBe('cong-nghe-khoa-hoc');
    expect(result.sources.map((s) => s.url)).toEqual([
      'https://github.com/FreshRSS/FreshRSS/releases.atom',
      'https://vnexpress.net/rss/so-hoa.rss',
      'https://bob.example/feed?format=rss&lang=vi',
      'https://www.blognone.example/atom.xml',
    ]);
    expect(result.sources[2].title).toBe("Bob's <Tech> notes");
    expect(categoryOf(result, 'https://vnexpress.net/rss/so-hoa.rss')).toEqual(['Công nghệ & Khoa học']);
    expect(result.skipped).toEqual([{ reason: expect.stringContaining('scraping source, not a feed'), outline: 'https://scrape.example/news' }]);
  });

  it('walks nested folders, merges duplicates and says why it skipped each outline', async () => {
    const result = imported(await fixture('nested-outlines.opml'));
    expect(result.categories.map((c) => [c.slug, c.title])).toEqual([
      ['tech', 'Tech'],
      ['web', 'Web'],
      ['misc', 'Misc'],
      ['empty-folder', 'Empty folder'],
    ]);
    expect(result.sources).toEqual([
      { url: 'http://top.example/rss', title: 'Top-level feed', categories: [] },
      { url: 'https://hacker.example/feed', title: 'Hacker blog', categories: ['tech'] },
      { url: 'https://css.example/feed/', title: 'CSS Tricks', categories: ['web'] },
      { url: 'https://webdev.example/feed', title: 'Web Dev', categories: ['web'] },
    ]);
    expect(result.skipped.map((s) => [s.outline, s.reason])).toEqual([
      ['https://tech.example/', 'type="link" outline is a link, not a feed subscription'],
      ['javascript:alert(1)', 'xmlUrl uses javascript:, only http and https feeds can be polled'],
      ['/feed.xml', 'xmlUrl is not an absolute URL'],
      ['Not a feed', 'outline has no xmlUrl (not a feed)'],
      ['https://other.example/list.opml', 'type="include" outline is a link, not a feed subscription'],
    ]);
  });

  it('gives two folder titles that fold to the same slug distinct slugs', () => {
    const result = imported(`<opml version="2.0"><body>
      <outline text="Tech News"><outline text="a" xmlUrl="https://a.example/feed"/></outline>
      <outline text="Tech – News"><outline text="b" xmlUrl="https://b.example/feed"/></outline>
    </body></opml>`);
    expect(result.categories[0].slug).toBe('tech-news');
    expect(result.categories[1].slug).toMatch(/^tech-news-[0-9a-f]{6}$/);
  });

  it('answers errors a person can act on', () => {
    expect(parseOpml('')).toEqual({ ok: false, code: 'empty', reason: 'empty document: expected an OPML file' });
    const notXml = parseOpml('<opml><body><outline text="a & b"></body></opml>');
    expect(notXml.ok).toBe(false);
    if (!notXml.ok) expect(notXml).toMatchObject({ code: 'malformed', reason: expect.stringMatching(/^not well-formed XML \(line 1, column \d+\): /) });
    expect(parseOpml('<?xml version="1.0"?><rss version="2.0"><channel/></rss>')).toEqual({
      ok: false,
      code: 'not-opml',
      reason: 'not an OPML document: the root element is <rss>, expected <opml>',
    });
    expect(parseOpml('<opml version="2.0"><head/></opml>')).toEqual({ ok: false, code: 'not-opml', reason: 'not an OPML document: <opml> has no <body>' });
    expect(parseOpml('<opml version="2.0"><head/><body/></opml>')).toEqual({ ok: true, categories: [], sources: [], skipped: [] });
  });

  it('does not expand entity bombs', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>
<opml version="2.0"><body><outline text="&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;" xmlUrl="https://x.example/feed"/></body></opml>`;
    const result = imported(bomb);
    expect(result.sources[0].url).toBe('https://x.example/feed');
    expect(result.sources[0].title!.length).toBeLessThan(1000);
    // Small internal entities still work.
    const small = imported(
      '<!DOCTYPE opml [<!ENTITY co "Company">]><opml version="2.0"><body><outline text="&co; feed" xmlUrl="https://x.example/feed"/></body></opml>',
    );
    expect(small.sources[0].title).toBe('Company feed');
  });
});

describe('renderOpml', () => {
  const registry: Registry = {
    categories: {
      news: { slug: 'news', title: 'World News', description: 'From everywhere', language: 'en' },
      thai: { slug: 'thai', title: 'ข่าวไทย', language: 'th' },
      viet: { slug: 'viet', title: 'Tin tức' },
      evil: { slug: 'evil', title: HOSTILE },
    },
    sources: {
      thairath: { id: 'thairath', url: 'https://www.thairath.example/rss', title: 'ไทยรัฐ', categories: ['thai', 'news'], createdAt: '2025-01-01T00:00:00Z' },
      vnexpress: {
        id: 'vnexpress',
        url: 'https://vnexpress.net/rss/tin-moi-nhat.rss',
        title: 'VnExpress',
        categories: ['viet'],
        createdAt: '2025-01-01T00:00:00Z',
      },
      amp: { id: 'amp', url: 'https://a.example/feed?x=1&y=2', title: HOSTILE, categories: ['evil'], createdAt: '2025-01-01T00:00:00Z' },
      untitled: { id: 'untitled', url: 'https://u.example/feed', categories: ['news'], createdAt: '2025-01-01T00:00:00Z' },
      orphan: { id: 'orphan', url: 'https://o.example/feed', title: 'Orphan', categories: ['gone'], createdAt: '2025-01-01T00:00:00Z' },
    },
  };

  it('writes OPML 2.0 with one folder per category and is the same bytes for the same registry', () => {
    const xml = renderOpml(registry, { title: 'Tributary sources', baseUrl: 'https://tributary.test' });
    expectWellFormed(xml);
    expect(renderOpml(registry, { title: 'Tributary sources', baseUrl: 'https://tributary.test' })).toBe(xml);
    const opml = parseXml(xml).opml;
    expect(opml['@version']).toBe('2.0');
    expect(opml.head.title).toBe('Tributary sources');
    expect(opml.head.dateCreated).toBeUndefined();
    const folders = opml.body.outline.filter((o: Record<string, unknown>) => o.outline);
    expect(folders.map((f: Record<string, string>) => f['@tributary:slug'])).toEqual(['evil', 'news', 'thai', 'viet']);
    const news = folders.find((f: Record<string, string>) => f['@tributary:slug'] === 'news');
    expect(news.outline.map((o: Record<string, string>) => o['@xmlUrl'])).toEqual(['https://u.example/feed', 'https://www.thairath.example/rss']);
    expect(news.outline[0]['@text']).toBe('https://u.example/feed');
    // The source whose only category no longer exists stays in the export, at the top level.
    expect(opml.body.outline.at(-1)['@xmlUrl']).toBe('https://o.example/feed');
  });

  it('writes dateCreated as RFC 822 when given', () => {
    const xml = renderOpml(registry, { title: 't', baseUrl: 'https://tributary.test', dateCreated: '2025-03-01T10:00:00Z' });
    expect(parseXml(xml).opml.head.dateCreated).toBe('Sat, 01 Mar 2025 10:00:00 GMT');
  });

  it('round-trips through parseOpml: same categories (slugs and titles) and same sources', () => {
    const result = imported(renderOpml(registry, { title: 't', baseUrl: 'https://tributary.test' }));
    expect(result.skipped).toEqual([]);
    expect(result.categories.sort((a, b) => a.slug.localeCompare(b.slug))).toEqual(
      Object.values(registry.categories)
        .map(({ slug, title }) => ({
          slug,
          title: title.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu, '').trim(),
        }))
        .sort((a, b) => a.slug.localeCompare(b.slug)),
    );
    const bySlugs = (url: string) => result.sources.find((s) => s.url === url)?.categories.sort();
    expect(bySlugs('https://www.thairath.example/rss')).toEqual(['news', 'thai']);
    expect(bySlugs('https://vnexpress.net/rss/tin-moi-nhat.rss')).toEqual(['viet']);
    expect(bySlugs('https://a.example/feed?x=1&y=2')).toEqual(['evil']);
    expect(bySlugs('https://o.example/feed')).toEqual([]);
    expect(result.sources.find((s) => s.url === 'https://www.thairath.example/rss')?.title).toBe('ไทยรัฐ');
    expect(result.sources.find((s) => s.url === 'https://u.example/feed')?.title).toBeUndefined();
  });
});
