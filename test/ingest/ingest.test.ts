import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ingestFeed } from '../../src/ingest/index';
import expected from '../fixtures/ingest/expected-text.json';

const fetchedAt = '2026-11-24T12:00:00Z';

async function fixture(name: string): Promise<Uint8Array> {
  const res = await fetch(`${env.FIXTURE_ORIGIN}/files/ingest/${name}`);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

async function ingestFixture(name: string, contentType?: string) {
  const result = await ingestFeed(await fixture(name), { url: `https://feeds.example/${name}`, fetchedAt, sourceId: 'src1', contentType });
  if (!result.ok) throw new Error(result.reason);
  return result;
}

describe('ingestFeed: encodings', () => {
  it.each([
    ['thai-windows-874.xml', undefined, 'windows-874'],
    ['thai-tis-620.xml', undefined, 'windows-874'],
    ['thai-undeclared-874.xml', 'application/rss+xml; charset=TIS-620', 'windows-874'],
  ])('decodes Thai %s', async (name, contentType, encoding) => {
    const r = await ingestFixture(name, contentType);
    expect(r.encoding).toBe(encoding);
    expect(r.feed.meta.title).toBe(expected.thaiTitle);
    expect(r.feed.meta.language).toBe('th');
    const [item] = r.feed.items;
    expect(item.title).toBe(expected.thaiItem);
    expect(item.summaryHtml).toBe(`<p>${expected.thaiBody.replace('&', '&amp;')}</p>`);
    expect(item.url).toBe('https://news.example.th/2026/11/set-index');
    expect(item.guid).toBe('th-1');
    expect(item.guidIsPermaLink).toBe(false);
    expect(item.publishedAt).toBe('2026-11-24T02:30:00Z');
    expect(item.language).toBe('th');
  });

  it.each(['vietnamese-windows-1258.xml', 'vietnamese-utf8-nfd.xml', 'vietnamese-utf8-nfc.xml'])('gives NFC Vietnamese from %s', async (name) => {
    const r = await ingestFixture(name);
    expect(r.feed.meta.title).toBe(expected.viTitle.normalize('NFC'));
    const [item] = r.feed.items;
    expect(item.title).toBe(expected.viItem.normalize('NFC'));
    expect(item.summaryHtml).toBe(expected.viBody.normalize('NFC'));
    expect(item.publishedAt).toBe('2026-11-24T01:00:00Z');
  });

  it('the three Vietnamese spellings give the same content hash', async () => {
    const hashes = new Set<string>();
    for (const name of ['vietnamese-windows-1258.xml', 'vietnamese-utf8-nfd.xml', 'vietnamese-utf8-nfc.xml']) {
      hashes.add((await ingestFixture(name)).feed.items[0].contentHash);
    }
    expect(hashes.size).toBe(1);
  });

  it('reads undeclared non-UTF-8 bytes as windows-1252, or as the HTTP charset', async () => {
    const sniffed = await ingestFixture('windows-1252-undeclared.xml');
    expect(sniffed.encoding).toBe('windows-1252');
    expect(sniffed.feed.items[0].title).toBe(expected.w1252);
    const labelled = await ingestFixture('windows-1252-undeclared.xml', 'text/xml; charset=iso-8859-1');
    expect(labelled.encoding).toBe('windows-1252');
    expect(labelled.feed.meta.title).toBe(expected.w1252);
  });

  it.each(['utf16le-bom.xml', 'utf16be-nobom.xml'])('decodes UTF-16 Atom %s', async (name) => {
    const r = await ingestFixture(name);
    expect(r.encoding).toMatch(/^utf-16/);
    expect(r.feed.meta.format).toBe('atom');
    expect(r.feed.meta.title).toBe(`${expected.thaiTitle} / ${expected.viTitle}`);
    expect(r.feed.items[0].title).toBe(expected.viItem);
    expect(r.feed.items[0].contentHtml).toBe(`<b>${expected.thaiItem}</b>`);
  });
});
