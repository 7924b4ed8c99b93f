import { createExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { call, isolatedEnv } from '../support/kv';

describe('admin authentication', () => {
  it('answers 503 when no token is configured, and never runs the route', async () => {
    const { env, counts } = isolatedEnv({ ADMIN_TOKEN: undefined });
    const res = await call(env, '/admin/sources', {
      method: 'POST',
      body: JSON.stringify({ url: 'https://example.com/feed', categories: ['news'] }),
      token: 'anything',
    });
    expect(res.status).toBe(503);
    expect((await res.json<{ error: string }>()).error).toMatch(/ADMIN_TOKEN/);
    expect(counts.writes).toBe(0);
  });

  it('answers 401 to a missing or wrong token, 200 to the right one', async () => {
    const { env } = isolatedEnv();
    expect((await call(env, '/admin/sources', { token: null })).status).toBe(401);
    expect((await call(env, '/admin/sources', { token: 'wrong' })).status).toBe(401);
    expect((await call(env, '/admin/sources', { token: `${env.ADMIN_TOKEN}x` })).status).toBe(401);
    const ok = await call(env, '/admin/sources');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([]);
  });
});

describe('POST /admin/sources', () => {
  const post = (env: Parameters<typeof call>[0], body: unknown) =>
    call(env, '/admin/sources', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });

  it.each([
    [{ url: 'not a url', categories: ['news'] }, /url|URL/],
    [{ url: 'ftp://example.com/feed', categories: ['news'] }, /http/],
    [{ url: 'http://127.0.0.1:9/feed', categories: ['news'] }, /private|loopback/],
    [{ url: 'http://10.1.2.3/feed', categories: ['news'] }, /private/],
    [{ url: 'http://169.254.169.254/latest', categories: ['news'] }, /link-local|private|metadata/],
    [{ url: 'https://example.com/feed', categories: 'news' }, /categories/],
    [{ url: 'https://example.com/feed', categories: ['News!'] }, /categories\[0\]/],
    [{ url: 'https://example.com/feed', categories: ['news'], title: 7 }, /title/],
    [{ url: 'https://example.com/feed', categories: ['news'], id: 'Bad Id' }, /id/],
    [{ url: 'https://example.com/feed', categories: ['news'], colour: 'red' }, /unknown field/],
    [{ url: 'https://example.com/feed', categories: ['all'] }, /reserved/],
    ['{not json', /JSON/],
    [[1, 2], /object/],
  ])('refuses %j with 400 and stores nothing', async (body, message) => {
    const { env, counts } = isolatedEnv();
    const res = await post(env, body);
    expect(res.status).toBe(400);
    expect((await res.json<{ error: string }>()).error).toMatch(message);
    expect(counts.writes).toBe(0);
    expect(await (await call(env, '/admin/sources')).json()).toEqual([]);
  });

  it('stores a source, derives an id, creates unknown categories, refuses duplicates', async () => {
    const { env } = isolatedEnv();
    const res = await post(env, { url: 'https://www.example.com/news/rss.xml', categories: ['news', 'local'], title: 'Example ข่าว' });
    expect(res.status).toBe(201);
    const source = await res.json<{ id: string; url: string; categories: string[]; title: string }>();
    expect(source).toMatchObject({ id: 'example-com-news', url: 'https://www.example.com/news/rss.xml', categories: ['news', 'local'], title: 'Example ข่าว' });
    const cats = await (await call(env, '/admin/categories')).json<{ slug: string; title: string }[]>();
    expect(cats.map((c) => c.slug)).toEqual(['local', 'news']);
    expect((await post(env, { url: 'https://www.example.com/news/rss.xml', categories: ['news'] })).status).toBe(409);
    expect((await post(env, { url: 'https://other.example/feed', categories: ['news'], id: 'example-com-news' })).status).toBe(409);
    expect((await call(env, `/admin/sources/${source.id}`)).status).toBe(200);
  });

  it('PATCH changes and validates, DELETE removes', async () => {
    const { env } = isolatedEnv();
    await post(env, { url: 'https://example.org/feed', categories: ['news'], id: 'ex' });
    const patched = await call(env, '/admin/sources/ex', { method: 'PATCH', body: JSON.stringify({ title: 'Renamed', categories: ['business'] }) });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ id: 'ex', title: 'Renamed', categories: ['business'] });
    expect((await call(env, '/admin/sources/ex', { method: 'PATCH', body: JSON.stringify({ url: 'http://192.168.1.1/' }) })).status).toBe(400);
    expect((await call(env, '/admin/sources/ex', { method: 'DELETE' })).status).toBe(200);
    expect((await call(env, '/admin/sources/ex')).status).toBe(404);
    expect((await call(env, '/admin/sources/ex', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('PUT /admin/categories/{slug}', () => {
  it('creates then updates a category, validates fields', async () => {
    const { env } = isolatedEnv();
    const put = (slug: string, body: unknown) => call(env, `/admin/categories/${slug}`, { method: 'PUT', body: JSON.stringify(body) });
    expect((await put('heritage', { title: 'มรดก', language: 'th' })).status).toBe(201);
    expect((await put('heritage', { title: 'Di sản', language: 'vi', description: 'Văn hóa' })).status).toBe(200);
    expect((await put('heritage', { language: 'vi' })).status).toBe(400);
    expect((await put('heritage', { title: 'x', language: 'not a tag!' })).status).toBe(400);
    expect((await put('Bad_Slug', { title: 'x' })).status).toBe(400);
    const cats = await (await call(env, '/admin/categories')).json();
    expect(cats).toEqual([{ slug: 'heritage', title: 'Di sản', language: 'vi', description: 'Văn hóa' }]);
  });
});

describe('errors', () => {
  it('unknown routes answer 404 JSON', async () => {
    const { env } = isolatedEnv();
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request('https://tributary.test/nope'), env, ctx);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('ids that name Object.prototype members', () => {
  it('treats "constructor" as an ordinary id and slug', async () => {
    const { env } = isolatedEnv();
    expect((await call(env, '/feeds/constructor.rss')).status).toBe(404);
    const created = await call(env, '/admin/sources', {
      method: 'POST',
      body: JSON.stringify({ id: 'constructor', url: 'https://example.net/feed', categories: ['constructor'] }),
    });
    expect(created.status).toBe(201);
    expect((await call(env, '/admin/categories/constructor', { method: 'PUT', body: JSON.stringify({ title: 'Builders' }) })).status).toBe(200);
    expect((await call(env, '/feeds/constructor.json')).status).toBe(200);
    expect((await call(env, '/admin/sources/constructor', { method: 'DELETE' })).status).toBe(200);
    expect((await call(env, '/admin/sources/constructor')).status).toBe(404);
  });
});

describe('category changes show at once', () => {
  it('a new title reaches the stored river without waiting for a poll', async () => {
    const { env } = isolatedEnv();
    const { fixtureRoute, rss } = await import('../support/kv');
    const url = await fixtureRoute(`cat-title-${Math.random().toString(36).slice(2)}`, {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('T', [{ guid: 't', title: 'A story to keep', link: 'https://t.test/1', date: 'Fri, 20 Nov 2026 08:00:00 GMT' }]),
    });
    await call(env, '/admin/categories/news', { method: 'PUT', body: JSON.stringify({ title: 'News' }) });
    await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: 't', url, categories: ['news'] }) });
    await call(env, '/admin/poll?force=1', { method: 'POST' });
    const before = await call(env, '/feeds/news.json');
    const etag = before.headers.get('etag')!;
    expect((await before.json<{ title: string }>()).title).toBe('News');
    await call(env, '/admin/categories/news', { method: 'PUT', body: JSON.stringify({ title: 'ข่าว', language: 'th' }) });
    const after = await call(env, '/feeds/news.json', { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    const doc = await after.json<{ title: string; language: string; items: unknown[] }>();
    expect(doc).toMatchObject({ title: 'ข่าว', language: 'th' });
    expect(doc.items).toHaveLength(1);
  });
});

describe('the cached index page', () => {
  it('shows a category created after it was cached', async () => {
    const { env, counts, resetCounts } = isolatedEnv();
    await call(env, '/admin/categories/news', { method: 'PUT', body: JSON.stringify({ title: 'News' }) });
    expect(await (await call(env, '/')).text()).not.toContain('/feeds/sports.rss');
    resetCounts();
    expect(await (await call(env, '/')).text()).not.toContain('/feeds/sports.rss');
    expect(counts.reads).toBe(0); // served from cache
    await call(env, '/admin/categories/sports', { method: 'PUT', body: JSON.stringify({ title: 'Sports' }) });
    expect(await (await call(env, '/')).text()).toContain('/feeds/sports.rss');
  });
});
