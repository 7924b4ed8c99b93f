// The admin API's limits, found by hostile requests: oversize bodies, wrong body types, URLs a Worker cannot
// fetch as written. Each is refused with a reason and changes nothing.
import { describe, expect, it } from 'vitest';
import { call, isolatedEnv } from '../support/kv';

const source = { url: 'https://example.com/feed.xml', categories: ['news'] };

async function nothingStored(env: Parameters<typeof call>[0], counts: { writes: number }): Promise<void> {
  expect(counts.writes).toBe(0);
  expect(await (await call(env, '/admin/sources')).json()).toEqual([]);
}

describe('admin body limits', () => {
  it('answers 413 to a JSON body over 1 MB, from its Content-Length, before reading it', async () => {
    const { env, counts } = isolatedEnv();
    let pulled = 0;
    // A stream that would take long to read whole: the answer must come from the header alone.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
        if (pulled > 40) controller.close();
      },
    });
    const length = String(41 * 64 * 1024);
    const res = await call(env, '/admin/sources', { method: 'POST', body, headers: { 'content-length': length }, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json<{ error: string }>()).error).toMatch(/over 1 MB/);
    expect(pulled).toBeLessThan(5);
    await nothingStored(env, counts);
  });

  it('answers 413 to a chunked body that grows past 1 MB, and keeps a body under it', async () => {
    const { env, counts } = isolatedEnv();
    const big = JSON.stringify({ ...source, title: 'x'.repeat(1024 * 1024) });
    const chunked = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        },
      });
    const res = await call(env, '/admin/sources', { method: 'POST', body: chunked(big), duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    await nothingStored(env, counts);
    const ok = await call(env, '/admin/sources', { method: 'POST', body: chunked(JSON.stringify(source)), duplex: 'half' } as RequestInit);
    expect(ok.status).toBe(201);
  });

  it.each([
    ['text/plain', '/admin/sources', 'POST'],
    ['application/x-www-form-urlencoded', '/admin/sources', 'POST'],
    ['multipart/form-data; boundary=x', '/admin/sources', 'POST'],
    ['application/jsonp', '/admin/sources', 'POST'],
    ['text/plain', '/admin/categories/news', 'PUT'],
    ['text/plain', '/admin/sources/example-com', 'PATCH'],
    ['application/json', '/admin/opml', 'POST'],
    ['text/plain', '/admin/opml', 'POST'],
  ])('answers 415 to a %s body on %s %s and stores nothing', async (type, path, method) => {
    const { env, counts } = isolatedEnv();
    const body = path.endsWith('/opml')
      ? '<opml version="2.0"><body><outline xmlUrl="https://example.com/f"/></body></opml>'
      : JSON.stringify({ ...source, title: 'T' });
    const res = await call(env, path, { method, body, headers: { 'content-type': type } });
    expect(res.status).toBe(415);
    expect((await res.json<{ error: string }>()).error).toMatch(/Content-Type/);
    await nothingStored(env, counts);
  });

  it('takes a body with a charset parameter, and a bodiless POST /admin/poll without a type', async () => {
    const { env } = isolatedEnv();
    const res = await call(env, '/admin/sources', {
      method: 'POST',
      body: JSON.stringify(source),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.status).toBe(201);
    const empty = isolatedEnv().env;
    expect((await call(empty, '/admin/poll', { method: 'POST' })).status).toBe(200);
  });
});

describe('source URLs a Worker cannot fetch as written', () => {
  it.each([
    ['https://example.com/feed\r\nX-Injected: 1', /line break/],
    ['https://example.com/fe\ned', /line break/],
    ['https://exam\tple.com/feed', /line break or tab/],
    [`https://example.com/${'a'.repeat(2049)}`, /2048/],
    ['https://example.com:8443/feed', /port 443, not 8443/],
    ['http://example.com:8080/feed', /port 80, not 8080/],
  ])('refuses %j with 400 and stores nothing', async (url, reason) => {
    const { env, counts } = isolatedEnv();
    const res = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ ...source, url }) });
    expect(res.status).toBe(400);
    expect((await res.json<{ error: string }>()).error).toMatch(reason);
    await nothingStored(env, counts);
  });

  it('refuses the same in a PATCH and in an OPML import, and keeps default ports and private origins with theirs', async () => {
    const { env } = isolatedEnv();
    const created = await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ ...source, url: 'https://example.com:443/feed.xml' }) });
    expect(created.status).toBe(201);
    const stored = await created.json<{ id: string; url: string }>();
    expect(stored.url).toBe('https://example.com/feed.xml');
    const patch = await call(env, `/admin/sources/${stored.id}`, { method: 'PATCH', body: JSON.stringify({ url: 'https://example.com:8443/feed.xml' }) });
    expect(patch.status).toBe(400);
    expect((await (await call(env, `/admin/sources/${stored.id}`)).json<{ url: string }>()).url).toBe('https://example.com/feed.xml');
    const opml = '<opml version="2.0"><body><outline xmlUrl="https://other.example:8443/f"/></body></opml>';
    const imported = await (await call(env, '/admin/opml', { method: 'POST', body: opml })).json<{ added: unknown[]; skipped: { reason: string }[] }>();
    expect(imported.added).toEqual([]);
    expect(imported.skipped[0].reason).toMatch(/port/);
    // The fixture origin of the tests is a private origin with a port: it stays allowed.
    const origin = (env.PRIVATE_SOURCE_ORIGINS ?? '').split(/[\s,]+/).find(Boolean);
    expect(origin).toMatch(/:\d+$/);
    expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ ...source, url: `${origin}/feed.xml` }) })).status).toBe(201);
  });
});
