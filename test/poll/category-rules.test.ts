// Category keyword rules: a category takes items by keyword (word matching, Thai included), not only by source.
import { describe, expect, it } from 'vitest';
import { call, fixtureRoute, isolatedEnv, rss } from '../support/kv';

describe('category keyword rules', () => {
  it('admits items matching include and none of exclude; a stricter rule applies to what the river holds', async () => {
    const { env } = isolatedEnv();
    const url = await fixtureRoute(`rules-${Math.random().toString(36).slice(2)}`, {
      headers: { 'content-type': 'application/rss+xml' },
      body: rss('Mixed', [
        { guid: '1', title: 'ข่าวฟุตบอลไทยลีก', link: 'https://m.test/1', date: 'Fri, 20 Nov 2026 08:00:00 GMT' },
        { guid: '2', title: 'ราคาข้าวหอมมะลิสูงขึ้น', link: 'https://m.test/2', date: 'Fri, 20 Nov 2026 09:00:00 GMT' },
        { guid: '3', title: 'ข่าวเศรษฐกิจภาคเหนือ', link: 'https://m.test/3', date: 'Fri, 20 Nov 2026 10:00:00 GMT' },
        { guid: '4', title: 'Giá lúa gạo tăng mạnh', link: 'https://m.test/4', date: 'Fri, 20 Nov 2026 11:00:00 GMT' },
      ]),
    });
    const put = (slug: string, body: unknown) => call(env, `/admin/categories/${slug}`, { method: 'PUT', body: JSON.stringify(body) });
    expect((await put('news', { title: 'News', include: ['ข่าว'] })).status).toBe(201);
    expect((await put('rice', { title: 'Rice', include: ['ข้าว', 'lua gao'] })).status).toBe(201);
    expect((await put('bad', { title: 'x', include: [''] })).status).toBe(400);
    expect((await put('bad', { title: 'x', exclude: 'sport' })).status).toBe(400);
    await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: 'mixed', url, categories: ['news', 'rice'] }) });
    await call(env, '/admin/poll?force=1', { method: 'POST' });

    const titles = async (slug: string) => (await (await call(env, `/feeds/${slug}.json`)).json<{ items: { title: string }[] }>()).items.map((i) => i.title);
    // "ข่าว" (news) is a word; "ข้าว" (rice) is another word, and a Vietnamese rule typed without diacritics matches.
    expect(await titles('news')).toEqual(['ข่าวเศรษฐกิจภาคเหนือ', 'ข่าวฟุตบอลไทยลีก']);
    expect(await titles('rice')).toEqual(['Giá lúa gạo tăng mạnh', 'ราคาข้าวหอมมะลิสูงขึ้น']);
    expect((await titles('all')).length).toBe(4);

    expect((await put('news', { title: 'News', include: ['ข่าว'], exclude: ['ฟุตบอล'] })).status).toBe(200);
    expect(await titles('news')).toEqual(['ข่าวเศรษฐกิจภาคเหนือ']);
  });
});
