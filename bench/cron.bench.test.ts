// Part 3 of `npm run bench`: full cron cycles in workerd against the bench origin, KV operations counted.
// Each size registers its sources through the admin API (OPML import), then runs:
//   cold                 every source new (all 200s)   — through the real `scheduled` handler
//   settling ×2          quiet runs right after it      — the rest through runPoll, the inline run `scheduled`
//   all 304              nothing changed (steady)         calls, with `now` one interval later each time (the
//   1 of 10 changed      every tenth source has a story   handler takes the wall clock, so no source would be
//   quiet after a change lastStatus 200 → 304 again       due again for 15 minutes)
//   all changed          every source has a new story
// The figures go back to Node (bench/cron-setup.mjs) as JSON; assertions only check that the run did what it says.
import { env } from 'cloudflare:workers';
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { expect, it } from 'vitest';
import worker from '../src/index';
import type { Env } from '../src/model';
import { readConfig } from '../src/config';
import { fetchBudget, runPoll } from '../src/poll/run';

const ORIGIN = (env as unknown as { BENCH_ORIGIN: string }).BENCH_ORIGIN;
const CATEGORIES = 7;
const INTERVAL_MS = 15 * 60_000;

interface KvTally {
  reads: number;
  writes: number;
  deletes: number;
  lists: number;
  bytesRead: number;
  bytesWritten: number;
  writtenKeys: string[];
}

/** The real KV binding under a private prefix, counting operations and bytes (string and json reads). */
function countedKv(base: KVNamespace, prefix: string): { kv: KVNamespace; tally: KvTally; reset: () => void } {
  const tally: KvTally = { reads: 0, writes: 0, deletes: 0, lists: 0, bytesRead: 0, bytesWritten: 0, writtenKeys: [] };
  const kv = {
    async get(key: string, type?: unknown) {
      tally.reads++;
      const text = await base.get(prefix + key, 'text');
      if (text !== null) tally.bytesRead += text.length;
      const kind = typeof type === 'string' ? type : (type as { type?: string } | undefined)?.type;
      return text === null ? null : kind === 'json' ? JSON.parse(text) : text;
    },
    async put(key: string, value: string, opts?: KVNamespacePutOptions) {
      tally.writes++;
      tally.bytesWritten += value.length;
      tally.writtenKeys.push(key);
      return base.put(prefix + key, value, opts);
    },
    async delete(key: string) {
      tally.deletes++;
      return base.delete(prefix + key);
    },
    async list(opts: KVNamespaceListOptions = {}) {
      tally.lists++;
      const page = await base.list({ ...opts, prefix: prefix + (opts.prefix ?? '') });
      return { ...page, keys: page.keys.map((k) => ({ ...k, name: k.name.slice(prefix.length) })) };
    },
  } as unknown as KVNamespace;
  const reset = (): void => {
    Object.assign(tally, { reads: 0, writes: 0, deletes: 0, lists: 0, bytesRead: 0, bytesWritten: 0, writtenKeys: [] });
  };
  return { kv, tally, reset };
}

async function originHits(): Promise<{ total: number; byStatus: Record<string, number> }> {
  return (await fetch(`${ORIGIN}/__hits`)).json();
}

async function resetHits(): Promise<void> {
  await fetch(`${ORIGIN}/__hits/reset`, { method: 'POST' });
}

async function bump(ids: number[]): Promise<void> {
  const res = await fetch(`${ORIGIN}/__bump`, { method: 'POST', body: JSON.stringify({ ids }) });
  expect(res.status).toBe(200);
}

/** OPML with one folder per category; source k goes to category k mod 7, every fifth also to the next one. */
function opml(indexes: number[]): string {
  const folders: string[][] = Array.from({ length: CATEGORIES }, () => []);
  indexes.forEach((index, k) => {
    const outline = `<outline type="rss" text="Source ${index}" xmlUrl="${ORIGIN}/src/${index}.xml"/>`;
    folders[k % CATEGORIES].push(outline);
    if (k % 5 === 0) folders[(k + 1) % CATEGORIES].push(outline);
  });
  return `<?xml version="1.0"?><opml version="2.0"><head><title>bench</title></head><body>${folders
    .map((f, c) => `<outline text="Category ${c + 1}">${f.join('')}</outline>`)
    .join('')}</body></opml>`;
}

interface CycleFigures {
  scenario: string;
  via: 'scheduled' | 'runPoll';
  wallMs: number;
  polled: number;
  skipped: number;
  fetches: number;
  fetchesByStatus: Record<string, number>;
  kvReads: number;
  kvWrites: number;
  kvDeletes: number;
  kvLists: number;
  kvBytesRead: number;
  kvBytesWritten: number;
  writtenKeys: string[];
  changedCategories: number;
}

async function benchSize(count: number, firstIndex: number) {
  const prefix = `bench-${count}-${Date.now().toString(36)}/`;
  const { kv, tally, reset } = countedKv(env.TRIBUTARY, prefix);
  // The Free plan's 50 subrequests for 10 and 50 sources (the run keeps a reserve, so it fetches fewer than 50);
  // 500 sources in one invocation need a Paid-plan budget: raised so the run fetches every source.
  const free = 50;
  const budget = count <= free ? free : count + (free - fetchBudget(readConfig({ SUBREQUEST_BUDGET: String(free) } as Env)));
  const e: Env = {
    ...(env as unknown as Env),
    TRIBUTARY: kv,
    SUBREQUEST_BUDGET: String(budget),
    PUBLIC_BASE_URL: `https://bench-${count}.tributary.test`,
  };
  const indexes = Array.from({ length: count }, (_, k) => firstIndex + k);

  const ctx0 = createExecutionContext();
  const imported = await worker.fetch(
    new Request('https://bench.test/admin/opml', { method: 'POST', body: opml(indexes), headers: { authorization: 'Bearer bench-admin-token', 'content-type': 'text/x-opml' } }),
    e,
    ctx0,
  );
  await waitOnExecutionContext(ctx0);
  const body = await imported.json<{ added: unknown[]; categoriesAdded: string[] }>();
  expect(body.added).toHaveLength(count);

  const cycles: CycleFigures[] = [];
  const measure = async (scenario: string, run: () => Promise<{ polled: number; skipped: number; changed: number }>, via: CycleFigures['via']) => {
    reset();
    await resetHits();
    const t0 = Date.now();
    const { polled, skipped, changed } = await run();
    const wallMs = Date.now() - t0;
    const hits = await originHits();
    cycles.push({
      scenario,
      via,
      wallMs,
      polled,
      skipped,
      fetches: hits.total,
      fetchesByStatus: hits.byStatus,
      kvReads: tally.reads,
      kvWrites: tally.writes,
      kvDeletes: tally.deletes,
      kvLists: tally.lists,
      kvBytesRead: tally.bytesRead,
      kvBytesWritten: tally.bytesWritten,
      writtenKeys: [...tally.writtenKeys],
      changedCategories: changed,
    });
  };

  const start = Date.now();
  await measure(
    'cold (all new, 200)',
    async () => {
      const ctx = createExecutionContext();
      await worker.scheduled!(createScheduledController({ scheduledTime: start, cron: '*/15 * * * *' }), e, ctx);
      await waitOnExecutionContext(ctx);
      // The handler returns nothing: what it polled is read back from the origin's tally and the KV writes.
      const hits = await originHits();
      return { polled: hits.total, skipped: count - hits.total, changed: tally.writtenKeys.filter((k) => k.startsWith('river:')).length };
    },
    'scheduled',
  );
  let tick = 0;
  const nextRun = async () => {
    const report = await runPoll(e, { now: new Date(start + ++tick * (INTERVAL_MS + 60_000)) });
    const polled = report.results.filter((r) => r.outcome !== 'skipped').length;
    return { polled, skipped: count - polled, changed: report.changedCategories.length };
  };
  // The first quiet runs after the cold one still differ (deferred sources arrive, lastStatus 200 → 304): settle first.
  await measure('settling (run 2)', nextRun, 'runPoll');
  await measure('settling (run 3)', nextRun, 'runPoll');
  await measure('all 304', nextRun, 'runPoll');
  await bump(indexes.filter((_, k) => k % 10 === 0));
  await measure('1 of 10 changed', nextRun, 'runPoll');
  await measure('quiet after a change', nextRun, 'runPoll');
  await bump(indexes);
  await measure('all changed', nextRun, 'runPoll');

  const perRun = Math.min(count, fetchBudget(readConfig(e)));
  for (const c of cycles) expect(c.polled, c.scenario).toBe(perRun);
  return { sources: count, categories: CATEGORIES, subrequestBudget: budget, fetchesPerRunAllowed: perRun, cycles };
}

it('runs cron cycles for 10, 50 and 500 sources and reports their cost', async () => {
  const sizes = [
    await benchSize(10, 0),
    await benchSize(50, 100),
    await benchSize(500, 1000),
  ];
  const res = await fetch(`${ORIGIN}/__results/cron`, { method: 'POST', body: JSON.stringify({ sizes }) });
  expect(res.status).toBe(204);
});
