// Console sessions in workerd: the cookie's attributes, tampering, expiry, CSRF, logout that holds against replay,
// failed sign-ins slowed down, and console forms that go through the admin API.

import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/model';
import { CSRF_HEADER, sealSession, SESSION_COOKIE } from '../../src/http/session';
import { call, fixtureHits, fixtureRoute, isolatedEnv, rss } from '../support/kv';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

async function signIn(e: Env, token = e.ADMIN_TOKEN!, headers: Record<string, string> = {}): Promise<Response> {
  return call(e, '/admin/login', { method: 'POST', body: form({ token }), headers: { ...FORM, ...headers }, token: null, redirect: 'manual' });
}

function cookieOf(res: Response): string {
  const set = res.headers.get('set-cookie') ?? '';
  return set.split(';')[0];
}

/** The console's CSRF token, read from its page the way a browser gets it. */
async function csrfOf(e: Env, cookie: string): Promise<string> {
  const page = await (await call(e, '/admin', { headers: { cookie }, token: null })).text();
  return /name="csrf" value="([^"]+)"/.exec(page)![1];
}

describe('console sign-in', () => {
  it('shows the sign-in form without a session, with a policy that allows forms to itself only', async () => {
    const { env: e } = isolatedEnv();
    const res = await call(e, '/admin', { token: null });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toMatch(/<form method="post" action="\/admin\/login">/);
    expect(page).not.toMatch(/Sign out/);
    expect(res.headers.get('content-security-policy')).toMatch(/form-action 'self'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/script-src/);
  });

  it('answers a right token with 303 and a session cookie with every attribute; Secure except on loopback', async () => {
    const { env: e } = isolatedEnv();
    const res = await signIn(e);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin');
    const set = res.headers.get('set-cookie')!;
    expect(set).toMatch(new RegExp(`^${SESSION_COOKIE}=[0-9a-f-]{36}\\.\\d{13}\\.[A-Za-z0-9_-]{43};`));
    for (const attr of ['HttpOnly', 'SameSite=Strict', 'Path=/admin', 'Max-Age=43200', 'Secure']) expect(set).toContain(attr);
    const ctx = (await import('cloudflare:test')).createExecutionContext();
    const worker = (await import('../../src/index')).default;
    const local = await worker.fetch(
      new Request('http://127.0.0.1:8787/admin/login', { method: 'POST', body: form({ token: e.ADMIN_TOKEN! }), headers: FORM, redirect: 'manual' }),
      e,
      ctx,
    );
    expect(local.status).toBe(303);
    expect(local.headers.get('set-cookie')).not.toContain('Secure');
  });

  it('answers a wrong token with 401 and the same words whatever was wrong', async () => {
    const { env: e } = isolatedEnv();
    const wrong = await signIn(e, 'wrong');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('Sign-in failed.');
    const api = await call(e, '/admin/sources', { token: 'wrong' });
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: 'unauthorized' });
  });

  it('slows a client down after repeated failures, right token or not, and leaves other clients alone', async () => {
    const { env: e } = isolatedEnv();
    const from = (ip: string) => ({ 'cf-connecting-ip': ip });
    for (let i = 0; i < 5; i++) expect((await signIn(e, `guess-${i}`, from('203.0.113.9'))).status).toBe(401);
    const locked = await signIn(e, e.ADMIN_TOKEN!, from('203.0.113.9'));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    const bearer = await call(e, '/admin/sources', { headers: from('203.0.113.9') });
    expect(bearer.status).toBe(429);
    expect((await signIn(e, e.ADMIN_TOKEN!, from('198.51.100.7'))).status).toBe(303);
  });
});

describe('console sessions', () => {
  it('signs in to the page and to the JSON API with the cookie', async () => {
    const { env: e } = isolatedEnv();
    const cookie = cookieOf(await signIn(e));
    const page = await (await call(e, '/admin', { headers: { cookie }, token: null })).text();
    expect(page).toContain('Sign out');
    expect((await call(e, '/admin/sources', { headers: { cookie }, token: null })).status).toBe(200);
  });

  it('refuses a tampered, an expired, and a well-signed but never-opened session', async () => {
    const { env: e } = isolatedEnv();
    const cookie = cookieOf(await signIn(e));
    const [name, value] = cookie.split('=');
    const [sid, exp, sig] = value.split('.');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const variants = [
      `${name}=${sid}.${exp}.${flip(sig)}`,
      `${name}=${sid}.${Number(exp) + 1000}.${sig}`,
      `${name}=${flip(sid.replace(/^[0-9]/, 'a'))}.${exp}.${sig}`,
      `${name}=${await sealSession(e.ADMIN_TOKEN!, { sid, exp: Date.now() - 1 })}`,
      `${name}=${await sealSession(e.ADMIN_TOKEN!, { sid: crypto.randomUUID(), exp: Date.now() + 3_600_000 })}`,
      `${name}=${await sealSession('another token', { sid, exp: Number(exp) })}`,
    ];
    for (const bad of variants) {
      expect((await call(e, '/admin/sources', { headers: { cookie: bad }, token: null })).status, bad).toBe(401);
      expect(await (await call(e, '/admin', { headers: { cookie: bad }, token: null })).text()).not.toContain('Sign out');
    }
  });

  it('refuses a change without the CSRF token, and takes it with one', async () => {
    const { env: e, counts } = isolatedEnv();
    const cookie = cookieOf(await signIn(e));
    const body = JSON.stringify({ url: 'https://example.com/feed.xml', categories: ['news'] });
    const without = await call(e, '/admin/sources', { method: 'POST', body, headers: { cookie }, token: null });
    expect(without.status).toBe(403);
    const forged = await call(e, '/admin/sources', { method: 'POST', body, headers: { cookie, [CSRF_HEADER]: 'A'.repeat(43) }, token: null });
    expect(forged.status).toBe(403);
    expect(counts.writes).toBe(0);
    const csrf = await csrfOf(e, cookie);
    const ok = await call(e, '/admin/sources', { method: 'POST', body, headers: { cookie, [CSRF_HEADER]: csrf }, token: null });
    expect(ok.status).toBe(201);
    const formPost = await call(e, '/admin/console/remove', { method: 'POST', body: form({ id: 'example-com' }), headers: { ...FORM, cookie }, token: null });
    expect(formPost.status).toBe(403);
    expect((await (await call(e, '/admin/sources')).json<unknown[]>()).length).toBe(1);
  });

  it('ends the session at logout: the replayed cookie no longer signs in', async () => {
    const { env: e } = isolatedEnv();
    const cookie = cookieOf(await signIn(e));
    const csrf = await csrfOf(e, cookie);
    const out = await call(e, '/admin/logout', { method: 'POST', body: form({ csrf }), headers: { ...FORM, cookie }, token: null, redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/admin?signed-out=1');
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect(await (await call(e, '/admin?signed-out=1', { token: null })).text()).toContain('Signed out.');
    expect((await call(e, '/admin/sources', { headers: { cookie }, token: null })).status).toBe(401);
    expect(await (await call(e, '/admin', { headers: { cookie }, token: null })).text()).not.toContain('Sign out');
  });

  it('refuses cross-site and non-form posts to the console before reading them', async () => {
    const { env: e } = isolatedEnv();
    expect((await signIn(e, e.ADMIN_TOKEN!, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const json = await call(e, '/admin/login', { method: 'POST', body: JSON.stringify({ token: e.ADMIN_TOKEN }), token: null });
    expect(json.status).toBe(415);
  });
});

describe('console forms go through the admin API', () => {
  it('adds a source, shows the API refusal in words, saves a category and removes the source', async () => {
    const { env: e } = isolatedEnv();
    const cookie = cookieOf(await signIn(e));
    const csrf = await csrfOf(e, cookie);
    const post = (action: string, fields: Record<string, string>) =>
      call(e, `/admin/console/${action}`, { method: 'POST', body: form({ csrf, ...fields }), headers: { ...FORM, cookie }, token: null });
    const added = await post('add', { url: 'https://example.com/ข่าว/feed.xml', categories: 'news, local', title: 'ข่าวท้องถิ่น' });
    expect(added.status).toBe(200);
    const page = await added.text();
    const [source] = await (await call(e, '/admin/sources')).json<{ id: string }[]>();
    expect(page).toContain(`Added ${source.id}`);
    expect(page).toContain('ข่าวท้องถิ่น');
    const refused = await post('add', { url: 'http://10.0.0.1/feed', categories: 'news' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/private address refused/);
    const cat = await post('category', { slug: 'news', title: 'Tin tức', language: 'vi', include: 'Hà Nội, Sài Gòn' });
    expect(cat.status).toBe(200);
    const categories = await (await call(e, '/admin/categories')).json<{ slug: string; title: string; include?: string[] }[]>();
    expect(categories.find((c) => c.slug === 'news')).toMatchObject({ title: 'Tin tức', include: ['Hà Nội', 'Sài Gòn'] });
    expect((await post('remove', { id: source.id })).status).toBe(200);
    expect(await (await call(e, '/admin/sources')).json()).toEqual([]);
  });

  it('edits controls (a secret header is write-only), pauses and resumes, and shows the checks and what the feed declares', async () => {
    const { env: e } = isolatedEnv();
    const route = `console-controls-${Math.random().toString(36).slice(2, 8)}`;
    const url = await fixtureRoute(route, {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss(
        'Thai PBS',
        [{ guid: 't1', title: 'ข่าวเช้า', link: 'https://thaipbs.test/1' }],
        '<ttl>30</ttl><atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="hub" href="https://hub.test/"/>',
      ),
    });
    await call(e, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: 'thaipbs', url, categories: ['th'], discover: false }) });
    const cookie = cookieOf(await signIn(e));
    const csrf = await csrfOf(e, cookie);
    const post = (action: string, fields: Record<string, string>) =>
      call(e, `/admin/console/${action}`, { method: 'POST', body: form({ csrf, ...fields }), headers: { ...FORM, cookie }, token: null });
    const edit = {
      id: 'thaipbs',
      title: '',
      categories: 'th',
      intervalMinutes: '',
      userAgent: 'PartnerBot/1',
      'header-accept-language': 'th',
      'header-authorization': 'Bearer console-secret',
    };
    const saved = await post('edit', edit);
    expect(saved.status).toBe(200);
    const page = await saved.text();
    expect(page).not.toContain('console-secret');
    expect(page).toMatch(/placeholder="set \(hidden\): leave empty to keep it"/);
    // Saved again with the secret field empty: the stored value stays.
    await post('edit', { ...edit, 'header-authorization': '' });
    expect((await post('poll', { id: 'thaipbs' })).status).toBe(200);
    const seen = (await fixtureHits(route)).lastHeaders;
    expect(seen).toMatchObject({ authorization: 'Bearer console-secret', 'accept-language': 'th', 'user-agent': 'PartnerBot/1' });

    const detail = await (await call(e, '/admin?source=thaipbs', { headers: { cookie }, token: null })).text();
    expect(detail).toMatch(/<h3>Recent checks<\/h3>.*<td>200<\/td><td>fresh<\/td><td class="num">1<\/td>/s);
    expect(detail).toContain('<dt>WebSub hub</dt><dd>https://hub.test/</dd>');
    expect(detail).toContain('<dt>TTL</dt><dd>30 minutes</dd>');
    expect(detail).toContain('<dt>Title</dt><dd>Thai PBS</dd>');

    const paused = await post('pause', { id: 'thaipbs', paused: 'true' });
    expect(await paused.text()).toContain('Paused thaipbs.');
    expect(await (await call(e, '/admin/sources/thaipbs')).json()).toMatchObject({ paused: true, secretHeaders: ['Authorization'] });
    await post('pause', { id: 'thaipbs', paused: 'false' });
    expect(await (await call(e, '/admin/sources/thaipbs')).json()).not.toHaveProperty('paused');
    await post('edit', { ...edit, 'header-authorization': '', 'header-authorization-remove': 'on' });
    expect(await (await call(e, '/admin/sources/thaipbs')).json()).not.toHaveProperty('secretHeaders');
  });
});
