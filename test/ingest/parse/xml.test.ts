import { describe, expect, it } from 'vitest';
import { elements, parseXml, textOf } from '../../../src/ingest/parse/xml';

describe('namespaced attributes under {nsKey}local', () => {
  it('are keyed the same way on every element, past the reused-key cache (256 keys)', () => {
    // 300 distinct namespaced names plus xml:lang on each: the cache of spelled keys fills, later ones are still keyed.
    const items = Array.from({ length: 300 }, (_, i) => `<e xml:lang="th" x:a${i}="v${i}"/>`).join('');
    const doc = parseXml(`<root xmlns:x="http://example.org/ns">${items}</root>`);
    expect(doc.failure?.reason).toBeUndefined();
    const kids = elements(doc.root!);
    expect(kids).toHaveLength(300);
    kids.forEach((el, i) => {
      expect(el.attrs['{xml}lang']).toBe('th');
      expect(el.lang).toBe('th');
      expect(el.attrs[`{http://example.org/ns}a${i}`]).toBe(`v${i}`);
      expect(el.attrs[`x:a${i}`]).toBe(`v${i}`);
    });
  });

  it('follow the prefix binding in scope, not the prefix text', () => {
    const doc = parseXml('<r xmlns:p="http://purl.org/dc/elements/1.1/"><a p:k="1"/><b xmlns:p="http://example.org/other" p:k="2"/></r>');
    const [a, b] = elements(doc.root!);
    expect(a.attrs['{dc}k']).toBe('1');
    expect(b.attrs['{http://example.org/other}k']).toBe('2');
    expect(b.attrs['{dc}k']).toBeUndefined();
  });
});

// ───────────── the DOCTYPE: literal entities read, everything else a DTD can do refused ─────────────

const rssWith = (doctype: string, title: string) =>
  `<?xml version="1.0"?>\n${doctype}\n<rss version="2.0"><channel><item><title>${title}</title></item></channel></rss>`;
const titleOf = (doc: ReturnType<typeof parseXml>) => {
  const title = doc.root && elements(elements(elements(doc.root)[0])[0])[0];
  return title && textOf(title);
};

describe('entities a document declares', () => {
  it.each([
    // [what, DOCTYPE, title as written, title as read]
    [
      'a literal entity (feedparser entity_in_doctype)',
      '<!DOCTYPE rss [\n  <!ENTITY id "tag:example.com,">\n]>',
      '&id;2006-05-04:/blog/',
      'tag:example.com,2006-05-04:/blog/',
    ],
    ['character references in a value', '<!DOCTYPE rss [<!ENTITY nbsp2 "&#160;"><!ENTITY amp2 "&amp;">]>', 'a&nbsp2;b&amp2;c', 'a\u00a0b&c'],
    ['an entity built from an earlier one', '<!DOCTYPE rss [<!ENTITY org "Example"><!ENTITY copyright "© &org;">]>', '&copyright;', '© Example'],
    ['the first of two declarations of a name', '<!DOCTYPE rss [<!ENTITY who "first"><!ENTITY who "second">]>', '&who;', 'first'],
    [
      'quoted "]" and ">" in other declarations, and comments',
      `<!DOCTYPE rss [<!ATTLIST item note CDATA "a]b>c"><!-- ] > --><!ENTITY later 'after ] and >'>]>`,
      '&later;',
      'after ] and >',
    ],
    [
      'the XHTML Latin-1 set as a parameter entity (feedparser doctype_contains_entity_decl)',
      '<!DOCTYPE rss [\n<!ENTITY % HTMLlat1 PUBLIC\n "-//W3C//ENTITIES Latin 1 for XHTML//EN"\n "http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent">\n%HTMLlat1;\n]>',
      'caf&eacute;',
      'café',
    ],
    [
      'an external DTD and no subset (Netscape RSS 0.91)',
      '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">',
      'plain',
      'plain',
    ],
    ['no DTD: HTML names as the web writes them', '', 'a&nbsp;b &eacute;', 'a\u00a0b é'],
  ])('%s', (_what, doctype, title, read) => {
    const doc = parseXml(rssWith(doctype, title));
    expect(doc.failure?.reason).toBeUndefined();
    expect(doc.failure?.code).toBeUndefined();
    expect(titleOf(doc)).toBe(read);
  });

  it('may add as much text as the document holds, or 64 KiB, and no more', () => {
    const doctype = `<!DOCTYPE rss [<!ENTITY k "${'k'.repeat(1000)}">]>`;
    const within = parseXml(rssWith(doctype, '&k;'.repeat(60)));
    expect(within.failure?.code).toBeUndefined();
    expect(titleOf(within)).toHaveLength(60_000);
    const past = parseXml(rssWith(doctype, '&k;'.repeat(70)));
    expect(past.failure?.code).toBe('entity-expansion');
    expect(past.root).toBeUndefined();
    expect(past.failure?.reason).toBe('unsafe XML refused: entities would add more than 65,536 characters of text (&k; alone is 1,000)');
  });

  it('counts expansion inside declarations too: billion laughs is refused before it grows', () => {
    const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('');
    const doc = parseXml(rssWith(`<!DOCTYPE rss [${lol}]>`, 'never read'));
    expect(doc.failure?.code).toBe('entity-expansion');
    expect(doc.failure?.reason).toContain('&lol4; alone is 30,000');
  });
});

describe('elements nested deeper than MAX_DEPTH', () => {
  it.each([
    ['closed', (n: number) => `${'<x>'.repeat(n)}${'</x>'.repeat(n)}`],
    ['never closed', (n: number) => '<x>'.repeat(n)],
  ])('are refused (%s)', (_what, nest) => {
    const deep = parseXml(`<rss><channel><item><description>${nest(10_000)}</description></item></channel></rss>`);
    expect(deep.failure?.code).toBe('nesting-too-deep');
    expect(deep.failure?.reason).toBe('unsafe XML refused: elements nested more than 1,000 deep at line 1');
    expect(deep.root).toBeUndefined();
  });

  it('are not: raw HTML with a few hundred unclosed <br> (broken, but honest)', () => {
    const doc = parseXml(`<rss><channel><item><description>${'line<br>'.repeat(300)}</description></item></channel></rss>`);
    expect(doc.failure?.code).toBeUndefined();
    expect(doc.failure?.reason).toBeUndefined();
  });
});

describe('work linear in the size of the document', () => {
  const fill = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length));
  const inItem = (inner: string) => `<rss version="2.0"><channel><item><description>${inner}</description></item></channel></rss>`;
  const size = 1_000_000;
  const bestOf = (doc: string, tries: number, enough = 0) => {
    let best = Infinity;
    for (let i = 0; i < tries && best > enough; i++) {
      const t = performance.now();
      parseXml(doc);
      best = Math.min(best, performance.now() - t);
    }
    return best;
  };
  // Relative to an ordinary document of the same size, so the bound holds on any machine and load (figures in workerd).
  const ordinary = inItem(fill('<p class="x">Text <b>bold</b> &amp; more</p>\n', size));

  it.each([
    // [what, document, bound: its cost over the ordinary one's (now, then)]
    ['a text of bare "&"', inItem(fill('&', size)), 8], // 0.2×, 35×
    ['stray end tags under deep nesting', inItem('<item-body>'.repeat(990) + fill('</item-bodz>', size)), 3], // 0.3×, 10–17×
    [
      'a namespace declared on every element under 2,000 others',
      `<r ${Array.from({ length: 2000 }, (_, i) => `xmlns:p${i}="urn:${i}"`).join(' ')}>${fill('<a xmlns:q="urn:q"/>', size)}</r>`,
      8,
    ], // 4×, 200×
    [
      'a prefix declared at every level of deep chains',
      inItem(fill(Array.from({ length: 990 }, (_, i) => `<a xmlns:p${i}="urn:${i}">`).join('') + '</a>'.repeat(990), size)),
      8,
    ], // 4×, 170×
  ])('%s costs about what an ordinary document does', (_what, doc, bound) => {
    parseXml(ordinary); // warm up, so the baseline is not the first, slow run
    const baseline = bestOf(ordinary, 3);
    expect(parseXml(doc).failure?.code).toBeUndefined();
    expect(bestOf(doc, 3, bound * baseline) / baseline).toBeLessThan(bound);
  });
});

// ───────────── feed text as table keys: the names Object.prototype has find nothing ─────────────

describe('names a plain object already has (constructor, __proto__, toString)', () => {
  const names = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', '__defineGetter__'];

  it.each(names)('&%s; is an undefined entity: kept as written, and noted', (name) => {
    const doc = parseXml(rssWith('', `a &${name}; b`));
    expect(titleOf(doc)).toBe(`a &${name}; b`);
    expect(doc.warnings).toContain(`undefined entity &${name};`);
  });

  it.each(names)('an undeclared prefix %s: is its own namespace key, a string', (name) => {
    const doc = parseXml(`<r><${name}:e ${name}:a="1">v</${name}:e><p:e xmlns:p="${name}">w</p:e></r>`);
    const [undeclared, bound] = elements(doc.root!);
    expect(undeclared.ns).toBe(name);
    expect(undeclared.attrs[`{${name}}a`]).toBe('1');
    expect(bound.ns).toBe(name);
    expect(textOf(undeclared)).toBe('v');
  });
});
