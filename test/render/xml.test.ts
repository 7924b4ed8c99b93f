import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { languageTag } from '../../src/patterns';
import { attr, cdata, escapeAttr, escapeXml, mediaType, stripInvalidXmlChars } from '../../src/render/xml';
import { expectWellFormed, FORBIDDEN_XML_CHAR, parseXml, text } from './xml-check';

describe('stripInvalidXmlChars', () => {
  it('drops what XML 1.0 forbids and keeps Thai, Vietnamese, tabs, newlines and emoji', () => {
    expect(stripInvalidXmlChars('a\u0000b\u0001c\u000Bd\uFFFEe\uFFFFf')).toBe('abcdef');
    expect(stripInvalidXmlChars('lone \uD800 high, lone \uDC00 low')).toBe('lone  high, lone  low');
    expect(stripInvalidXmlChars('ข่าว Tiếng Việt\t\n\r 😀')).toBe('ข่าว Tiếng Việt\t\n\r 😀');
    // Reversed pair: two lone halves, both dropped.
    expect(stripInvalidXmlChars('\uDE00\uD83D')).toBe('');
    expect(stripInvalidXmlChars('C1\u0080\u0085\u009F controls')).toBe('C1 controls');
  });
});

describe('escapeXml / escapeAttr', () => {
  it('escapes markup so "]]>" and "<script>" stay text', () => {
    expect(escapeXml('<script>a && b</script> ]]>')).toBe('&lt;script&gt;a &amp;&amp; b&lt;/script&gt; ]]&gt;');
    expect(escapeAttr('say "hi"\tand\nbye')).toBe('say &quot;hi&quot;&#9;and&#10;bye');
  });

  it('returns clean strings unchanged', () => {
    const thai = 'น้ำท่วมกรุงเทพฯ ประชาชนอพยพ';
    expect(escapeXml(thai)).toBe(thai);
  });

  it('round-trips any string through an XML parser as that string minus forbidden characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        const xml = `<r a="${escapeAttr(value)}">${escapeXml(value)}</r>`;
        expectWellFormed(xml);
        const parsed = parseXml(xml).r;
        const expected = stripInvalidXmlChars(value);
        expect(text(parsed)).toBe(expected);
        expect(parsed['@a']).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('cdata', () => {
  it('splits "]]>" so the section cannot end early', () => {
    const section = cdata('a ]]> b \u0000');
    expect(section).toBe('<![CDATA[a ]]]]><![CDATA[> b ]]>');
    expectWellFormed(`<r>${section}</r>`);
    expect(FORBIDDEN_XML_CHAR.test(section)).toBe(false);
  });
});

describe('attr, languageTag, mediaType', () => {
  it('leaves out absent values and normalizes language tags', () => {
    expect(attr('x', undefined) + attr('y', '') + attr('z', 0)).toBe(' z="0"');
    expect(languageTag('th_TH')).toBe('th-TH');
    expect(languageTag('vi')).toBe('vi');
    expect(languageTag('')).toBeUndefined();
    expect(languageTag('th"><x')).toBeUndefined();
    expect(mediaType('audio/mpeg')).toBe('audio/mpeg');
    expect(mediaType('not a type')).toBeUndefined();
  });
});
