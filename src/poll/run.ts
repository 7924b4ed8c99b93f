// One polling run: plan → poll (fetch + ingest + identity) → merge into rivers → write what changed.
// The same pollSource step serves inline runs (cron, admin) and queue consumers.
import { readConfig } from '../config';
import { hashBytes } from '../hash';
import { VERSION } from '../version';
import { ingestFeed } from '../ingest';
import type { Config, Env, FeedMeta, Item, Registry, Source, SourceState } from '../model';
import { assignKeys } from '../river/dedup';
import { categoryRule } from '../river/filter';
import { mergeRiver, type SourceContribution } from '../river/merge';
import {
  ALL_SLUG,
  idRecord,
  loadRegistry,
  loadRiver,
  loadSnapshots,
  loadStates,
  saveRiver,
  saveSnapshot,
  saveStates,
  type SourceSnapshot,
  type StateDoc,
} from '../store/kv';
import { fetchFeed, userAgent } from './fetch';
import { HostPacer, hostDelaysMs, nextState, selectDue } from './plan';

export type PollOutcome = 'fresh' | 'not-modified' | 'failed' | 'skipped';

export interface PollResult {
  id: string;
  outcome: PollOutcome;
  items?: number;
  error?: string;
}

export interface RunReport {
  polled: number;
  results: PollResult[];
  changedCategories: string[];
}

/** One source's poll, ready to merge. */
export interface SourcePoll {
  source: Source;
  state: SourceState;
  /** Present when the fetch brought a feed that parsed: every item of it, newest first, capped. */
  items?: Item[];
  meta?: FeedMeta;
  result: PollResult;
}

// Seen-keys memory per source: enough to outlast what the feed and the river keep.
const seenCap = (config: Config): number => Math.max(200, config.itemsPerSource * 3);

/** Counts an invocation's subrequests: a hop past the limit is refused before it is sent. */
export class SubrequestBudget {
  used = 0;
  constructor(readonly limit: number) {}
  readonly fetcher: typeof fetch = (input, init) => {
    if (this.used >= this.limit) return Promise.reject(new BudgetSpent());
    this.used++;
    return fetch(input, init);
  };
  get spent(): boolean {
    return this.used >= this.limit;
  }
}

class BudgetSpent extends Error {
  constructor() {
    super('subrequest budget of this run is spent');
  }
}

/** Fetches and ingests one source. Never throws: every failure is a value in `result` and `state`. */
/** The state a poll starts from: none for a source removed and registered again under the same id. */
export function currentState(source: Source, stored: SourceState | undefined): SourceState | undefined {
  return stored?.registeredAt && stored.registeredAt !== source.createdAt ? undefined : stored;
}

/** True when the source joined a category since its last merge: that river needs the whole feed, not a 304. */
export function joinedCategory(source: Source, prev: SourceState | undefined): boolean {
  return Boolean(prev?.categories && source.categories.some((c) => !prev.categories!.includes(c)));
}

export async function pollSource(
  source: Source,
  stored: SourceState | undefined,
  config: Config,
  now: Date,
  budget = new SubrequestBudget(Number.MAX_SAFE_INTEGER),
): Promise<SourcePoll> {
  const fetchedAt = now.toISOString();
  const prev = currentState(source, stored);
  const needsWholeFeed = joinedCategory(source, prev);
  const skipped = (): SourcePoll => ({ source, state: prev ?? { consecutiveFailures: 0, paused: false, itemCount: 0 }, result: { id: source.id, outcome: 'skipped' } });
  if (budget.spent) return skipped();
  // fetchFeed and ingestFeed never throw: every failure comes back as a value.
  const validators = needsWholeFeed ? {} : { etag: prev?.etag, lastModified: prev?.lastModified };
  const outcome = await fetchFeed(source.url, validators, config, {
    userAgent: userAgent(VERSION, config.publicBaseUrl),
    fetcher: budget.fetcher,
  });
  // Our budget, not the source's fault: no failure recorded, it is first in line next run.
  if (outcome.kind === 'failed' && budget.spent && /subrequest budget/.test(outcome.reason)) return skipped();
  const base = { now, config, source };

  if (outcome.kind === 'failed') {
    const state = nextState(prev, outcome, base);
    return { source, state, result: { id: source.id, outcome: 'failed', error: state.lastError ?? outcome.reason } };
  }
  if (outcome.kind === 'not-modified') {
    const state = nextState(prev, outcome, { ...base, feedTtlMinutes: prev?.feedTtlMinutes });
    return { source, state, result: { id: source.id, outcome: 'not-modified' } };
  }

  // A 200 whose bytes are what we parsed last time costs no parse.
  const bodyHash = hashBytes(outcome.body);
  if (prev?.bodyHash === bodyHash && prev.lastError === undefined && !needsWholeFeed) {
    const state = nextState(prev, outcome, { ...base, feedTtlMinutes: prev.feedTtlMinutes });
    return { source, state: { ...state, bodyHash }, result: { id: source.id, outcome: 'not-modified' } };
  }

  const ingested = await ingestFeed(outcome.body, {
    contentType: outcome.contentType,
    url: outcome.finalUrl,
    fetchedAt,
    sourceId: source.id,
  });
  if (!ingested.ok) {
    // The feed answered but is broken: a per-source error; stored items stay as they are.
    const state = nextState(prev, outcome, { ...base, ingestError: ingested.error });
    return { source, state, result: { id: source.id, outcome: 'failed', error: ingested.error } };
  }

  const { meta } = ingested.feed;
  const drafts = [...ingested.feed.items]
    .sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : 0))
    .slice(0, config.itemsPerSource);
  const { items, policy } = assignKeys(source.id, drafts, { policy: prev?.identityPolicy, known: new Set(prev?.seen) });
  const state = nextState(prev, outcome, {
    ...base,
    feedTtlMinutes: meta.ttlMinutes,
    skipHours: meta.skipHours ?? [],
    skipDays: meta.skipDays ?? [],
    itemCount: items.length,
    feedTitle: meta.title,
    feedLink: meta.link,
  });
  return {
    source,
    state: { ...state, bodyHash, identityPolicy: policy },
    items,
    meta,
    result: { id: source.id, outcome: 'fresh', items: items.length },
  };
}

/** Polls sources with at most `maxConcurrency` in flight, two fetches to one host at least `hostSpacingMs` apart. */
export async function pollMany(sources: Source[], states: StateDoc, config: Config, now: Date): Promise<SourcePoll[]> {
  const pacer = new HostPacer(config.hostSpacingMs);
  const budget = new SubrequestBudget(fetchBudget(config));
  return mapLimited(sources, config.maxConcurrency, async (s) => {
    const wait = pacer.delayFor(s.url, Date.now());
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    return pollSource(s, states.sources[s.id], config, now, budget);
  });
}

/** Runs `task` over `inputs` with at most `limit` in flight (Workers allow 6 open connections). */
export async function mapLimited<T, R>(inputs: T[], limit: number, task: (input: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(inputs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next++;
      out[i] = await task(inputs[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return out;
}

/** Folds polls into the rivers and the state doc; writes each river that changed and the state once, if worth it. */
export async function applyPolls(
  kv: KVNamespace,
  registry: Registry,
  states: StateDoc,
  polls: SourcePoll[],
  config: Config,
  now: Date,
): Promise<string[]> {
  const nowIso = now.toISOString();
  // Sources removed by the admin API leave their state behind; the run (the state's one writer) drops it.
  const kept = Object.entries(states.sources).filter(([id]) => registry.sources[id]);
  const next: StateDoc = { sources: idRecord(Object.fromEntries(kept)), categories: idRecord(states.categories) };
  const byCategory = new Map<string, SourceContribution[]>();
  const all: SourceContribution[] = [];

  for (const p of polls) {
    const prev = currentState(p.source, states.sources[p.source.id]);
    let state = p.state;
    if (p.items) {
      const prevSeen = prev?.seen ?? [];
      const contribution: SourceContribution = {
        source: {
          id: p.source.id,
          title: p.source.title || p.meta?.title || new URL(p.source.url).hostname,
          feedUrl: p.source.url,
          siteUrl: p.meta?.link,
        },
        items: p.items,
        seen: new Set(prevSeen),
      };
      // A category the source just joined has seen none of its items.
      const joined = { ...contribution, seen: new Set<string>() };
      for (const slug of p.source.categories) {
        if (!registry.categories[slug]) continue;
        const isNew = prev?.categories !== undefined && !prev.categories.includes(slug);
        byCategory.set(slug, [...(byCategory.get(slug) ?? []), isNew ? joined : contribution]);
      }
      all.push(contribution);
      const seen = [...new Set([...p.items.map((i) => i.key), ...prevSeen])].slice(0, seenCap(config));
      state = { ...state, seen, categories: [...p.source.categories], registeredAt: p.source.createdAt };
    }
    next.sources[p.source.id] = state;
  }

  const changed: string[] = [];
  const mergeInto = async (slug: string, meta: { title: string; description?: string; language?: string }, cs: SourceContribution[]) => {
    const prev = await loadRiver(kv, slug);
    const { river, changed: didChange } = mergeRiver(prev, { slug, ...meta }, cs, { now: nowIso, cap: config.itemsPerCategory });
    if (didChange) {
      await saveRiver(kv, river);
      changed.push(slug);
      next.categories![slug] = { itemCount: river.items.length, updatedAt: river.updatedAt };
    }
  };
  for (const [slug, cs] of byCategory) {
    const c = registry.categories[slug];
    const rule = categoryRule(c);
    const admitted = rule ? cs.map((x) => ({ ...x, items: x.items.filter(rule) })) : cs;
    await mergeInto(slug, { title: c.title, description: c.description, language: c.language }, admitted);
  }
  if (all.length > 0) await mergeInto(ALL_SLUG, { title: 'All categories' }, all);

  if (stateWorthWriting(states, next, config, now)) await saveStates(kv, next);
  return changed;
}

// Fields that move on every check; alone they do not justify a KV write (see docs/storage.md).
const VOLATILE_FIELDS = new Set(['lastCheckedAt', 'lastSuccessAt', 'nextCheckAt']);
// Even with nothing material to say, refresh the stored check times this often so the status page stays honest.
const HEARTBEAT_MS = 6 * 3600_000;

/**
 * True when the new state says something the stored one does not: anything beyond the volatile check times,
 * a next check further out than the next cron tick (forgetting it would poll too early), or a stale heartbeat.
 */
export function stateWorthWriting(prev: StateDoc, next: StateDoc, config: Config, now: Date): boolean {
  const tick = now.getTime() + config.pollIntervalMinutes * 60_000 + 60_000;
  for (const [id, s] of Object.entries(next.sources)) {
    const p = prev.sources[id];
    if (!p) return true;
    for (const k of new Set([...Object.keys(s), ...Object.keys(p)])) {
      if (VOLATILE_FIELDS.has(k)) continue;
      const a = (s as unknown as Record<string, unknown>)[k];
      const b = (p as unknown as Record<string, unknown>)[k];
      if (a !== b && JSON.stringify(a) !== JSON.stringify(b)) return true;
    }
    if (s.nextCheckAt && Date.parse(s.nextCheckAt) > tick && s.nextCheckAt !== p.nextCheckAt) return true;
    if (!p.lastCheckedAt || now.getTime() - Date.parse(p.lastCheckedAt) > HEARTBEAT_MS) {
      if (s.lastCheckedAt !== p.lastCheckedAt) return true;
    }
  }
  if (JSON.stringify(prev.categories ?? {}) !== JSON.stringify(next.categories ?? {})) return true;
  return Object.keys(prev.sources).some((id) => !next.sources[id]);
}

/**
 * Subrequests one invocation may spend on fetches: all of them, less the one WebSub ping that follows a run when a
 * hub is set. A redirect costs a hop more; SubrequestBudget then leaves the last sources for the next run.
 */
export function fetchBudget(config: Config): number {
  return Math.max(1, config.subrequestBudget - (config.websubHub ? 1 : 0));
}

export interface RunOptions {
  now?: Date;
  /** Poll every source, due or not. */
  force?: boolean;
  /** Poll this source only. */
  sourceId?: string;
}

/** The inline run: what the cron trigger and POST /admin/poll do when no queue is bound. */
export async function runPoll(env: Env, opts: RunOptions = {}, kv: KVNamespace = env.TRIBUTARY): Promise<RunReport> {
  const config = readConfig(env);
  const now = opts.now ?? new Date();
  const [registry, states] = await Promise.all([loadRegistry(kv), loadStates(kv)]);
  const sources = Object.values(registry.sources);
  let due: Source[];
  if (opts.sourceId) due = sources.filter((s) => s.id === opts.sourceId);
  else if (opts.force) due = sources;
  else due = selectDue(sources, states.sources, now, { budget: fetchBudget(config) });

  const polls = await pollMany(due, states, config, now);
  const changedCategories = await applyPolls(kv, registry, states, polls, config, now);
  const results = polls.map((p) => p.result);
  const skipped = opts.force || opts.sourceId ? [] : sources.filter((s) => !due.includes(s));
  for (const s of skipped) results.push({ id: s.id, outcome: 'skipped' });
  return { polled: polls.length, results, changedCategories };
}

// ───────────────────────────── queue mode ─────────────────────────────

/** Queue consumer: poll each source, leave a snapshot only when it says something new. */
export async function pollForQueue(env: Env, sourceIds: string[], kv: KVNamespace = env.TRIBUTARY): Promise<PollResult[]> {
  const config = readConfig(env);
  const now = new Date();
  const [registry, states] = await Promise.all([loadRegistry(kv), loadStates(kv)]);
  const sources = sourceIds.map((id) => registry.sources[id]).filter((s): s is Source => Boolean(s));
  const polls = await pollMany(sources, states, config, now);
  for (const p of polls) {
    const prev = states.sources[p.source.id];
    const material = p.items !== undefined || stateWorthWriting({ sources: { [p.source.id]: prev } }, { sources: { [p.source.id]: p.state } }, config, now);
    if (!material) continue;
    const snap: SourceSnapshot = { sourceId: p.source.id, polledAt: now.toISOString(), state: p.state, items: p.items };
    if (p.meta) Object.assign(snap, { feedTitle: p.meta.title, feedLink: p.meta.link });
    await saveSnapshot(kv, snap);
  }
  return polls.map((p) => p.result);
}

/** Queue producer (cron): merge what consumers left since the last run, then send what is due. */
export async function runQueueProducer(env: Env, queue: Queue<{ sourceId: string }>, kv: KVNamespace = env.TRIBUTARY, now = new Date()): Promise<{ merged: number; sent: number; changedCategories: string[] }> {
  const config = readConfig(env);
  const [registry, states] = await Promise.all([loadRegistry(kv), loadStates(kv)]);
  const snaps = await loadSnapshots(kv, (id) => states.sources[id]?.lastCheckedAt);
  const fresh = snaps.filter((s) => registry.sources[s.sourceId]);
  const polls: SourcePoll[] = fresh.map((s) => ({
    source: registry.sources[s.sourceId],
    state: s.state,
    items: s.items,
    meta: s.items ? ({ title: s.feedTitle, link: s.feedLink } as FeedMeta) : undefined,
    result: { id: s.sourceId, outcome: s.items ? 'fresh' : 'not-modified' },
  }));
  const changedCategories = polls.length ? await applyPolls(kv, registry, states, polls, config, now) : [];
  const due = selectDue(Object.values(registry.sources), idRecord({ ...states.sources, ...Object.fromEntries(polls.map((p) => [p.source.id, p.state])) }), now, {
    budget: Number.MAX_SAFE_INTEGER,
  });
  // Same-host sources go out with growing delays, so consumers never hit one host twice in a second.
  const delays = hostDelaysMs(due, config.hostSpacingMs);
  const messages = due.map((s, i) => ({ body: { sourceId: s.id }, delaySeconds: Math.min(43_200, Math.ceil(delays[i] / 1000)) }));
  for (let i = 0; i < messages.length; i += 100) await queue.sendBatch(messages.slice(i, i + 100));
  return { merged: polls.length, sent: due.length, changedCategories };
}

