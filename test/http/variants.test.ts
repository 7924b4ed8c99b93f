// Every cached view of a river — limits, languages, keywords, older pages, the HTML pages — shows a run that changed
// the river, on its next request: answers are cached under the river's version, and a run makes the colo forget it.
import { describe, expect, it } from 'vitest';
import { call, fixtureRoute, isolatedEnv, rss } from '../support/kv';

const day = (d: number, h = 8) => new Date(Date.UTC(2026, 10, d, h)).toUTCString();
let n = 0;
const uniq = (name: string) => `var-${name}-${++n}-${Math.random().toString(36).slice(2, 7)}`;

type Story = { guid: string; title: string; link: string; date: string };

function thaiStories(extra: Story[] = []): Story[] {
  return [
    ...extra,
    ...Array.from({ length: 6 }, (_, i) => ({ guid: `th-${i}`, title: `ข่าวเศรษฐกิจ ตลาดหุ้นวันที่ ${i + 1}`, link: `https://th.var.test/${i}`, date: day(10 + i) })),
  ];
}

function vietStories(extra: Story[] = []): Story[] {
  return [
    ...extra,
    ...Array.from({ length: 6 }, (_, i) => ({
      guid: `vi-${i}`,
      title: `Tin tức Hà Nội ngày ${i + 1}`,
      link: `https://vi.var.test/${i}`,
      date: day(10 + i, 9),
    })),
  ];
}

describe('cached views of a river', () => {
  it('each reflects a run that changed the river, and a cache miss costs at most one KV read', async () => {
    const { env, counts, resetCounts } = isolatedEnv();
    const th = uniq('th');
    const vi = uniq('vi');
    const serve = (name: string, lang: string, stories: Story[]) =>
      fixtureRoute(name, {
        headers: { 'content-type': 'application/rss+xml; charset=utf-8' },
        body: rss(`Source ${lang}`, stories, `<language>${lang}</language>`),
      });
    for (const [id, url] of [
      ['thai', await serve(th, 'th', thaiStories())],
      ['viet', await serve(vi, 'vi', vietStories())],
    ]) {
      expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id, url, categories: ['news'] }) })).status).toBe(201);
    }
    expect((await call(env, '/admin/poll?force=1', { method: 'POST' })).status).toBe(200);

    // An older page: the cursor of the first page of three.
    const first = await (await call(env, '/feeds/news.json?limit=3')).json<{ next_url?: string }>();
    const before = new URL(first.next_url!).searchParams.get('before')!;
    const views = [
      '/feeds/news.json?limit=3',
      '/feeds/news.rss',
      '/feeds/news.atom?lang=th',
      `/feeds/news.json?q=${encodeURIComponent('Hà Nội')}`,
      `/feeds/news.json?before=${before}`,
      '/c/news',
      '/c/news?limit=2',
      '/feeds/all.json?source=viet',
    ];
    const etags = new Map<string, string>();
    for (const v of views) {
      const res = await call(env, v);
      expect(res.status, v).toBe(200);
      etags.set(v, res.headers.get('etag')!);
      await res.arrayBuffer();
    }
    // Served from the cache now: no KV read at all.
    resetCounts();
    for (const v of views) expect((await call(env, v, { headers: { 'if-none-match': etags.get(v)! } })).status, v).toBe(304);
    expect(counts.reads).toBe(0);

    // A run brings a new newest Thai story, a new newest Vietnamese one, and a back-dated one that belongs on the older page.
    await serve(th, 'th', thaiStories([{ guid: 'th-new', title: 'ข่าวด่วน น้ำท่วมเชียงใหม่', link: 'https://th.var.test/new', date: day(20) }]));
    await serve(
      vi,
      'vi',
      vietStories([
        { guid: 'vi-new', title: 'Hà Nội đón đợt không khí lạnh', link: 'https://vi.var.test/new', date: day(20, 9) },
        { guid: 'vi-old', title: 'Bài cũ về Hà Nội được đăng lại', link: 'https://vi.var.test/old', date: day(2) },
      ]),
    );
    expect((await call(env, '/admin/poll?force=1', { method: 'POST' })).status).toBe(200);

    const shows: Record<string, string> = {
      '/feeds/news.json?limit=3': 'Hà Nội đón đợt không khí lạnh',
      '/feeds/news.rss': 'ข่าวด่วน น้ำท่วมเชียงใหม่',
      '/feeds/news.atom?lang=th': 'ข่าวด่วน น้ำท่วมเชียงใหม่',
      [`/feeds/news.json?q=${encodeURIComponent('Hà Nội')}`]: 'Hà Nội đón đợt không khí lạnh',
      [`/feeds/news.json?before=${before}`]: 'Bài cũ về Hà Nội được đăng lại',
      '/c/news': 'ข่าวด่วน น้ำท่วมเชียงใหม่',
      '/c/news?limit=2': 'Hà Nội đón đợt không khí lạnh',
      '/feeds/all.json?source=viet': 'Hà Nội đón đợt không khí lạnh',
    };
    for (const v of views) {
      resetCounts();
      // The reader's old ETag no longer matches: the answer is the new river, whatever the view.
      const res = await call(env, v, { headers: { 'if-none-match': etags.get(v)! } });
      expect(res.status, v).toBe(200);
      expect(res.headers.get('etag'), v).not.toBe(etags.get(v));
      expect(await res.text(), v).toContain(shows[v].replace(/&/g, '&amp;'));
      expect(counts.reads, v).toBeLessThanOrEqual(1);
    }
  });
});
