// The Directory's due index: what a run is handed, in what order — never-checked and overdue sources first, at most
// the budget, hosts interleaved, nobody starved when the budget is short.
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Deployment, Source, SourceState } from '../../src/model';
import { deploymentOf, directoryOf } from '../../src/store/objects';
import type { DirectoryTables } from '../../src/store/tables';
import { call, isolatedEnv } from '../support/kv';

const MIN = 60_000;
const now = new Date('2026-11-25T10:00:00.000Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * MIN).toISOString();
const scheduled = (nextCheckAt: string, extra: Partial<SourceState> = {}): SourceState => ({
  consecutiveFailures: 0,
  paused: false,
  itemCount: 0,
  nextCheckAt,
  ...extra,
});

/** A deployment whose sources are registered through the admin API and whose states are set as given. */
async function directoryWith(sources: { id: string; url?: string }[], states: Record<string, SourceState> = {}) {
  const { env } = isolatedEnv({ PRIVATE_SOURCE_ORIGINS: '' });
  for (const s of sources) {
    const url = s.url ?? `https://${s.id}.example/feed`;
    expect((await call(env, '/admin/sources', { method: 'POST', body: JSON.stringify({ id: s.id, url, categories: ['news'] }) })).status).toBe(201);
  }
  const d: Deployment = deploymentOf(env);
  const dir = directoryOf(env, d);
  await runInDurableObject(dir, (instance) => {
    const tables = (instance as unknown as { tables: DirectoryTables }).tables;
    for (const [id, state] of Object.entries(states)) tables.putState(tables.source(id) as Source, state);
  });
  const tasks = async (when: Date, budget: number) => (await dir.plan(d, { now: when.toISOString(), budget })).tasks;
  const plan = async (when: Date, budget: number) => (await tasks(when, budget)).map((t) => t.source.id);
  return { d, dir, plan, tasks };
}

describe('the due index', () => {
  it('hands out never-checked and due sources, most overdue first, and none of the rest', async () => {
    const ids = ['new', 'late', 'later', 'soon', 'future', 'paused-future', 'paused-due'];
    const { plan } = await directoryWith(
      ids.map((id) => ({ id })),
      {
        late: scheduled(at(-30)),
        later: scheduled(at(-90)),
        soon: scheduled(at(1)), // within the cron's slack
        future: scheduled(at(10)),
        'paused-future': scheduled(at(600), { paused: true }),
        'paused-due': scheduled(at(-5), { paused: true }),
      },
    );
    expect(await plan(now, 50)).toEqual(['new', 'later', 'late', 'paused-due', 'soon']);
  });

  it('hands out at most the budget, the most overdue, and the next run the rest', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `s${i}`);
    const { plan } = await directoryWith(
      ids.map((id) => ({ id })),
      Object.fromEntries(ids.map((id, i) => [id, scheduled(at(-i))])),
    );
    expect(await plan(now, 3)).toEqual(['s9', 's8', 's7']);
    expect(await plan(now, 0)).toEqual([]);
    // Those three are on lease: the next plan takes the next three.
    expect(await plan(now, 3)).toEqual(['s6', 's5', 's4']);
  });

  it('spreads sources of one host apart in what it hands out', async () => {
    const list = [
      { id: 'a1', url: 'https://a.example/1' },
      { id: 'a2', url: 'https://a.example/2' },
      { id: 'a3', url: 'https://a.example/3' },
      { id: 'b1', url: 'https://b.example/1' },
      { id: 'c1', url: 'https://c.example/1' },
    ];
    const { plan } = await directoryWith(list, Object.fromEntries(list.map((s, i) => [s.id, scheduled(at(-50 + i * 10))])));
    expect(await plan(now, 10)).toEqual(['a1', 'b1', 'c1', 'a2', 'a3']);
  });

  it('rotates fairly when more sources are due than the budget: nobody starves', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `r${i}`);
    const { d, dir, tasks } = await directoryWith(ids.map((id) => ({ id })));
    const polls = new Map<string, number[]>();
    const rounds = 40;
    for (let round = 0; round < rounds; round++) {
      const t = new Date(now.getTime() + round * 15 * MIN);
      const handed = await tasks(t, 3);
      for (const task of handed) polls.set(task.source.id, [...(polls.get(task.source.id) ?? []), round]);
      await dir.record(
        d,
        handed.map((task) => ({
          id: task.source.id,
          createdAt: task.source.createdAt,
          revision: task.revision,
          checkedAt: t.toISOString(),
          outcome: { ok: true as const, kind: 'not-modified' as const, status: 304 as const, finalUrl: task.source.url },
        })),
      );
    }
    const counts = ids.map((id) => polls.get(id)?.length ?? 0);
    expect(counts.reduce((a, b) => a + b)).toBe(rounds * 3);
    expect(Math.max(...counts) - Math.min(...counts), `${counts}`).toBeLessThanOrEqual(2);
    for (const [id, seen] of polls) for (let i = 1; i < seen.length; i++) expect(seen[i] - seen[i - 1], `${id}: ${seen}`).toBeLessThanOrEqual(4);
  });
});
