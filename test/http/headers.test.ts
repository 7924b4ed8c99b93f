// The headers every answer carries: nosniff everywhere, our CSP on HTML pages, CORS on public reads (and their
// preflight), none of it on the admin API; the same on a cached copy and on a 304.
import { beforeAll, describe, expect, it } from 'vitest';
import { PAGE_CSP } from '../../src/http/page-policy';
import type { Env } from '../../src/model';
import { call, isolatedEnv } from '../support/kv';

let env: Env;

beforeAll(async () => {
  env = isolatedEnv().env;
  expect((await call(env, '/admin/categories/news', { method: 'PUT', body: JSON.stringify({ title: 'News' }) })).status).toBe(201);
});

const ORIGIN = { origin: 'https://reader.example' };

describe('security headers and CORS', () => {
  it.each(['/feeds/news.json', '/feeds/news.rss', '/feeds.opml', '/status.json', '/nope'])('GET %s: nosniff and CORS, no page policy', async (path) => {
    const res = await call(env, path, { headers: ORIGIN });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag');
    expect(res.headers.get('content-security-policy')).toBeNull();
  });

  it.each(['/', '/c/news', '/status'])('GET %s: the page policy, nosniff and CORS', async (path) => {
    const res = await call(env, path, { headers: ORIGIN });
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('keeps them on a cached copy, on HEAD and on a 304', async () => {
    const first = await call(env, '/feeds/news.json');
    const again = await call(env, '/feeds/news.json');
    const head = await call(env, '/feeds/news.json', { method: 'HEAD' });
    const unchanged = await call(env, '/feeds/news.json', { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(unchanged.status).toBe(304);
    for (const res of [again, head, unchanged]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-expose-headers')).toBe('ETag');
    }
  });

  it('adds the exposed ETag to an answer cached before it was sent (a copy in the Cache API from the release before)', async () => {
    const base = `https://before-${Math.random().toString(36).slice(2, 8)}.example`;
    const { env: old } = isolatedEnv({ PUBLIC_BASE_URL: base });
    const headers = {
      ETag: '"before"',
      'Cache-Control': 'public, max-age=60',
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': PAGE_CSP,
    };
    const earlier = new Response('<!doctype html><title>cached before</title>', {
      headers: { ...headers, 'X-Content-Type-Options': 'nosniff', 'Access-Control-Allow-Origin': '*' },
    });
    await (caches as unknown as { default: Cache }).default.put(new Request(`${base}/`), earlier);
    const res = await call(old, '/', { headers: ORIGIN });
    expect(await res.text()).toContain('cached before');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag');
  });

  it('answers the preflight of a conditional GET from another origin', async () => {
    const res = await call(env, '/feeds/news.json', {
      method: 'OPTIONS',
      headers: { ...ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,HEAD');
    expect(res.headers.get('access-control-allow-headers')).toBe('if-none-match');
    expect(res.headers.get('access-control-max-age')).toBe('86400');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('gives the admin API and the console no CORS, and the console its own policy', async () => {
    const api = await call(env, '/admin/sources', { headers: ORIGIN });
    expect(api.status).toBe(200);
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
    expect(api.headers.get('access-control-expose-headers')).toBeNull();
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    const preflight = await call(env, '/admin/sources', {
      method: 'OPTIONS',
      token: null,
      headers: { ...ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
    const page = await call(env, '/admin', { token: null });
    expect(page.headers.get('content-security-policy')).toMatch(/form-action 'self'/);
    expect(page.headers.get('content-security-policy')).not.toBe(PAGE_CSP);
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
  });
});
