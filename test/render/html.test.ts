import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { CategorySummary, SourceStatus } from '../../src/model';
import { PAGE_STYLE, PAGE_STYLE_CSP_HASH, renderIndexPage, renderRiverPage, renderStatusPage } from '../../src/render/html';
import { emptyRiver, HOSTILE, hostileItem, podcastItem, renderContext, river, thaiItem, vietItem } from './sample-river';
import { FORBIDDEN_XML_CHAR } from './xml-check';

/** Our pages are written so that, void elements aside, they are balanced markup: any stray "<" would break this. */
function expectBalancedHtml(html: string): void {
  const result = XMLValidator.validate(html.replace(/^<!doctype html>/i, ''), {
    unpairedTags: ['meta', 'link', 'img', 'br', 'hr'],
    allowBooleanAttributes: true,
  });
  expect(result, typeof result === 'object' ? JSON.stringify(result.err) : '').toBe(true);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/\son[a-z]+=/i);
  expect(FORBIDDEN_XML_CHAR.test(html)).toBe(false);
}

const base = 'https://tributary.test';

describe('page style', () => {
  it('matches the CSP hash the server sends', async () => {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(PAGE_STYLE));
    const b64 = btoa(String.fromCharCode(...new Uint8Array(digest)));
    expect(PAGE_STYLE_CSP_HASH).toBe(`'sha256-${b64}'`);
  });

  it('names Thai-capable fonts', () => {
    expect(PAGE_STYLE).toContain('"Noto Sans Thai"');
    expect(PAGE_STYLE).toContain('Leelawadee UI');
    expect(PAGE_STYLE).toContain(':lang(th)');
  });
});

describe('renderIndexPage', () => {
  const rows: CategorySummary[] = [
    { category: { slug: 'thai', title: 'ข่าวไทย', description: 'ข่าวจากประเทศไทย', language: 'th' }, itemCount: 12, updatedAt: '2025-03-01T12:00:00.000Z' },
    { category: { slug: 'viet', title: 'Tin tức', language: 'vi' }, itemCount: 1 },
    { category: { slug: 'evil', title: HOSTILE }, itemCount: 0 },
  ];

  it('lists each category with its three feeds, autodiscovery, counts and last update', () => {
    const html = renderIndexPage(rows, { baseUrl: base, generator: 'Tributary/0.1' });
    expectBalancedHtml(html);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    for (const slug of ['thai', 'viet', 'evil', 'all']) {
      expect(html).toContain(`<link rel="alternate" type="application/rss+xml" title=`);
      for (const ext of ['rss', 'atom', 'json']) {
        expect(html).toContain(`href="${base}/feeds/${slug}.${ext}"`);
        expect(html.match(new RegExp(`<link rel="alternate"[^>]+href="${base}/feeds/${slug}\\.${ext}"`, 'g'))).toHaveLength(1);
      }
    }
    expect(html).toContain(`<h2 lang="th"><a href="${base}/c/thai">ข่าวไทย</a></h2>`);
    expect(html).toContain('<p lang="th">ข่าวจากประเทศไทย</p>');
    expect(html).toContain('<h2 lang="vi">');
    expect(html).toContain('12 items · updated <time datetime="2025-03-01T12:00:00.000Z">2025-03-01 12:00 UTC</time>');
    expect(html).toContain('<p class="meta">1 item</p>');
    expect(html).toContain(`href="${base}/status"`);
    expect(html).toContain(`href="${base}/feeds.opml"`);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('says what to do when there are no categories', () => {
    const html = renderIndexPage([], { baseUrl: base, generator: 'Tributary/0.1', title: 'My river' });
    expectBalancedHtml(html);
    expect(html).toContain('<title>My river</title>');
    expect(html).toContain('No categories yet');
    expect(html).not.toContain('rel="alternate"');
  });
});

describe('renderRiverPage', () => {
  const ctx = renderContext('asia', 'rss', { selfUrl: `${base}/c/asia`, nextUrl: `${base}/c/asia?before=c1` });

  it('shows each item with title link, sources, time, thumbnail and summary, in its language', () => {
    const html = renderRiverPage(river, [thaiItem, vietItem, podcastItem], ctx);
    expectBalancedHtml(html);
    expect(html).toMatch(/<html lang="th">/);
    expect(html).toContain(`<h1><a href="${base}/c/asia">ข่าวเอเชีย – Tin châu Á</a></h1>`);
    // The Thai item is in the page's language; the Vietnamese one says it is not.
    expect(html).toContain(`<article>\n<h2><a href="${thaiItem.url}">${thaiItem.title}</a></h2>`);
    expect(html).toContain(`<article lang="vi">\n<h2><a href="${vietItem.url}">`);
    expect(html).toContain(
      '<a href="https://news.example.th/">ข่าวไทยรายวัน</a><span lang="en"> · also in </span><a href="https://tin.example.vn/">Tin tức Việt Nam</a>, <a href="https://wire.example.com/story/42?utm_source=x&amp;ref=y">Wire &amp; Co &lt;Asia&gt;</a>',
    );
    expect(html).toContain('<time datetime="2025-03-01T09:30:00.000Z">2025-03-01 09:30 UTC</time>');
    expect(html).toContain(`<img class="thumb" src="${thaiItem.image}" alt=""`);
    expect(html).toContain(`<div class="summary">${thaiItem.summaryHtml}</div>`);
    // No link: a plain heading.
    expect(html).toContain(`<h2>${podcastItem.title}</h2>`);
    expect(html).toContain(`<link rel="next" href="${base}/c/asia?before=c1">`);
    expect(html).toContain(`<a href="${base}/c/asia?before=c1" rel="next">Older items →</a>`);
    for (const ext of ['rss', 'atom', 'json'])
      expect(html).toContain(`<link rel="alternate" type="application/${ext === 'rss' ? 'rss+xml' : ext === 'atom' ? 'atom+xml' : 'feed+json'}"`);
  });

  it('escapes hostile titles and drops characters HTML cannot carry', () => {
    const html = renderRiverPage(river, [hostileItem], ctx);
    expectBalancedHtml(html);
    expect(html).toContain('<h2><a href="https://evil.example/a?x=1&amp;y=&lt;2&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; ]]&gt; &amp;');
    expect(html).toContain('src="https://evil.example/i.png?a=1&amp;b=&quot;2&quot;"');
  });

  it('renders an empty river without an older link', () => {
    const html = renderRiverPage(emptyRiver, [], renderContext('empty', 'rss'));
    expectBalancedHtml(html);
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toContain('No items here yet.');
    expect(html).not.toContain('Older items');
  });
});

describe('renderStatusPage', () => {
  const row = (overrides: Partial<SourceStatus>): SourceStatus => ({
    id: 'src',
    url: 'https://example.org/feed.xml',
    title: 'Example',
    categories: ['news'],
    lastCheckedAt: '2025-03-01T10:00:00.000Z',
    lastSuccessAt: '2025-03-01T10:00:00.000Z',
    lastStatus: 200,
    lastError: null,
    lastErrorCode: null,
    lastOutcome: 'fresh',
    consecutiveFailures: 0,
    nextCheckAt: '2025-03-01T10:15:00.000Z',
    itemCount: 25,
    paused: false,
    pausedBy: null,
    failingSince: null,
    hub: null,
    subscription: null,
    permanentRedirect: null,
    identityPolicy: 'guid',
    charset: { name: 'utf-8', how: 'http', declared: 'utf-8', reason: 'Content-Type charset=utf-8' },
    ...overrides,
  });

  it('tabulates sources with errors in words, paused sources flagged and redirects', () => {
    const rows = [
      row({}),
      row({
        id: 'gone',
        title: 'ข่าวหาย',
        lastStatus: 410,
        lastError: 'HTTP 410 from https://gone.example/feed — the feed was removed',
        lastErrorCode: 'http',
        consecutiveFailures: 12,
        paused: true,
        pausedBy: 'failures',
        lastSuccessAt: null,
      }),
      row({ id: 'moved', lastStatus: 301, permanentRedirect: 'https://new.example/feed?a=1&b=2' }),
      row({ id: 'new', lastCheckedAt: null, lastSuccessAt: null, lastStatus: null, title: '<b>new</b>' }),
      row({ id: 'slow', lastError: 'timed out after 10 s (no answer from slow.example)', lastErrorCode: 'timeout', consecutiveFailures: 1 }),
      row({ id: 'slower', lastError: 'timed out after 10 s (no answer from slower.example)', lastErrorCode: 'timeout', consecutiveFailures: 2 }),
    ];
    const html = renderStatusPage(rows, { baseUrl: base, generatedAt: '2025-03-01T10:05:00.000Z' });
    expectBalancedHtml(html);
    // The failing sources counted by their codes, for an operator scanning for a pattern (a host down, a proxy).
    expect(html).toContain('6 sources · 3 failing (2 timeout, 1 http) · 1 paused');
    expect(html.match(/<tr[ >]/g)).toHaveLength(7);
    expect(html).toContain('<tr class="paused bad" id="source-gone">');
    expect(html).toContain('<span class="flag">Paused</span> after 12 failures in a row<br>HTTP 410 from https://gone.example/feed — the feed was removed');
    expect(html).toContain('<td>410 Gone</td>');
    expect(html).toContain(
      'Moved permanently to <a href="https://new.example/feed?a=1&amp;b=2">https://new.example/feed?a=1&amp;b=2</a> <span class="muted">(polled there)</span>',
    );
    expect(html).toContain('&lt;b&gt;new&lt;/b&gt;');
    expect(html).toContain('not polled yet');
    expect(html).toContain(`<a href="${base}/c/news">news</a>`);
    expect(html).toContain(`href="${base}/status.json"`);
  });

  it('shows the charset each source was read in, and why when the bytes overruled its label (issue 11, point 6)', () => {
    const reason = 'encoding="UTF-8" in the XML declaration, but the bytes read best as windows-874 (1.08 points a byte, utf-8 -2.24)';
    const rows = [
      row({}),
      row({ id: 'thai', charset: { name: 'windows-874', how: 'detected', declared: 'UTF-8', reason } }),
      row({ id: 'new', charset: null }),
    ];
    const html = renderStatusPage(rows, { baseUrl: base, generatedAt: '2025-03-01T10:05:00.000Z' });
    expectBalancedHtml(html);
    expect(html).toContain('<th scope="col">Charset</th>');
    expect(html).toContain('<td><span title="Content-Type charset=utf-8">utf-8 <span class="muted">(Content-Type)</span></span></td>');
    expect(html).toContain(`<td>windows-874 <span class="muted">(detected)</span><br><span class="muted">${reason.replaceAll('"', '&quot;')}</span></td>`);
    expect(html.match(/<td><span class="muted">–<\/span><\/td>/g)).toHaveLength(1);
  });

  it('renders with no sources', () => {
    const html = renderStatusPage([], { baseUrl: base, generatedAt: '2025-03-01T10:05:00.000Z' });
    expectBalancedHtml(html);
    expect(html).toContain('No sources registered.');
  });
});
