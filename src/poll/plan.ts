// plan: which sources to poll now, in what order and pace, and what a fetch outcome does to a source's state.
// Pure: values in, values out (time and randomness come in through arguments).
import { failed, type Failure } from '../errors';
import type { CheckedOutcome, CheckEntry, Config, IngestReport, PollRecord, PollTask, Source, SourceState } from '../model';
import { headersFor } from './controls';
import { hash64 } from '../hash';

const MINUTE = 60_000;

/**
 * A source counts as due when its next check falls within this margin of `now` (the Directory's due index): the cron
 * fires on the interval boundary, and a source checked a few seconds after the previous one must not wait a round.
 */
export const DUE_SLACK_MS = 2 * MINUTE;

/** A paused source (410 Gone, or too many failures in a row) is still tried this often, so it can recover. */
export const PAUSED_RETRY_MINUTES = 24 * 60;

/** Jitter spreads retries: a backoff delay lands in [delay, delay × (1 + BACKOFF_JITTER)] before the cap. */
export const BACKOFF_JITTER = 0.5;

// ───────────────────────────── selecting ─────────────────────────────

function instant(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** The host a source is fetched from (lower-case host name; unparseable URLs are their own "host"). */
export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return url;
  }
}

/**
 * Round-robin over hosts, keeping each host's own order: first source of every host, then the second of every host…
 * With N hosts in a round, two fetches to one host are N positions apart in the list.
 */
export function spreadHosts(ordered: Source[]): Source[] {
  const byHost = new Map<string, Source[]>();
  for (const s of ordered) {
    const h = hostOf(s.url);
    const list = byHost.get(h);
    if (list) list.push(s);
    else byHost.set(h, [s]);
  }
  const out: Source[] = [];
  for (let round = 0; out.length < ordered.length; round++) {
    for (const list of byHost.values()) if (round < list.length) out.push(list[round]);
  }
  return out;
}

/**
 * Queue messages for due sources, at most `perMessage` sources each. A host's sources travel together (the consumer
 * paces them `spacingMs` apart, as an inline run does); a host with more than `perMessage` sends the next ones in a
 * message delayed by the time those took, so no two consumers fetch one host at once. Small hosts share messages.
 */
export function queueMessages(due: { id: string; host: string }[], spacingMs: number, perMessage: number): { sourceIds: string[]; delaySeconds: number }[] {
  const byHost = new Map<string, string[]>();
  for (const { id, host } of due) {
    const ids = byHost.get(host);
    if (ids) ids.push(id);
    else byHost.set(host, [id]);
  }
  const runsByDelay = new Map<number, string[][]>();
  for (const ids of byHost.values()) {
    for (let k = 0; k * perMessage < ids.length; k++) {
      const delaySeconds = Math.min(43_200, Math.ceil((k * perMessage * spacingMs) / 1000));
      const runs = runsByDelay.get(delaySeconds) ?? [];
      runs.push(ids.slice(k * perMessage, (k + 1) * perMessage));
      runsByDelay.set(delaySeconds, runs);
    }
  }
  const out: { sourceIds: string[]; delaySeconds: number }[] = [];
  for (const [delaySeconds, runs] of [...runsByDelay].sort((a, b) => a[0] - b[0])) {
    let message: string[] = [];
    for (const run of runs) {
      if (message.length + run.length > perMessage) {
        out.push({ sourceIds: message, delaySeconds });
        message = [];
      }
      message.push(...run);
    }
    if (message.length) out.push({ sourceIds: message, delaySeconds });
  }
  return out;
}

/**
 * Inline mode: reserves start times per host. Before each fetch the runner does
 * `await sleep(pacer.delayFor(source.url, Date.now()))`; the reservation is taken at once, so concurrent workers
 * calling it for one host get slots `spacingMs` apart.
 */
export class HostPacer {
  private readonly nextFree = new Map<string, number>();
  constructor(private readonly spacingMs: number) {}

  /** Milliseconds to wait before fetching `url`, given the current time. */
  delayFor(url: string, nowMs: number): number {
    const h = hostOf(url);
    const slot = Math.max(nowMs, this.nextFree.get(h) ?? nowMs);
    this.nextFree.set(h, slot + this.spacingMs);
    return slot - nowMs;
  }
}

// ───────────────────────────── state after a fetch ─────────────────────────────

export interface NextStateContext {
  now: Date;
  config: Config;
  source: Source;
  /** The feed's own <ttl> (minutes), when the body was parsed this time. */
  feedTtlMinutes?: number;
  /** Uniform [0, 1); defaults to Math.random. Tests pass a fixed one. */
  random?: () => number;
  itemCount?: number;
  feedTitle?: string;
  feedLink?: string;
  /** The fetch worked but the body is not a usable feed (ingest's code and reason); counts as a failure. */
  ingestFailure?: Failure;
  /** RSS <skipHours>/<skipDays> from this parse; remembered, and checks are moved out of those hours/days. */
  skipHours?: number[];
  skipDays?: string[];
}

/** The polling interval before any feed hints: the source's own, else the configured default. */
export function baseIntervalMinutes(source: Source, config: Config): number {
  const own = source.intervalMinutes;
  return own !== undefined && Number.isFinite(own) && own > 0 ? own : config.pollIntervalMinutes;
}

/**
 * The state after one poll. Success (fresh or not-modified, and ingest fine) resets failures and unpauses; the next
 * check is the interval raised by the feed's <ttl> and the response's max-age/Expires (those hints capped at
 * maxBackoffMinutes; RFC 9111 §5.2.2.1 and §5.3, https://www.rfc-editor.org/rfc/rfc9111#section-5.3). Failure counts
 * up, backs off exponentially with jitter (capped at maxBackoffMinutes, never sooner than the interval), honours
 * Retry-After (RFC 9110 §10.2.3), and pauses on 410 or after pauseAfterFailures in a row, with a slow retry. A failure
 * keeps the validators, items and metadata of the last success. Fields this function does not own (bodyHash, seen,
 * identityPolicy) are carried over.
 */
export function nextState(prev: SourceState | undefined, outcome: CheckedOutcome, ctx: NextStateContext): SourceState {
  const state = checkedState(prev, outcome, ctx);
  if (!outcome.ok) return withFailure(state, outcome, outcome, ctx);
  if (ctx.ingestFailure) return withFailure(state, outcome, ctx.ingestFailure, ctx);
  return withSuccess(state, outcome, ctx);
}

/** What every check records, whatever it came to: when, the status, what the feed said of itself. */
function checkedState(prev: SourceState | undefined, outcome: CheckedOutcome, ctx: NextStateContext): SourceState {
  const state: SourceState = {
    ...prev,
    consecutiveFailures: prev?.consecutiveFailures ?? 0,
    paused: prev?.paused ?? false,
    itemCount: ctx.itemCount ?? prev?.itemCount ?? 0,
  };
  state.lastCheckedAt = ctx.now.toISOString();
  setOrDelete(state, 'lastStatus', outcome.status);
  if (ctx.feedTitle !== undefined) state.feedTitle = ctx.feedTitle;
  if (ctx.feedLink !== undefined) state.feedLink = ctx.feedLink;
  // The feed's own hints, from a body that was read this time (RSS 2.0 <ttl>, <skipHours>, <skipDays>).
  if (outcome.ok && outcome.kind === 'fresh' && ctx.ingestFailure === undefined) {
    if (ctx.feedTtlMinutes !== undefined) setOrDelete(state, 'feedTtlMinutes', validMinutes(ctx.feedTtlMinutes));
    if (ctx.skipHours !== undefined) setOrDelete(state, 'skipHours', validSkipHours(ctx.skipHours));
    if (ctx.skipDays !== undefined) setOrDelete(state, 'skipDays', validSkipDays(ctx.skipDays));
  }
  return state;
}

/** The interval the source is polled at, and its <ttl> within the cap on feed and HTTP hints. */
function pollingInterval(state: SourceState, ctx: NextStateContext): { base: number; hintCap: number; ttl: number } {
  const base = baseIntervalMinutes(ctx.source, ctx.config);
  const hintCap = Math.max(ctx.config.maxBackoffMinutes, base);
  return { base, hintCap, ttl: Math.min(state.feedTtlMinutes ?? 0, hintCap) };
}

/** A check that worked: failures reset, validators kept, the next check after the interval and the hints. */
function withSuccess(state: SourceState, outcome: Extract<CheckedOutcome, { ok: true }>, ctx: NextStateContext): SourceState {
  const { base, hintCap, ttl } = pollingInterval(state, ctx);
  state.lastSuccessAt = state.lastCheckedAt;
  resetFailures(state);
  keepValidators(state, outcome);
  setOrDelete(state, 'permanentRedirect', outcome.permanentRedirect);
  const maxAge = Math.min((outcome.maxAgeSeconds ?? 0) / 60, hintCap);
  const interval = Math.max(base, ttl, maxAge);
  state.nextCheckAt = new Date(outsideSkipped(ctx.now.getTime() + interval * MINUTE, state)).toISOString();
  return state;
}

function resetFailures(state: SourceState): void {
  delete state.lastError;
  delete state.lastErrorCode;
  state.consecutiveFailures = 0;
  state.paused = false;
  delete state.failingSince;
}

/** A 200's validators replace the stored ones; a 304 may repeat or refresh them, and absent means unchanged (RFC 9110 §15.4.5). */
function keepValidators(state: SourceState, outcome: Extract<CheckedOutcome, { ok: true }>): void {
  if (outcome.kind === 'fresh') {
    setOrDelete(state, 'etag', outcome.etag);
    setOrDelete(state, 'lastModified', outcome.lastModified);
  } else {
    if (outcome.etag !== undefined) state.etag = outcome.etag;
    if (outcome.lastModified !== undefined) state.lastModified = outcome.lastModified;
  }
}

/** A check that failed (the fetch, or ingest of what it fetched): counted, maybe paused, retried after a backoff. */
function withFailure(state: SourceState, outcome: CheckedOutcome, failure: Failure, ctx: NextStateContext): SourceState {
  const { config } = ctx;
  const fetchFailure = outcome.ok ? undefined : outcome;
  state.lastError = failure.reason;
  state.lastErrorCode = failure.code;
  state.consecutiveFailures += 1;
  state.failingSince ??= state.lastCheckedAt;
  if (outcome.permanentRedirect !== undefined) state.permanentRedirect = outcome.permanentRedirect;
  state.paused = state.paused || fetchFailure?.gone === true || state.consecutiveFailures >= config.pauseAfterFailures;
  const nowMs = ctx.now.getTime();
  let next = nowMs + retryDelayMinutes(state, ctx) * MINUTE;
  // Retry-After: never sooner than the server asked; but a far-future answer waits at most the slow retry.
  const retryAt = instant(fetchFailure?.retryAt);
  if (retryAt !== undefined) {
    const longest = nowMs + Math.max(config.maxBackoffMinutes, PAUSED_RETRY_MINUTES) * MINUTE;
    next = Math.max(next, Math.min(retryAt, longest));
  }
  state.nextCheckAt = new Date(outsideSkipped(next, state)).toISOString();
  return state;
}

/** How long after a failure to try again: the slow retry when paused, else exponential backoff with jitter, capped. */
function retryDelayMinutes(state: SourceState, ctx: NextStateContext): number {
  const random = ctx.random ?? Math.random;
  const { base, ttl } = pollingInterval(state, ctx);
  if (state.paused) return Math.max(PAUSED_RETRY_MINUTES, base) * (1 + 0.1 * random());
  const interval = Math.max(base, ttl);
  const grown = interval * 2 ** Math.min(state.consecutiveFailures - 1, 30) * (1 + BACKOFF_JITTER * random());
  return Math.max(interval, Math.min(ctx.config.maxBackoffMinutes, grown));
}

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const HOUR = 60 * MINUTE;

/**
 * Moves an instant to the start of the first hour (GMT, as RSS specifies: https://www.rssboard.org/skip-hours-days) that the
 * feed does not skip.
 * A feed that skips every hour or every day has made a mistake and is polled as if it skipped nothing.
 */
export function outsideSkipped(ms: number, skip: Pick<SourceState, 'skipHours' | 'skipDays'>): number {
  const hours = new Set(skip.skipHours ?? []);
  const days = new Set((skip.skipDays ?? []).map((d) => d.toLowerCase()));
  if (hours.size >= 24 || DAY_NAMES.every((d) => days.has(d))) return ms;
  if (hours.size === 0 && days.size === 0) return ms;
  let t = ms;
  for (let step = 0; step < 8 * 24; step++) {
    const d = new Date(t);
    if (!hours.has(d.getUTCHours()) && !days.has(DAY_NAMES[d.getUTCDay()])) return t;
    t = Math.floor(t / HOUR) * HOUR + HOUR; // start of the next hour
  }
  return ms;
}

function validSkipHours(hours: number[]): number[] | undefined {
  const ok = [...new Set(hours.filter((h) => Number.isInteger(h) && h >= 0 && h <= 23))].sort((a, b) => a - b);
  return ok.length > 0 ? ok : undefined;
}

function validSkipDays(days: string[]): string[] | undefined {
  const ok = [...new Set(days.map((d) => d.trim().toLowerCase()).filter((d) => DAY_NAMES.includes(d)))];
  return ok.length > 0 ? ok.map((d) => d[0].toUpperCase() + d.slice(1)) : undefined;
}

function validMinutes(n: number): number | undefined {
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function setOrDelete<K extends keyof SourceState>(state: SourceState, key: K, value: SourceState[K] | undefined): void {
  if (value === undefined) delete state[key];
  else state[key] = value;
}

// ───────────────────────────── tasks and reports (the Directory's side of a poll) ─────────────────────────────

/** The state a poll starts from: none for a source removed and registered again under the same id. */
export function currentState(source: Source, stored: SourceState | undefined): SourceState | undefined {
  return stored?.registeredAt && stored.registeredAt !== source.createdAt ? undefined : stored;
}

/** True when `now` names a category `before` does not: the river of a category joined needs the whole feed. */
export function joinsCategory(now: readonly string[], before: readonly string[]): boolean {
  return now.some((c) => !before.includes(c));
}

/** True when the source joined a category since its last delivery: that river needs the whole feed, not a 304. */
export function joinedCategory(source: Source, prev: SourceState | undefined): boolean {
  return prev?.categories !== undefined && joinsCategory(source.categories, prev.categories);
}

/** What the fetcher needs of a source: validators unless the whole feed is wanted. */
export function pollTask(source: Source, stored: SourceState | undefined, revision: number): PollTask {
  const prev = currentState(source, stored);
  const wholeFeed = joinedCategory(source, prev);
  const task: PollTask = { source, revision, wholeFeed, failing: prev?.lastError !== undefined };
  if (prev?.permanentRedirect && prev.permanentRedirect !== source.url) task.movedTo = prev.permanentRedirect;
  task.controls = controlsOf(source);
  if (!wholeFeed) {
    if (prev?.etag) task.etag = prev.etag;
    if (prev?.lastModified) task.lastModified = prev.lastModified;
    if (prev?.bodyHash) task.bodyHash = prev.bodyHash;
  }
  return task;
}

/**
 * Where a poll fetches: where permanent redirects moved the source, as RFC 9110 §15.4.2 asks of clients that can
 * re-link (https://www.rfc-editor.org/rfc/rfc9110#section-15.4.2), else its registered URL. Credentials go to their own
 * origin only, as on a redirect.
 */
export function fetchTarget(task: PollTask): { url: string; headers?: Record<string, string> } {
  const { source, movedTo } = task;
  const url = movedTo ?? source.url;
  return { url, headers: headersFor(url, source.url, source.headers) };
}

/** A PollRecord as a Worker of the release before wrote it (a run that spanned a deploy). */
type EarlierRecord = Omit<PollRecord, 'outcome' | 'ingest'> & {
  outcome: (Omit<CheckedOutcome, 'ok'> & { ok?: boolean; kind?: string }) | CheckedOutcome;
  ingest?: IngestReport | { ok: false; error: string };
};

/**
 * A report in this release's shapes: the release before told a failed fetch by `kind: 'failed'` alone and an ingest
 * failure by its words alone (`error`). A run that spans a deploy reports with the old code to the new Directory.
 */
export function currentRecord(record: PollRecord | EarlierRecord): PollRecord {
  const { outcome, ingest } = record;
  const oldOutcome = outcome.ok === undefined;
  const oldIngest = ingest !== undefined && !ingest.ok && 'error' in ingest;
  if (!oldOutcome && !oldIngest) return record as PollRecord;
  const upgraded = { ...record } as PollRecord;
  if (oldOutcome) {
    const { kind, ...rest } = outcome as { kind?: string };
    upgraded.outcome = (kind === 'failed' ? { ...rest, ok: false } : { ...outcome, ok: true }) as CheckedOutcome;
  }
  if (oldIngest) upgraded.ingest = failed('unknown', (ingest as { error: string }).error);
  return upgraded;
}

/**
 * The state after a reported poll: the fetch outcome through nextState, plus what ingest learned (the feed's ttl and
 * skip hours, title, link, identity policy, charset) and, when it delivered, the categories delivered to.
 */
export function stateAfter(stored: SourceState | undefined, record: PollRecord, source: Source, config: Config, random?: () => number): SourceState {
  const state = record.pushed
    ? pushedState(currentState(source, stored), record, source)
    : movedState(polledState(stored, record, source, config, random), record, source, currentState(source, stored));
  return { ...state, checks: [checkEntry(record, state), ...(state.checks ?? [])].slice(0, CHECKS_KEPT) };
}

/**
 * After a WebSub push: what ingest learned, and the categories delivered to. Schedule, validators, body hash and
 * failures belong to polling and stay; a push the Feed could not read is listed in the checks, not counted as a failure.
 */
function pushedState(prev: SourceState | undefined, record: PollRecord, source: Source): SourceState {
  const state: SourceState = { ...(prev ?? { consecutiveFailures: 0, paused: false, itemCount: 0 }), registeredAt: source.createdAt };
  const { ingest } = record;
  if (!ingest?.ok) return state;
  const categories = ingest.categories.filter((c) => source.categories.includes(c));
  return { ...state, identityPolicy: ingest.policy, charset: ingest.charset, categories };
}

/** What a fetch of the source goes out with, as a fingerprint: its User-Agent and headers (secrets only hashed). */
export function controlsOf(source: Pick<Source, 'userAgent' | 'headers'>): string {
  return hash64(JSON.stringify([source.userAgent ?? null, source.headers ?? null]));
}

/**
 * Where the source lives after a poll. A redirect answered to other headers than the source's now (changed while the
 * poll was out) moves nothing: the stored move stands. A source polled where it moved stays there until it moves on
 * (a new permanent redirect) or fails there — then its registered URL is asked again, and leads back if the move
 * stands — unless the move was forgotten meanwhile (new headers, say).
 */
function movedState(state: SourceState, record: PollRecord, source: Source, prev: SourceState | undefined): SourceState {
  const move = moveAfter(state, record, source, prev);
  const { permanentRedirect: _, ...rest } = state;
  return move ? { ...rest, permanentRedirect: move } : rest;
}

function moveAfter(state: SourceState, record: PollRecord, source: Source, prev: SourceState | undefined): string | undefined {
  const { movedTo, outcome, ingest } = record;
  if (record.controls !== undefined && record.controls !== controlsOf(source)) return prev?.permanentRedirect;
  if (movedTo !== undefined && (!outcome.ok || ingest?.ok === false)) return undefined;
  return state.permanentRedirect ?? (movedTo !== undefined && prev?.permanentRedirect === movedTo ? movedTo : undefined);
}

/** The source as polling sees it while a WebSub subscription is live: its interval stretched, as a safety net. */
export function safetyNetSource(source: Source, config: Config): Source {
  return { ...source, intervalMinutes: baseIntervalMinutes(source, config) * config.websubPollFactor };
}

// The console lists this many of a source's latest checks.
const CHECKS_KEPT = 8;

/** One check as the console lists it: what came back, and the error in words when it failed. */
function checkEntry(record: PollRecord, state: SourceState): CheckEntry {
  const { outcome, ingest } = record;
  const error = record.pushed ? (ingest && !ingest.ok ? `push not read: ${ingest.reason}` : undefined) : state.lastError;
  const kind = outcome.ok && outcome.kind === 'fresh' && !record.sameBody ? (record.pushed ? 'pushed' : 'fresh') : 'not-modified';
  const entry: CheckEntry = { at: record.checkedAt, outcome: error !== undefined ? 'failed' : kind };
  if (outcome.status !== undefined) entry.status = outcome.status;
  if (ingest?.ok) entry.items = ingest.itemCount;
  if (error !== undefined) entry.error = error;
  return entry;
}

function polledState(stored: SourceState | undefined, record: PollRecord, source: Source, config: Config, random?: () => number): SourceState {
  const prev = currentState(source, stored);
  const base = { now: new Date(record.checkedAt), config, source, random };
  const { outcome, ingest } = record;
  if (!outcome.ok || outcome.kind !== 'fresh') return nextState(prev, outcome, { ...base, feedTtlMinutes: prev?.feedTtlMinutes });
  if (record.sameBody || !ingest) {
    const state = nextState(prev, outcome, { ...base, feedTtlMinutes: prev?.feedTtlMinutes });
    return record.bodyHash ? { ...state, bodyHash: record.bodyHash } : state;
  }
  if (!ingest.ok) return nextState(prev, outcome, { ...base, ingestFailure: ingest });
  const { feed } = ingest;
  // Items were left as a push had them: this body's validators and hash are not taken, so the next poll reads again.
  const taken = ingest.unsettled ? { ...outcome, etag: undefined, lastModified: undefined } : outcome;
  const state = nextState(prev, taken, {
    ...base,
    feedTtlMinutes: feed.ttlMinutes,
    skipHours: feed.skipHours ?? [],
    skipDays: feed.skipDays ?? [],
    itemCount: ingest.itemCount,
    feedTitle: feed.title,
    feedLink: feed.link,
  });
  // The categories this poll delivered to and the source is still in: one joined while it ran still waits for its whole
  // feed, and one left while it ran is not counted as delivered (a return to it gets the whole feed).
  const categories = ingest.categories.filter((c) => source.categories.includes(c));
  const next: SourceState = { ...state, identityPolicy: ingest.policy, charset: ingest.charset, categories, registeredAt: source.createdAt };
  // The hub a subscriber would use: the HTTP Link header's, else the feed's own (WebSub §4).
  setOrDelete(next, 'feedHub', (outcome.kind === 'fresh' ? outcome.links?.hub : undefined) ?? feed.hubUrl);
  if (record.bodyHash && !ingest.unsettled) next.bodyHash = record.bodyHash;
  delete next.seen;
  return next;
}
