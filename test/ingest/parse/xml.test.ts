import { describe, expect, it } from 'vitest';
import { elements, parseXml } from '../../../src/ingest/parse/xml';

describe('namespaced attributes under {nsKey}local', () => {
  it('are keyed the same way on every element, past the reused-key cache (256 keys)', () => {
    // 300 distinct namespaced names plus xml:lang on each: the cache of spelled keys fills, later ones are still keyed.
    const items = Array.from({ length: 300 }, (_, i) => `<e xml:lang="th" x:a${i}="v${i}"/>`).join('');
    const doc = parseXml(`<root xmlns:x="http://example.org/ns">${items}</root>`);
    expect(doc.error).toBeUndefined();
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
