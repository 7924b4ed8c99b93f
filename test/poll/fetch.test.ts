import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config';
import type { Config, FetchFailureCode, FetchOutcome } from '../../src/model';
import { BudgetSpent, fetchFeed, formatBytes, freshnessSeconds, parseRetryAfter, userAgent } from '../../src/poll/fetch';
import { fixtureHits as hits, fixtureRoute as route } from '../support/kv';

const origin = env.FIXTURE_ORIGIN;
const host = new URL(origin).host;
const config: Config = { ...readConfig(env), fetchTimeoutMs: 1000 };
const RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>';

function text(outcome: FetchOutcome): string {
  if (!outcome.ok || outcome.kind !== 'fresh') throw new Error(`expected fresh, got ${JSON.stringify(outcome)}`);
  return new TextDecoder().decode(outcome.body);
}

/** The reason of a failure with this code (the code is what the run acts on, the reason what people read). */
function reason(outcome: FetchOutcome, code: FetchFailureCode): string {
  if (outcome.ok) throw new Error(`expected failed, got ${outcome.kind}`);
  expect(outcome.code, outcome.reason).toBe(code);
  return outcome.reason;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

async function compress(textBody: string, format: 'gzip' | 'deflate' | 'deflate-raw'): Promise<Uint8Array> {
  const stream = new Blob([textBody]).stream().pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('fetchFeed: success and conditional GET', () => {
  it('returns a 200 body with its validators, content type and freshness, sending honest headers', async () => {
    const url = await route('ok', {
      headers: {
        'content-type': 'application/rss+xml; charset=utf-8',
        etag: '"v1"',
        'last-modified': 'Tue, 24 Nov 2026 08:00:00 GMT',
        'cache-control': 'public, max-age=3600',
      },
      body: RSS,
    });
    const outcome = await fetchFeed(url, {}, config);
    expect(outcome).toMatchObject({
      ok: true,
      kind: 'fresh',
      status: 200,
      finalUrl: url,
      contentType: 'application/rss+xml; charset=utf-8',
      etag: '"v1"',
      lastModified: 'Tue, 24 Nov 2026 08:00:00 GMT',
      maxAgeSeconds: 3600,
    });
    expect(outcome).not.toHaveProperty('permanentRedirect');
    expect(text(outcome)).toBe(RSS);
    const seen = (await hits('ok')).lastHeaders;
    expect(seen['user-agent']).toBe('Tributary/0.1.0 (+https://tributary.test)');
    expect(seen.accept).toMatch(/^application\/rss\+xml, application\/atom\+xml, application\/feed\+json/);
    expect(seen['accept-encoding']).toBe('gzip, deflate, br');
    expect(seen['if-none-match']).toBeUndefined();
    expect(seen['if-modified-since']).toBeUndefined();
  });

  it('answers 304 → not-modified when the ETag matches', async () => {
    const url = await route('etag', { headers: { etag: '"abc"' }, body: RSS, conditional: true });
    const first = await fetchFeed(url, {}, config);
    expect(first).toMatchObject({ ok: true, kind: 'fresh', etag: '"abc"' });
    const second = await fetchFeed(url, { etag: '"abc"' }, config);
    expect(second).toEqual({ ok: true, kind: 'not-modified', status: 304, finalUrl: url, etag: '"abc"' });
    expect((await hits('etag')).lastHeaders['if-none-match']).toBe('"abc"');
    // A stale ETag gets the full body again.
    expect(await fetchFeed(url, { etag: '"old"' }, config)).toMatchObject({ ok: true, kind: 'fresh' });
  });

  it('answers 304 → not-modified when Last-Modified matches', async () => {
    const lm = 'Mon, 23 Nov 2026 10:00:00 GMT';
    const url = await route('lm', { headers: { 'last-modified': lm }, body: RSS, conditional: true });
    const outcome = await fetchFeed(url, { lastModified: lm }, config);
    expect(outcome).toMatchObject({ ok: true, kind: 'not-modified', status: 304, lastModified: lm });
    expect((await hits('lm')).lastHeaders['if-modified-since']).toBe(lm);
  });

  it('refuses a 304 to an unconditional request instead of reporting success', async () => {
    const url = await route('bare304', { status: 304 });
    expect(reason(await fetchFeed(url, {}, config), 'http')).toBe(`HTTP 304 from ${host} to a request without If-None-Match/If-Modified-Since`);
  });

  it('uses the given User-Agent and fetcher', async () => {
    const url = await route('ua', { body: RSS });
    const called: string[] = [];
    const fetcher: typeof fetch = (input, init) => {
      called.push(String(input));
      return fetch(input, init);
    };
    const outcome = await fetchFeed(url, {}, config, { userAgent: 'Custom/1', fetcher });
    expect(outcome).toMatchObject({ ok: true, kind: 'fresh' });
    expect(called).toEqual([url]);
    expect((await hits('ua')).lastHeaders['user-agent']).toBe('Custom/1');
  });

  it('builds the User-Agent from version and public URL', () => {
    expect(userAgent('1.2.3', 'https://planet.example')).toBe('Tributary/1.2.3 (+https://planet.example)');
    expect(userAgent('1.2.3')).toBe('Tributary/1.2.3');
  });
});

describe('fetchFeed: redirects', () => {
  it('follows a permanent redirect to a URL longer than a source may be, and does not remember it', async () => {
    await route('long-target', { body: RSS });
    const long = `/r/long-target?pad=${'x'.repeat(2100)}`;
    const outcome = await fetchFeed(await route('long-from', { status: 301, redirectTo: long }), {}, config);
    expect(outcome).toMatchObject({ ok: true, kind: 'fresh', finalUrl: `${origin}${long}` });
    // Polled there, it would be refused (checkSourceUrl's 2,048 characters): every other poll would fail.
    expect(outcome).not.toHaveProperty('permanentRedirect');
  });

  it('follows 301 → 308 and reports the permanent target', async () => {
    await route('p3', { body: RSS });
    await route('p2', { status: 308, redirectTo: '/r/p3' });
    const url = await route('p1', { status: 301, redirectTo: '/r/p2' });
    const outcome = await fetchFeed(url, {}, config);
    expect(outcome).toMatchObject({ ok: true, kind: 'fresh', finalUrl: `${origin}/r/p3`, permanentRedirect: `${origin}/r/p3` });
    expect(text(outcome)).toBe(RSS);
  });

  it('does not report a permanent redirect when any hop is temporary (301 → 302)', async () => {
    await route('t3', { body: RSS });
    await route('t2', { status: 302, redirectTo: '/r/t3' });
    const url = await route('t1', { status: 301, redirectTo: '/r/t2' });
    const outcome = await fetchFeed(url, {}, config);
    expect(outcome).toMatchObject({ ok: true, kind: 'fresh', finalUrl: `${origin}/r/t3` });
    expect(outcome).not.toHaveProperty('permanentRedirect');
  });

  it('resolves a relative Location and keeps validators on each hop', async () => {
    await route('rel-target', { headers: { etag: '"r"' }, body: RSS, conditional: true });
    const url = await route('rel-start', { status: 307, headers: { location: 'rel-target' } });
    const outcome = await fetchFeed(url, { etag: '"r"' }, config);
    expect(outcome).toMatchObject({ ok: true, kind: 'not-modified', finalUrl: `${origin}/r/rel-target` });
  });

  it('reports a permanent redirect even when the final answer fails', async () => {
    await route('moved-gone', { status: 404 });
    const url = await route('moved', { status: 301, redirectTo: '/r/moved-gone' });
    expect(await fetchFeed(url, {}, config)).toEqual({
      ok: false,
      code: 'http',
      status: 404,
      reason: `HTTP 404 from ${host}`,
      permanentRedirect: `${origin}/r/moved-gone`,
    });
  });

  it('detects a redirect loop', async () => {
    const outcome = await fetchFeed(`${origin}/loop/a`, {}, config);
    expect(reason(outcome, 'redirect')).toBe(`redirect loop: back to ${origin}/loop/a after 2 redirects`);
    expect(outcome).toMatchObject({ status: 302 });
  });

  it('detects a page that redirects to itself', async () => {
    const url = await route('self', { status: 301, redirectTo: '/r/self' });
    expect(reason(await fetchFeed(url, {}, config), 'redirect')).toBe(`redirect loop: back to ${url} after 1 redirect`);
  });

  it('stops after maxRedirects hops', async () => {
    await route('hop6', { body: RSS });
    for (let i = 5; i >= 1; i--) await route(`hop${i}`, { status: 302, redirectTo: `/r/hop${i + 1}` });
    // Five hops are allowed…
    expect(await fetchFeed(`${origin}/r/hop1`, {}, config)).toMatchObject({ ok: true, kind: 'fresh' });
    // …a sixth is not.
    await route('hop0', { status: 302, redirectTo: '/r/hop1' });
    expect(reason(await fetchFeed(`${origin}/r/hop0`, {}, config), 'redirect')).toBe(`too many redirects (more than 5), last to ${origin}/r/hop6`);
    expect((await hits('hop6')).hits).toBe(1);
  });

  it('refuses a redirect to a private address without contacting it', async () => {
    const outcome = await fetchFeed(`${origin}/to-private`, {}, config);
    expect(reason(outcome, 'refused-url')).toBe('redirect to a private address refused: http://10.0.0.1/feed.xml (private network 10.0.0.0/8)');
  });

  it('refuses a redirect to another scheme', async () => {
    const url = await route('to-ftp', { status: 302, headers: { location: 'ftp://example.com/feed' } });
    expect(reason(await fetchFeed(url, {}, config), 'refused-url')).toBe(
      'redirect to a non-http(s) URL refused: ftp://example.com/feed (only http and https can be polled, not ftp:)',
    );
  });

  it('explains a redirect without Location', async () => {
    const url = await route('no-location', { status: 301 });
    expect(reason(await fetchFeed(url, {}, config), 'redirect')).toBe(`HTTP 301 from ${host} without a Location header`);
  });

  it('refuses a private source URL before any request', async () => {
    let calls = 0;
    const fetcher: typeof fetch = async (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const outcome = await fetchFeed('http://192.168.1.1/feed', {}, config, { fetcher });
    expect(reason(outcome, 'refused-url')).toMatch(/^private address refused: http:\/\/192\.168\.1\.1\/feed \(private network/);
    expect(calls).toBe(0);
  });
});

describe('fetchFeed: HTTP errors', () => {
  it('404 and 500 name the status and host', async () => {
    for (const status of [404, 500]) {
      const url = await route(`status-${status}`, { status, body: 'nope' });
      expect(await fetchFeed(url, {}, config)).toEqual({ ok: false, code: 'http', status, reason: `HTTP ${status} from ${host}` });
    }
  });

  it('410 is gone', async () => {
    const url = await route('gone', { status: 410 });
    expect(await fetchFeed(url, {}, config)).toEqual({
      ok: false,
      code: 'http',
      status: 410,
      gone: true,
      reason: `HTTP 410 Gone from ${host}: the publisher removed this feed`,
    });
  });

  it('429 with Retry-After in seconds', async () => {
    const url = await route('busy-seconds', { status: 429, headers: { 'retry-after': '120' } });
    const before = Date.now();
    const outcome = await fetchFeed(url, {}, config);
    if (outcome.ok || !outcome.retryAt) throw new Error(JSON.stringify(outcome));
    const at = Date.parse(outcome.retryAt);
    expect(at).toBeGreaterThanOrEqual(before + 120_000);
    expect(at).toBeLessThanOrEqual(Date.now() + 120_000);
    expect(outcome.code).toBe('http');
    expect(outcome.reason).toMatch(new RegExp(`^HTTP 429 from ${host}, retry after \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d)?Z$`));
  });

  it('429 with Retry-After as an HTTP date (judged against the server Date)', async () => {
    const url = await route('busy-date', {
      status: 429,
      headers: { 'retry-after': 'Wed, 25 Nov 2026 10:00:00 GMT', date: 'Wed, 25 Nov 2026 09:00:00 GMT' },
    });
    const before = Date.now();
    const outcome = await fetchFeed(url, {}, config);
    if (outcome.ok || !outcome.retryAt) throw new Error(JSON.stringify(outcome));
    // One hour after the server's "now", whatever our clock says.
    expect(Date.parse(outcome.retryAt) - before).toBeGreaterThanOrEqual(3600_000 - 1000);
    expect(Date.parse(outcome.retryAt) - before).toBeLessThanOrEqual(3600_000 + 1000);
  });

  it('503 with and without Retry-After', async () => {
    const plain = await route('unavailable', { status: 503 });
    expect(await fetchFeed(plain, {}, config)).toEqual({ ok: false, code: 'http', status: 503, reason: `HTTP 503 from ${host}` });
    const later = await route('unavailable-later', { status: 503, headers: { 'retry-after': '600' } });
    const outcome = await fetchFeed(later, {}, config);
    expect(outcome).toMatchObject({ ok: false, code: 'http', status: 503, retryAt: expect.any(String) });
  });

  it('recognises a Cloudflare bot challenge', async () => {
    for (const status of [403, 503]) {
      const url = await route(`challenge-${status}`, {
        status,
        headers: { 'cf-mitigated': 'challenge', 'content-type': 'text/html' },
        body: '<html>Just a moment...</html>',
      });
      expect(reason(await fetchFeed(url, {}, config), 'challenge')).toBe(`Cloudflare bot challenge (${status} + cf-mitigated) from ${host}`);
    }
    const plain403 = await route('forbidden', { status: 403 });
    expect(reason(await fetchFeed(plain403, {}, config), 'http')).toBe(`HTTP 403 from ${host}`);
  });

  it('never throws: a throwing fetcher, a spent budget or an unsendable validator become failures', async () => {
    const throwing: typeof fetch = () => {
      throw new Error('boom');
    };
    expect(await fetchFeed(`${origin}/r/ok`, {}, config, { fetcher: throwing })).toEqual({
      ok: false,
      code: 'network',
      reason: `network error talking to ${host}: boom`,
    });
    // The run's budget, refused by its fetcher: told apart by its code, not its words.
    const spent: typeof fetch = () => Promise.reject(new BudgetSpent());
    expect(await fetchFeed(`${origin}/r/ok`, {}, config, { fetcher: spent })).toMatchObject({ ok: false, code: 'budget' });
    const outcome = await fetchFeed(`${origin}/r/ok`, { etag: '"a"\r\nX-Injected: 1' }, config);
    expect(reason(outcome, 'request')).toMatch(new RegExp(`^request not sent to ${host}: `));
  });

  it('explains a refused connection', async () => {
    const closed = 'http://127.0.0.1:9';
    const outcome = await fetchFeed(`${closed}/feed`, {}, { ...config, privateSourceOrigins: [closed] });
    expect(reason(outcome, 'network')).toBe('could not connect to 127.0.0.1:9 (connection refused or dropped)');
  });
});

describe('fetchFeed: hostile and broken bodies', () => {
  it('gives up on a server that never answers', async () => {
    const started = Date.now();
    const outcome = await fetchFeed(`${origin}/hang`, {}, config);
    expect(reason(outcome, 'timeout')).toBe(`timed out after 1 s (no answer from ${host})`);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('the deadline covers the body too (slow drip)', async () => {
    const started = Date.now();
    const outcome = await fetchFeed(`${origin}/drip`, {}, config);
    expect(reason(outcome, 'timeout')).toBe(`timed out after 1 s (body from ${host} still arriving)`);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('stops a gzip bomb at the decompressed cap', async () => {
    const outcome = await fetchFeed(`${origin}/gzip-bomb`, {}, { ...config, fetchTimeoutMs: 10_000 });
    expect(outcome).toEqual({ ok: false, code: 'too-large', status: 200, reason: 'body over 5 MiB' });
  });

  it('stops a streamed body over the cap (no Content-Length)', async () => {
    const small = { ...config, maxBodyBytes: 64 * 1024 };
    expect(reason(await fetchFeed(`${origin}/chunked?bytes=${1024 * 1024}`, {}, small), 'too-large')).toBe('body over 64 KiB');
    // Exactly at the cap is fine (and all-blank is "empty").
    expect(reason(await fetchFeed(`${origin}/chunked?bytes=${64 * 1024}`, {}, small), 'empty')).toBe(`empty body (HTTP 200 from ${host})`);
  });

  it('refuses a declared Content-Length over the cap without reading', async () => {
    const url = await route('big', { headers: { 'content-length': '3000' }, body: 'x'.repeat(3000) });
    expect(reason(await fetchFeed(url, {}, { ...config, maxBodyBytes: 2048 }), 'too-large')).toBe('body over 2 KiB (Content-Length 3000)');
  });

  it('turns a lying Content-Encoding: gzip into a clear failure', async () => {
    const outcome = await fetchFeed(`${origin}/bad-gzip`, {}, config);
    expect(outcome).toEqual({
      ok: false,
      code: 'encoding',
      status: 200,
      reason: `body from ${host} is not valid gzip data (Content-Encoding: gzip)`,
    });
  });

  it('an empty or blank 200 is a failure, so stored items are kept', async () => {
    const empty = await route('empty', { body: '' });
    expect(await fetchFeed(empty, {}, config)).toEqual({
      ok: false,
      code: 'empty',
      status: 200,
      reason: `empty body (HTTP 200 from ${host})`,
    });
    const blank = await route('blank', { body: ' \r\n\t ' });
    expect(reason(await fetchFeed(blank, {}, config), 'empty')).toBe(`empty body (HTTP 200 from ${host})`);
  });

  it('decodes gzip (by workerd), deflate (zlib and raw), x-gzip and double gzip', async () => {
    const cases: [string, string, Uint8Array][] = [
      ['enc-gzip', 'gzip', await compress(RSS, 'gzip')],
      ['enc-zlib', 'deflate', await compress(RSS, 'deflate')],
      ['enc-raw', 'deflate', await compress(RSS, 'deflate-raw')],
      ['enc-xgzip', 'x-gzip', await compress(RSS, 'gzip')],
    ];
    for (const [name, encoding, bytes] of cases) {
      const url = await route(name, { headers: { 'content-encoding': encoding }, bodyBase64: base64(bytes) });
      expect(text(await fetchFeed(url, {}, config)), name).toBe(RSS);
    }
    // Gzip applied twice (a misconfigured server compressing an already compressed file).
    const inner = await compress(RSS, 'gzip');
    const outer = new Uint8Array(await new Response(new Blob([inner]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
    const url = await route('enc-double', { headers: { 'content-encoding': 'gzip' }, bodyBase64: base64(outer) });
    expect(text(await fetchFeed(url, {}, config))).toBe(RSS);
  });

  it('a body that claims deflate but is plain text still works; deflate garbage fails clearly', async () => {
    const plain = await route('claims-deflate', { headers: { 'content-encoding': 'deflate' }, body: RSS });
    expect(text(await fetchFeed(plain, {}, config))).toBe(RSS);
    const garbage = await route('bad-deflate', {
      headers: { 'content-encoding': 'deflate' },
      bodyBase64: base64(new Uint8Array([0x78, 0x9c, 0xff, 0xff, 0x00, 0x13, 0x37])),
    });
    expect(reason(await fetchFeed(garbage, {}, config), 'encoding')).toBe(`body from ${host} is not valid deflate data (Content-Encoding: deflate)`);
  });

  it('names an encoding it cannot decode', async () => {
    const url = await route('zstd', {
      headers: { 'content-encoding': 'zstd' },
      bodyBase64: base64(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x00, 0x01, 0x00])),
    });
    expect(reason(await fetchFeed(url, {}, config), 'encoding')).toBe(`unsupported Content-Encoding from ${host}: zstd`);
  });
});

describe('header helpers', () => {
  it('freshnessSeconds reads max-age, then Expires against Date', () => {
    expect(freshnessSeconds(new Headers({ 'cache-control': 'max-age=600, must-revalidate' }))).toBe(600);
    expect(freshnessSeconds(new Headers({ 'cache-control': 'public,max-age="90"' }))).toBe(90);
    expect(freshnessSeconds(new Headers({ 'cache-control': 's-maxage=600' }))).toBeUndefined();
    expect(freshnessSeconds(new Headers({ 'cache-control': 'no-cache', expires: 'Wed, 25 Nov 2026 10:00:00 GMT' }))).toBeUndefined();
    expect(freshnessSeconds(new Headers({ expires: 'Wed, 25 Nov 2026 10:30:00 GMT', date: 'Wed, 25 Nov 2026 10:00:00 GMT' }))).toBe(1800);
    expect(freshnessSeconds(new Headers({ expires: '0' }))).toBe(0);
    expect(freshnessSeconds(new Headers({}))).toBeUndefined();
  });

  it('parseRetryAfter reads seconds and dates, ignores junk and the past', () => {
    const now = Date.parse('2026-11-25T09:00:00Z');
    expect(parseRetryAfter('30', null, now)).toBe('2026-11-25T09:00:30.000Z');
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:00 GMT', null, now)).toBe('2026-11-25T10:00:00.000Z');
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:00 GMT', 'Wed, 25 Nov 2026 09:30:00 GMT', now)).toBe('2026-11-25T09:30:00.000Z');
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:00 GMT', null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', null, now)).toBeUndefined();
    expect(parseRetryAfter('-5', null, now)).toBeUndefined();
    expect(parseRetryAfter(null, null, now)).toBeUndefined();
  });

  it('formatBytes', () => {
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 MiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(900)).toBe('900 bytes');
  });
});
