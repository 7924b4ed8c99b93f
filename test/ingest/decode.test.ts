import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeBody } from '../../src/ingest/decode';
import said from '../fixtures/ingest/charsets/expected-text.json';

const ascii = (s: string) => new TextEncoder().encode(s);
const xml = (decl: string, bodyBytes: number[]) => new Uint8Array([...ascii(`<?xml version="1.0"${decl}?><r>`), ...bodyBytes, ...ascii('</r>')]);

function text(result: ReturnType<typeof decodeBody>): string {
  if (!result.ok) throw new Error(result.reason);
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
    expect(decodeBody(new Uint8Array())).toEqual({ ok: false, code: 'empty', reason: 'empty body' });
  });

  it('reads the charset parameter however it is quoted', () => {
    expect(charsetFromContentType('text/xml; charset=UTF-8')).toBe('UTF-8');
    expect(charsetFromContentType('text/xml;charset="windows-874"')).toBe('windows-874');
    expect(charsetFromContentType("text/xml; charset= 'tis-620'")).toBe('tis-620');
    expect(charsetFromContentType('text/xml')).toBeUndefined();
  });
});

async function fixture(path: string): Promise<Uint8Array> {
  const res = await fetch(`${env.FIXTURE_ORIGIN}/files/${path}`);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

// Issue 11, point 6: the bytes overrule a declaration that does not fit them, and name the charset when none is given.
// Fixtures: test/fixtures/ingest/make-charset-fixtures.mjs (real news text through the inverse WHATWG decoders).
describe('decodeBody: the charset the bytes are in', () => {
  it.each([
    // [file, Content-Type, charset read, label the source gave, text that must come out]
    ['thai-874-declared-utf8.xml', undefined, 'windows-874', 'UTF-8', said.th],
    ['thai-874-declared-utf8.xml', 'application/rss+xml; charset=utf-8', 'windows-874', 'utf-8', said.th],
    ['thai-874-undeclared.xml', undefined, 'windows-874', undefined, said.th],
    ['vietnamese-1258-undeclared.xml', undefined, 'windows-1258', undefined, said.vi],
    ['vietnamese-1258-declared-utf8.xml', undefined, 'windows-1258', 'utf-8', said.vi],
    ['gb2312-undeclared.xml', undefined, 'gbk', undefined, said.zh],
    ['big5-undeclared.xml', undefined, 'big5', undefined, said.zhTW],
    ['big5-declared-gb2312.xml', undefined, 'big5', 'GB2312', said.zhTW],
    ['shift-jis-undeclared.xml', undefined, 'shift_jis', undefined, said.ja],
    ['euc-jp-undeclared.xml', undefined, 'euc-jp', undefined, said.ja],
    ['euc-kr-undeclared.xml', undefined, 'euc-kr', undefined, said.ko],
    ['koi8-r-undeclared.xml', undefined, 'koi8-r', undefined, said.ru],
    ['windows-1251-undeclared.xml', undefined, 'windows-1251', undefined, said.ru],
    ['windows-1251-declared-latin1.xml', 'text/xml; charset=ISO-8859-1', 'windows-1251', 'ISO-8859-1', said.ru],
    ['utf8-stray-byte-declared-latin1.xml', undefined, 'utf-8', 'ISO-8859-1', said.stray],
    ['utf8-twice-danish.xml', undefined, 'utf-8', 'utf-8', said.da],
    ['utf8-twice-thai.xml', undefined, 'utf-8', 'utf-8', said.th],
  ])('%s (Content-Type %s) is read as %s', async (file, contentType, name, declared, expected) => {
    const r = decodeBody(await fixture(`ingest/charsets/${file}`), contentType);
    if (!r.ok) throw new Error(r.reason);
    expect(r.charset).toEqual({ name, how: 'detected', ...(declared ? { declared } : {}), reason: expect.any(String) });
    expect(r.encoding).toBe(name);
    // windows-1258 spells tones as combining marks; the text is the same once composed.
    expect(r.text.normalize('NFC')).toContain(expected);
    expect(r.text).not.toMatch(/\uFFFD|Ã|à¸/);
    expect(r.warnings).toContain(r.charset.reason);
  });

  it.each([
    // feedparser's own chardet cases (kurtmckee/feedparser tests/illformed/chardet): no charset anywhere.
    ['big5.xml', 'big5', '我希望'],
    ['eucjp.xml', 'euc-jp', 'ゲーム三昧な正月'],
    ['euckr.xml', 'euc-kr', '한글닉네임 표시하기'],
    ['gb2312.xml', 'gbk', '不归移民漫画系列：专业工作'],
    ['koi8r.xml', 'koi8-r', 'Как пережить новогоднюю ночь'],
    ['shiftjis.xml', 'shift_jis', 'DrecomRSSに記事投稿が反映されない…'],
    ['tis620.xml', 'windows-874', 'สำนักงานส่งเสริมอุตสาหกรรมซอฟต์แวร์'],
    ['windows1255.xml', 'windows-1255', 'האם תדפיס'],
  ])("names the charset of feedparser's undeclared %s: %s", async (file, name, expected) => {
    const r = decodeBody(await fixture(`corpus/feedparser/illformed/chardet/${file}`));
    if (!r.ok) throw new Error(r.reason);
    expect(r.charset).toMatchObject({ name, how: 'detected' });
    expect(r.text).toContain(expected);
  });

  it.each([
    // [bytes, Content-Type, report]: where the label fits the bytes it is kept, and the report says where it came from.
    [new Uint8Array([0xef, 0xbb, 0xbf, ...xml('', [0xc3, 0xa9])]), 'text/xml; charset=koi8-r', { name: 'utf-8', how: 'bom' }],
    [xml(' encoding="windows-1251"', [0xf0, 0xd2]), 'text/xml; charset=KOI8-R', { name: 'koi8-r', how: 'http', declared: 'KOI8-R' }],
    [xml(' encoding="TIS-620"', [0xa1, 0xd2, 0xc3, 0xe0, 0xc1, 0xd7, 0xcd, 0xa7]), undefined, { name: 'windows-874', how: 'declared', declared: 'TIS-620' }],
    [xml(' encoding="iso-8859-1"', [0x43, 0x61, 0x66, 0xe9]), undefined, { name: 'windows-1252', how: 'declared', declared: 'iso-8859-1' }],
    [xml(' encoding="windows-1252"', [0x45, 0x75, 0x72, 0x6f, 0x20, 0x80]), undefined, { name: 'windows-1252', how: 'declared', declared: 'windows-1252' }],
    [xml('', [...new TextEncoder().encode('ข่าว')]), undefined, { name: 'utf-8', how: 'default' }],
    [xml('', [0x43, 0x61, 0x66, 0xe9]), undefined, { name: 'windows-1252', how: 'default' }],
    [ascii('<r>plain</r>'), undefined, { name: 'utf-8', how: 'default' }],
  ])('reports how the charset was chosen (%#)', (bytes, contentType, report) => {
    const r = decodeBody(bytes, contentType);
    if (!r.ok) throw new Error(r.reason);
    expect(r.charset).toEqual({ ...report, reason: expect.stringMatching(/\w/) });
  });
});
