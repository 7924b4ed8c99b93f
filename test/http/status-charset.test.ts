// /status.json and /status say which charset each source was read in and why (issue 11, point 6): Thai TIS-620 behind
// a UTF-8 label is read as windows-874 end to end, and the report rides from the Feed's ingest to the Directory's state.
import { env as testEnv } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Env, SourceStatus } from '../../src/model';
import said from '../fixtures/ingest/charsets/expected-text.json';
import { call, fixtureRoute, isolatedEnv } from '../support/kv';

let env: Env;

async function fixtureBase64(path: string): Promise<string> {
  const res = await fetch(`${testEnv.FIXTURE_ORIGIN}/files/ingest/${path}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return btoa(String.fromCharCode(...bytes));
}

beforeAll(async () => {
  env = isolatedEnv().env;
  const run = Math.random().toString(36).slice(2);
  const sources = [
    { id: 'thai-mislabelled', file: 'charsets/thai-874-declared-utf8.xml', type: 'application/rss+xml; charset=utf-8' },
    { id: 'thai-tis620', file: 'thai-tis-620.xml', type: 'application/rss+xml' },
  ];
  for (const s of sources) {
    const url = await fixtureRoute(`charset-${s.id}-${run}`, { headers: { 'content-type': s.type }, bodyBase64: await fixtureBase64(s.file) });
    expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: s.id, url, categories: ['thai'] }) })).status).toBe(201);
  }
  expect((await call(env, '/admin/poll?force=1', { method: 'POST' })).status).toBe(200);
});

describe('charset on the status routes', () => {
  it('status.json gives each source its charset: name, how, the label it gave and why', async () => {
    const { sources } = await (await call(env, '/status.json')).json<{ sources: SourceStatus[] }>();
    const byId = Object.fromEntries(sources.map((s) => [s.id, s]));
    expect(byId['thai-mislabelled'].charset).toEqual({
      name: 'windows-874',
      how: 'detected',
      declared: 'utf-8',
      reason: expect.stringContaining('Content-Type charset=utf-8, but the bytes read best as windows-874'),
    });
    expect(byId['thai-tis620'].charset).toEqual({
      name: 'windows-874',
      how: 'declared',
      declared: 'TIS-620',
      reason: 'encoding="TIS-620" in the XML declaration',
    });
    expect(byId['thai-mislabelled'].itemCount).toBe(1);
  });

  it('the river carries the Thai text, not U+FFFD', async () => {
    const feed = await (await call(env, '/feeds/thai.json')).json<{ items: { title: string; content_html?: string }[] }>();
    const text = JSON.stringify(feed.items);
    expect(text).toContain(said.th);
    expect(text).not.toContain('\uFFFD');
  });

  it('/status shows the detected charset and the reason in words', async () => {
    const html = await (await call(env, '/status')).text();
    expect(html).toContain(
      'windows-874 <span class="muted">(detected)</span><br><span class="muted">Content-Type charset=utf-8, but the bytes read best as windows-874',
    );
    expect(html).toContain('windows-874 <span class="muted">(XML declaration)</span>');
  });
});
