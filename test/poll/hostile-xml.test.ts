// A feed that turns hostile beside a good one: the hostile document is a per-source error on /status with nothing of
// it stored (no `&exfil;` title in any river), the source keeps what it gave before, and the good source updates.
import { describe, expect, it } from 'vitest';
import { call, fixtureRoute, isolatedEnv, rss } from '../support/kv';

interface Row {
  id: string;
  lastError: string | null;
  consecutiveFailures: number;
  itemCount: number;
}

const xxe = `<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY exfil SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>Turned</title><link>https://turned.test/</link>
<item><guid>t2</guid><title>Leak &exfil;</title><link>https://turned.test/2</link></item></channel></rss>`;

describe('a source serving hostile XML', () => {
  it('is a per-source error with nothing stored, and the good source still updates', async () => {
    const tag = Math.random().toString(36).slice(2);
    const feed = (body: string) => ({ headers: { 'content-type': 'application/rss+xml' }, body });
    const date = 'Fri, 20 Nov 2026 08:00:00 GMT';
    const urls = {
      good: await fixtureRoute(`good-${tag}`, feed(rss('Good', [{ guid: 'g1', title: 'Good one', link: 'https://good.test/1', date }]))),
      turned: await fixtureRoute(`turned-${tag}`, feed(rss('Turned', [{ guid: 't1', title: 'Honest before', link: 'https://turned.test/1', date }]))),
    };
    const { env } = isolatedEnv();
    for (const [id, url] of Object.entries(urls)) {
      expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id, url, categories: ['news'] }) })).status).toBe(201);
    }
    await call(env, '/admin/poll?force=1', { method: 'POST' });

    await fixtureRoute(
      `good-${tag}`,
      feed(
        rss('Good', [
          { guid: 'g2', title: 'Good two', link: 'https://good.test/2', date },
          { guid: 'g1', title: 'Good one', link: 'https://good.test/1', date },
        ]),
      ),
    );
    await fixtureRoute(`turned-${tag}`, feed(xxe));
    const report = await (await call(env, '/admin/poll?force=1', { method: 'POST' })).json<{ results: { id: string; outcome: string; error?: string }[] }>();
    const outcome = Object.fromEntries(report.results.map((r) => [r.id, r]));
    expect(outcome.good.outcome).toBe('fresh');
    expect(outcome.turned).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^unsafe XML refused: external entity &exfil;/) });

    const rows = Object.fromEntries((await (await call(env, '/status.json')).json<{ sources: Row[] }>()).sources.map((r) => [r.id, r]));
    expect(rows.turned).toMatchObject({ consecutiveFailures: 1, itemCount: 1 });
    expect(rows.turned.lastError).toMatch(/^unsafe XML refused: external entity &exfil; \(SYSTEM "file:\/\/\/etc\/passwd"\)/);
    expect(rows.good).toMatchObject({ lastError: null, consecutiveFailures: 0, itemCount: 2 });
    expect(await (await call(env, '/status')).text()).toContain('unsafe XML refused');

    const river = await (await call(env, '/feeds/news.json')).text();
    expect(
      JSON.parse(river)
        .items.map((i: { title: string }) => i.title)
        .sort(),
    ).toEqual(['Good one', 'Good two', 'Honest before']);
    expect(river).not.toContain('exfil');
  });
});
