import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeBody } from '../../src/ingest/decode';

const ascii = (s: string) => new TextEncoder().encode(s);
const xml = (decl: string, bodyBytes: number[]) => new Uint8Array([...ascii(`<?xml version="1.0"${decl}?><r>`), ...bodyBytes, ...ascii('</r>')]);

function text(result: ReturnType<typeof decodeBody>): string {
  if (!result.ok) throw new Error(result.error);
  return result.text;
}

describe('decodeBody', () => {
  it.each([
    ['windows-1251', [0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2], 'Привет'],
    ['KOI8-R', [0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4], 'Привет'],
    ['GB2312', [0xc4, 0xe3, 0xba, 0xc3], '你好'],
    ['GBK', [0xc4, 0xe3, 0xba, 0xc3], '你好'],
    ['GB18030', [0xc4, 0xe3, 0xba, 0xc3], '你好'],
    ['Big5', [0xa7, 0x41, 0xa6, 0x6e], '你好'],
    ['Shift_JIS', [0x82, 0xb1, 0x82, 0xf1], 'こん'],
    ['EUC-KR', [0xbe, 0xc8, 0xb3, 0xe7], '안녕'],
    ['TIS-620', [0xa1, 0xd2, 0xc3], 'การ'],
    ['windows-1258', [0x56, 0x69, 0xea, 0xf2, 0x74], 'Viê\u0323t'],
    ['iso-8859-1', [0x93, 0x41, 0x94], '\u201cA\u201d'],
  ])('decodes %s from the XML declaration', (label, bytes, expected) => {
    const r = decodeBody(xml(` encoding="${label}"`, bytes));
    expect(text(r)).toContain(`<r>${expected}</r>`);
  });

  it('prefers a BOM over everything, then the HTTP charset over the declaration', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...xml(' encoding="windows-1251"', [0xd0, 0x9f])]);
    expect(decodeBody(bom, 'text/xml; charset=koi8-r')).toMatchObject({ ok: true, encoding: 'utf-8' });
    const declared1251 = xml(' encoding="windows-1251"', [0xf0, 0xd2]);
    expect(decodeBody(declared1251, 'application/rss+xml; charset="KOI8-R"')).toMatchObject({ ok: true, encoding: 'koi8-r' });
    expect(text(decodeBody(declared1251, "text/xml;charset='koi8-r'"))).toContain('<r>Пр</r>');
  });

  it('trusts valid UTF-8 bytes over a declaration that names a single-byte charset', () => {
    const r = decodeBody(xml(' encoding="iso-8859-1"', [...new TextEncoder().encode('Café')]));
    expect(r).toMatchObject({ ok: true, encoding: 'utf-8', warnings: ['declared windows-1252 but the bytes are UTF-8'] });
    expect(text(r)).toContain('<r>Café</r>');
  });

  it('decodes UTF-16 with and without a BOM, little and big endian', () => {
    const doc = '<?xml version="1.0" encoding="utf-16"?><r>ภาษา</r>';
    const units = [...doc].map((c) => c.charCodeAt(0));
    const le = new Uint8Array(units.flatMap((u) => [u & 0xff, u >> 8]));
    const be = new Uint8Array(units.flatMap((u) => [u >> 8, u & 0xff]));
    expect(decodeBody(le)).toMatchObject({ ok: true, encoding: 'utf-16le', text: doc });
    expect(decodeBody(be)).toMatchObject({ ok: true, encoding: 'utf-16be', text: doc });
    expect(decodeBody(new Uint8Array([0xff, 0xfe, ...le]))).toMatchObject({ ok: true, encoding: 'utf-16le', text: doc });
    expect(decodeBody(new Uint8Array([0xfe, 0xff, ...be]))).toMatchObject({ ok: true, encoding: 'utf-16be', text: doc });
  });

  it('ignores a utf-16 declaration on 8-bit bytes, and unknown labels, with warnings', () => {
    const r = decodeBody(ascii('<?xml version="1.0" encoding="utf-16"?><r>x</r>'));
    expect(r).toMatchObject({ ok: true, encoding: 'utf-8' });
    const bogus = decodeBody(ascii('<?xml version="1.0" encoding="bogus"?><r>x</r>'));
    expect(bogus).toMatchObject({ ok: true, encoding: 'utf-8', warnings: ['unknown encoding "bogus" in the XML declaration'] });
  });

  it('replaces invalid bytes with U+FFFD and keeps the rest', () => {
    const r = decodeBody(new Uint8Array([...ascii('<r>a'), 0xff, ...ascii('b</r>')]), 'text/xml; charset=utf-8');
    expect(text(r)).toBe('<r>a\uFFFDb</r>');
  });

  it('refuses an empty body', () => {
    expect(decodeBody(new Uint8Array())).toEqual({ ok: false, error: 'empty body' });
  });

  it('reads the charset parameter however it is quoted', () => {
    expect(charsetFromContentType('text/xml; charset=UTF-8')).toBe('UTF-8');
    expect(charsetFromContentType('text/xml;charset="windows-874"')).toBe('windows-874');
    expect(charsetFromContentType("text/xml; charset= 'tis-620'")).toBe('tis-620');
    expect(charsetFromContentType('text/xml')).toBeUndefined();
  });
});
