// One polling run: plan (the Directory's due index) → fetch → ingest through each changed source's Feed (which
// delivers to its Rivers) → report to the Directory → the changed rivers publish. The same steps serve inline runs
// (cron, admin) and queue consumers; only who hands out the sources differs.
import { errorText, failed } from '../errors';
import { digestBytes } from '../hash';
import { VERSION } from '../version';
import type { Config, Deployment, Env, IngestReport, PollMessage, PollRecord, PollTask } from '../model';
import type { RiverFigures } from '../store/river';
import { deploymentOf, directoryOf, feedOf } from '../store/objects';
import { BudgetSpent, fetchFeed, userAgent } from './fetch';
import { fetchTarget, HostPacer, queueMessages } from './plan';

export type PollOutcome = 'fresh' | 'not-modified' | 'failed' | 'skipped' | 'pushed';

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

/** One source's poll: what to tell the Directory, and which rivers its Feed delivered to. */
export interface SourcePoll {
  result: PollResult;
  /** Absent when the poll did not happen (the invocation's subrequest budget was spent). */
  record?: PollRecord;
  delivered: string[];
}

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

/**
 * Fetches one source with its validators (a conditional GET, RFC 9110 §13.1, https://www.rfc-editor.org/rfc/rfc9110#section-13.1)
 * and, when its body is new, has its Feed ingest and deliver it. Never throws: every failure is a value in the result
 * and the record.
 */
export async function pollSource(env: Env, d: Deployment, task: PollTask, now: Date, budget: SubrequestBudget): Promise<SourcePoll> {
  const { source } = task;
  const skipped: SourcePoll = { result: { id: source.id, outcome: 'skipped' }, delivered: [] };
  if (budget.spent) return skipped;
  const checkedAt = now.toISOString();
  const target = fetchTarget(task);
  const outcome = await fetchFeed(target.url, { etag: task.etag, lastModified: task.lastModified }, d.config, {
    userAgent: source.userAgent ?? userAgent(VERSION, d.config.publicBaseUrl),
    headers: target.headers,
    fetcher: budget.fetcher,
  });
  // Our budget, not the source's fault: nothing recorded, and it is first in line next run.
  if (!outcome.ok && outcome.code === 'budget') return skipped;
  const record: PollRecord = { id: source.id, createdAt: source.createdAt, revision: task.revision, checkedAt, outcome };
  if (task.movedTo) record.movedTo = task.movedTo;
  if (task.controls) record.controls = task.controls;
  if (!outcome.ok) return { result: { id: source.id, outcome: 'failed', error: outcome.reason }, record, delivered: [] };
  if (outcome.kind === 'not-modified') return { result: { id: source.id, outcome: 'not-modified' }, record, delivered: [] };

  const { body, ...fetched } = outcome;
  record.outcome = fetched;
  record.bodyHash = await digestBytes(body);
  // A 200 whose bytes are what we parsed last time costs no parse.
  if (record.bodyHash === task.bodyHash && !task.failing && !task.wholeFeed) {
    record.sameBody = true;
    return { result: { id: source.id, outcome: 'not-modified' }, record, delivered: [] };
  }
  return deliverBody(env, d, task, record, { body, contentType: outcome.contentType, finalUrl: outcome.finalUrl });
}

/** A fetched or pushed body through the source's Feed: what it delivered, and the record for the Directory. */
async function deliverBody(
  env: Env,
  d: Deployment,
  task: PollTask,
  record: PollRecord,
  got: { body: Uint8Array; contentType?: string; finalUrl: string },
): Promise<SourcePoll> {
  const { source } = task;
  record.ingest = await feedOf(env, d, source)
    .ingest(d, { source, revision: task.revision, ...got, fetchedAt: record.checkedAt, pushed: record.pushed })
    .catch((err: unknown) => failed('internal', `could not process the feed: ${errorText(err)}`));
  const ingest: IngestReport = record.ingest;
  if (!ingest.ok) return { result: { id: source.id, outcome: 'failed', error: ingest.reason }, record, delivered: [] };
  return { result: { id: source.id, outcome: record.pushed ? 'pushed' : 'fresh', items: ingest.itemCount }, record, delivered: ingest.delivered };
}

/**
 * A WebSub push (content distribution, W3C WebSub §7): the hub's body goes the very way of a polled one (Feed, then
 * the Directory's record, then the rivers publish), so a push and a poll that overlap meet at the same single writers.
 */
export async function pushSource(
  env: Env,
  d: Deployment,
  task: PollTask,
  got: { body: Uint8Array; contentType?: string },
): Promise<{ result: PollResult; changedCategories: string[] }> {
  const startedMs = Date.now();
  const { source } = task;
  const checkedAt = new Date(startedMs).toISOString();
  const record: PollRecord = {
    id: source.id,
    createdAt: source.createdAt,
    revision: task.revision,
    checkedAt,
    outcome: { ok: true, kind: 'fresh', status: 200, finalUrl: source.url },
    pushed: true,
  };
  const poll = await deliverBody(env, d, task, record, { ...got, finalUrl: source.url });
  const published = await finish(env, d, [poll], [task], startedMs);
  return { result: poll.result, changedCategories: published.map((f) => f.slug) };
}

/** Polls tasks with at most `maxConcurrency` in flight, two fetches to one host at least `hostSpacingMs` apart. */
export async function pollMany(env: Env, d: Deployment, tasks: PollTask[], now: Date): Promise<SourcePoll[]> {
  const pacer = new HostPacer(d.config.hostSpacingMs);
  const budget = new SubrequestBudget(fetchBudget(d.config));
  return mapLimited(tasks, d.config.maxConcurrency, async (task) => {
    const wait = pacer.delayFor(task.source.url, Date.now());
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    return pollSource(env, d, task, now, budget);
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

/**
 * Subrequests one invocation may spend on fetches: all of them, less the one WebSub ping that follows a run when a
 * hub is set. A redirect costs a hop more; SubrequestBudget then leaves the last sources for the next run.
 */
export function fetchBudget(config: Config): number {
  return Math.max(1, config.subrequestBudget - (config.websubHub ? 1 : 0));
}

// A River published a moment before the run began is another run's: the margin absorbs clocks of other machines.
const CLOCK_MARGIN_MS = 5000;

/** Reports the polls and lets the rivers they changed publish; returns those rivers. */
async function finish(env: Env, d: Deployment, polls: SourcePoll[], tasks: PollTask[], startedMs: number): Promise<RiverFigures[]> {
  const directory = directoryOf(env, d);
  const records = polls.flatMap((p) => (p.record ? [p.record] : []));
  const unpolled = polls.flatMap((p, i) => (p.record ? [] : [tasks[i].source.id]));
  if (records.length || unpolled.length) await directory.record(d, records, unpolled);
  const touched = [...new Set(polls.flatMap((p) => p.delivered))];
  if (touched.length === 0) return [];
  return directory.finishRun(d, touched, new Date(startedMs - CLOCK_MARGIN_MS).toISOString());
}

export interface RunOptions {
  now?: Date;
  /** Poll every source, due or not. */
  force?: boolean;
  /** Poll this source only. */
  sourceId?: string;
  /** Report every source not polled as skipped (the admin poll's answer lists every source). */
  listSkipped?: boolean;
}

/** The inline run: what the cron trigger and POST /admin/poll do when no queue is bound. */
export async function runPoll(env: Env, opts: RunOptions = {}): Promise<RunReport> {
  const d = deploymentOf(env);
  const startedMs = Date.now();
  const now = opts.now ?? new Date(startedMs);
  const plan = await directoryOf(env, d).plan(d, {
    now: now.toISOString(),
    budget: fetchBudget(d.config),
    force: opts.force,
    sourceId: opts.sourceId,
    listSkipped: opts.listSkipped,
  });
  const polls = await pollMany(env, d, plan.tasks, now);
  const published = await finish(env, d, polls, plan.tasks, startedMs);
  const results = [...polls.map((p) => p.result), ...plan.skipped.map((id): PollResult => ({ id, outcome: 'skipped' }))];
  return { polled: polls.length, results, changedCategories: published.map((f) => f.slug) };
}

// ───────────────────────────── queue mode ─────────────────────────────

// Sources per queue message: fewer messages (Queues bills per message), and a batch still fits one invocation.
export const SOURCES_PER_MESSAGE = 10;
// The producer hands out at most this many sources per tick; the rest are due next tick, first in line.
const PRODUCER_LIMIT = 20_000;
// Queues take at most 100 messages and 256 KB per sendBatch.
const MESSAGES_PER_SEND = 100;

/** Queue producer (cron): reads the due index and sends the due sources, paced per host by message delays. */
export async function runQueueProducer(env: Env, queue: Queue<PollMessage>, now = new Date()): Promise<{ sent: number; messages: number }> {
  const d = deploymentOf(env);
  const due = await directoryOf(env, d).dueSources(d, now.toISOString(), PRODUCER_LIMIT);
  const messages = queueMessages(due, d.config.hostSpacingMs, SOURCES_PER_MESSAGE).map((m) => ({
    body: { sourceIds: m.sourceIds },
    delaySeconds: m.delaySeconds,
  }));
  for (let i = 0; i < messages.length; i += MESSAGES_PER_SEND) await queue.sendBatch(messages.slice(i, i + MESSAGES_PER_SEND));
  return { sent: due.length, messages: messages.length };
}

/** Queue consumer: polls a batch's sources with the same steps as an inline run. */
export async function pollForQueue(env: Env, sourceIds: string[]): Promise<{ results: PollResult[]; changedCategories: string[] }> {
  const d = deploymentOf(env);
  const startedMs = Date.now();
  const tasks = await directoryOf(env, d).tasks(d, sourceIds);
  const polls = await pollMany(env, d, tasks, new Date(startedMs));
  const published = await finish(env, d, polls, tasks, startedMs);
  return { results: polls.map((p) => p.result), changedCategories: published.map((f) => f.slug) };
}
