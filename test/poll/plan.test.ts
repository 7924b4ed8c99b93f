import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config';
import type { Config, FetchFailure, FetchOutcome, Source, SourceState } from '../../src/model';
import { currentRecord, HostPacer, PAUSED_RETRY_MINUTES, queueMessages, nextState, stateAfter } from '../../src/poll/plan';

const config: Config = { ...readConfig({} as never), pauseAfterFailures: 10 };
const MIN = 60_000;
const now = new Date('2026-11-25T10:00:00.000Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * MIN).toISOString();
const minutesUntil = (iso: string | undefined) => (Date.parse(iso ?? 'x') - now.getTime()) / MIN;

function source(id: string, url = `https://${id}.example/feed`, extra: Partial<Source> = {}): Source {
  return { id, url, categories: ['news'], createdAt: '2026-01-01T00:00:00Z', ...extra };
}

const fresh = (extra: Partial<Extract<FetchOutcome, { kind: 'fresh' }>> = {}): FetchOutcome => ({
  ok: true,
  kind: 'fresh',
  status: 200,
  body: new TextEncoder().encode('<rss/>'),
  finalUrl: 'https://a.example/feed',
  ...extra,
});
const notModified = (extra: Partial<Extract<FetchOutcome, { kind: 'not-modified' }>> = {}): FetchOutcome => ({
  ok: true,
  kind: 'not-modified',
  status: 304,
  finalUrl: 'https://a.example/feed',
  ...extra,
});
const failed = (extra: Partial<FetchFailure> = {}): FetchOutcome => ({
  ok: false,
  code: 'http',
  status: 500,
  reason: 'HTTP 500 from a.example',
  ...extra,
});

const src = source('a');
const ctx = (extra: Partial<Parameters<typeof nextState>[2]> = {}) => ({ now, config, source: src, random: () => 0, ...extra });

/** Runs `n` failures in a row from a clean state and returns every state. */
function failures(n: number, c: Config = config, random = () => 0): SourceState[] {
  const out: SourceState[] = [];
  let state: SourceState | undefined;
  for (let i = 0; i < n; i++) {
    state = nextState(state, failed(), { now, config: c, source: src, random });
    out.push(state);
  }
  return out;
}

describe('nextState: success', () => {
  it('records a fresh fetch and schedules one interval later', () => {
    const state = nextState(
      undefined,
      fresh({ etag: '"e"', lastModified: 'Tue, 24 Nov 2026 08:00:00 GMT' }),
      ctx({ itemCount: 12, feedTitle: 'A', feedLink: 'https://a.example/' }),
    );
    expect(state).toEqual({
      lastCheckedAt: now.toISOString(),
      lastSuccessAt: now.toISOString(),
      lastStatus: 200,
      consecutiveFailures: 0,
      paused: false,
      itemCount: 12,
      feedTitle: 'A',
      feedLink: 'https://a.example/',
      etag: '"e"',
      lastModified: 'Tue, 24 Nov 2026 08:00:00 GMT',
      nextCheckAt: at(15),
    });
  });

  it('keeps the fields it does not own, and clears an old error', () => {
    const prev: SourceState = {
      consecutiveFailures: 4,
      paused: true,
      itemCount: 7,
      bodyHash: 'h',
      seen: ['k1'],
      identityPolicy: 'link',
      lastError: 'HTTP 500 from a.example',
      lastErrorCode: 'http',
      feedTitle: 'Old',
      etag: '"old"',
    };
    const state = nextState(prev, notModified(), ctx());
    expect(state).toMatchObject({ bodyHash: 'h', seen: ['k1'], identityPolicy: 'link', itemCount: 7, feedTitle: 'Old', etag: '"old"' });
    expect(state.consecutiveFailures).toBe(0);
    expect(state.paused).toBe(false);
    expect(state).not.toHaveProperty('lastError');
    expect(state).not.toHaveProperty('lastErrorCode');
    expect(state.lastStatus).toBe(304);
  });

  it('a 304 refreshes validators only when it sends them; a 200 replaces them', () => {
    const prev: SourceState = { consecutiveFailures: 0, paused: false, itemCount: 0, etag: '"a"', lastModified: 'x' };
    expect(nextState(prev, notModified({ etag: '"b"' }), ctx())).toMatchObject({ etag: '"b"', lastModified: 'x' });
    const after200 = nextState(prev, fresh({ etag: '"c"' }), ctx());
    expect(after200.etag).toBe('"c"');
    expect(after200).not.toHaveProperty('lastModified');
  });

  it('uses the per-source interval', () => {
    const state = nextState(undefined, fresh(), ctx({ source: source('a', undefined, { intervalMinutes: 60 }) }));
    expect(minutesUntil(state.nextCheckAt)).toBe(60);
  });

  it('a feed <ttl> raises the interval, never lowers it, and is capped', () => {
    expect(minutesUntil(nextState(undefined, fresh(), ctx({ feedTtlMinutes: 90 })).nextCheckAt)).toBe(90);
    expect(minutesUntil(nextState(undefined, fresh(), ctx({ feedTtlMinutes: 5 })).nextCheckAt)).toBe(15);
    expect(minutesUntil(nextState(undefined, fresh(), ctx({ feedTtlMinutes: 100_000 })).nextCheckAt)).toBe(1440);
    // The ttl is remembered and still applies on a 304 (no parse then).
    const withTtl = nextState(undefined, fresh(), ctx({ feedTtlMinutes: 90 }));
    expect(withTtl.feedTtlMinutes).toBe(90);
    expect(minutesUntil(nextState(withTtl, notModified(), ctx()).nextCheckAt)).toBe(90);
  });

  it('Cache-Control max-age / Expires raise the interval, capped', () => {
    expect(minutesUntil(nextState(undefined, fresh({ maxAgeSeconds: 7200 }), ctx()).nextCheckAt)).toBe(120);
    expect(minutesUntil(nextState(undefined, fresh({ maxAgeSeconds: 60 }), ctx()).nextCheckAt)).toBe(15);
    expect(minutesUntil(nextState(undefined, notModified({ maxAgeSeconds: 31_536_000 }), ctx()).nextCheckAt)).toBe(1440);
  });

  it('tracks permanent redirects: set, cleared by a direct success, kept through a network failure', () => {
    const moved = nextState(undefined, fresh({ permanentRedirect: 'https://new.example/feed' }), ctx());
    expect(moved.permanentRedirect).toBe('https://new.example/feed');
    const down = nextState(moved, failed({ status: undefined, reason: 'timed out after 10 s' }), ctx());
    expect(down.permanentRedirect).toBe('https://new.example/feed');
    expect(down).not.toHaveProperty('lastStatus');
    expect(nextState(down, fresh(), ctx())).not.toHaveProperty('permanentRedirect');
  });
});

describe('nextState: skipHours / skipDays', () => {
  // now = Wednesday 2026-11-25 10:00 GMT; the next check would be 10:15.
  it('moves the next check out of skipped hours (GMT) and remembers them for 304s', () => {
    const state = nextState(undefined, fresh(), ctx({ skipHours: [10, 11, 12, 99] }));
    expect(state.skipHours).toEqual([10, 11, 12]);
    expect(state.nextCheckAt).toBe('2026-11-25T13:00:00.000Z');
    const later = new Date('2026-11-26T09:50:00Z');
    expect(nextState(state, notModified(), { now: later, config, source: src }).nextCheckAt).toBe('2026-11-26T13:00:00.000Z');
  });

  it('moves the next check out of skipped days, failures included', () => {
    const state = nextState(undefined, fresh(), ctx({ skipDays: ['wednesday', 'Thursday', 'Funday'] }));
    expect(state.skipDays).toEqual(['Wednesday', 'Thursday']);
    expect(state.nextCheckAt).toBe('2026-11-27T00:00:00.000Z');
    expect(nextState(state, failed(), ctx()).nextCheckAt).toBe('2026-11-27T00:00:00.000Z');
  });

  it('ignores a feed that skips every hour', () => {
    const all = Array.from({ length: 24 }, (_, h) => h);
    expect(nextState(undefined, fresh(), ctx({ skipHours: all })).nextCheckAt).toBe(at(15));
  });

  it('a later parse without skip hints clears them; an ingest error leaves them', () => {
    const withSkip = nextState(undefined, fresh(), ctx({ skipHours: [10] }));
    expect(
      nextState(withSkip, fresh(), ctx({ ingestFailure: { ok: false, code: 'html-page', reason: 'not a feed: HTML page' }, skipHours: [] })).skipHours,
    ).toEqual([10]);
    expect(nextState(withSkip, fresh(), ctx({ skipHours: [] }))).not.toHaveProperty('skipHours');
  });
});

describe('nextState: failure, backoff, pause', () => {
  it('counts failures and keeps what the last success left', () => {
    const good = nextState(undefined, fresh({ etag: '"e"' }), ctx({ itemCount: 5 }));
    const bad = nextState(good, failed({ status: 404, reason: 'HTTP 404 from a.example' }), ctx());
    expect(bad).toMatchObject({
      consecutiveFailures: 1,
      lastError: 'HTTP 404 from a.example',
      lastErrorCode: 'http',
      lastStatus: 404,
      lastSuccessAt: now.toISOString(),
      etag: '"e"',
      itemCount: 5,
      paused: false,
    });
  });

  it('backs off exponentially from the interval up to the cap (no jitter with random = 0)', () => {
    const delays = failures(9).map((s) => minutesUntil(s.nextCheckAt));
    expect(delays).toEqual([15, 30, 60, 120, 240, 480, 960, 1440, 1440]);
  });

  it('respects a lower maxBackoffMinutes', () => {
    const delays = failures(6, { ...config, maxBackoffMinutes: 100 }).map((s) => minutesUntil(s.nextCheckAt));
    expect(delays).toEqual([15, 30, 60, 100, 100, 100]);
  });

  it('jitter stays within [delay, 1.5 × delay], never past the cap, never below the interval', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.double({ min: 0, max: 0.999_999, noNaN: true }), fc.integer({ min: 1, max: 240 }), (n, r, interval) => {
        const c = { ...config, pollIntervalMinutes: interval };
        const state = failures(n, c, () => r)[n - 1];
        const delay = minutesUntil(state.nextCheckAt);
        const raw = interval * 2 ** (n - 1);
        const low = Math.max(interval, Math.min(c.maxBackoffMinutes, raw));
        const high = Math.max(interval, Math.min(c.maxBackoffMinutes, raw * 1.5));
        return delay >= low - 1e-6 && delay <= high + 1e-6;
      }),
    );
  });

  it('jitter actually spreads retries', () => {
    const spread = new Set([0, 0.25, 0.5, 0.75].map((r) => failures(3, config, () => r)[2].nextCheckAt));
    expect(spread.size).toBe(4);
  });

  it('pauses after pauseAfterFailures in a row, with a slow daily retry, and recovers on success', () => {
    const c = { ...config, pauseAfterFailures: 3 };
    const states = failures(3, c);
    expect(states.map((s) => s.paused)).toEqual([false, false, true]);
    expect(minutesUntil(states[2].nextCheckAt)).toBe(PAUSED_RETRY_MINUTES);
    // Still failing: stays paused, still retried daily.
    const again = nextState(states[2], failed(), { now, config: c, source: src, random: () => 0.5 });
    expect(again.paused).toBe(true);
    expect(again.consecutiveFailures).toBe(4);
    expect(minutesUntil(again.nextCheckAt)).toBe(PAUSED_RETRY_MINUTES * 1.05);
    // Back: unpaused, counters reset, normal pace.
    const back = nextState(again, fresh(), { now, config: c, source: src });
    expect(back).toMatchObject({ paused: false, consecutiveFailures: 0 });
    expect(minutesUntil(back.nextCheckAt)).toBe(15);
  });

  it('410 Gone pauses at once', () => {
    const state = nextState(undefined, failed({ status: 410, gone: true, reason: 'HTTP 410 Gone from a.example: the publisher removed this feed' }), ctx());
    expect(state).toMatchObject({ paused: true, consecutiveFailures: 1, lastStatus: 410 });
    expect(minutesUntil(state.nextCheckAt)).toBe(PAUSED_RETRY_MINUTES);
  });

  it('honours Retry-After when later than the backoff, capped at a day', () => {
    const later = nextState(undefined, failed({ status: 429, retryAt: at(120) }), ctx());
    expect(later.nextCheckAt).toBe(at(120));
    const sooner = nextState(undefined, failed({ status: 503, retryAt: at(2) }), ctx());
    expect(minutesUntil(sooner.nextCheckAt)).toBe(15);
    const farAway = nextState(undefined, failed({ status: 429, retryAt: at(3 * 1440) }), ctx());
    expect(minutesUntil(farAway.nextCheckAt)).toBe(1440);
  });

  it('an ingest error after a good fetch is a failure that keeps the old validators', () => {
    const prev: SourceState = { consecutiveFailures: 0, paused: false, itemCount: 9, etag: '"good"' };
    const state = nextState(prev, fresh({ etag: '"broken"' }), ctx({ ingestFailure: { ok: false, code: 'html-page', reason: 'not a feed: HTML page' } }));
    expect(state).toMatchObject({
      lastError: 'not a feed: HTML page',
      lastErrorCode: 'html-page',
      consecutiveFailures: 1,
      lastStatus: 200,
      etag: '"good"',
      itemCount: 9,
    });
    expect(state).not.toHaveProperty('lastSuccessAt');
    expect(minutesUntil(state.nextCheckAt)).toBe(15);
  });
});

describe('reports from the release before (a run that spans a deploy)', () => {
  const base = { id: 'a', createdAt: src.createdAt, revision: 1, checkedAt: now.toISOString() };
  const stateOf = (record: unknown) => stateAfter(undefined, currentRecord(record as never), src, config, () => 0);

  it('reads an old success (kind alone) as a success, and an old failure (kind "failed") as a failure with its code', () => {
    const oldOk = { ...base, outcome: { kind: 'not-modified', status: 304, finalUrl: src.url, etag: '"e"' } };
    const newOk = { ...base, outcome: { ok: true, kind: 'not-modified', status: 304, finalUrl: src.url, etag: '"e"' } };
    expect(stateOf(oldOk)).toEqual(stateOf(newOk));
    expect(stateOf(oldOk)).toMatchObject({ consecutiveFailures: 0, etag: '"e"' });
    const oldFailed = { ...base, outcome: { kind: 'failed', code: 'timeout', reason: 'timed out after 10 s (no answer from a.example)' } };
    expect(stateOf(oldFailed)).toMatchObject({
      consecutiveFailures: 1,
      lastErrorCode: 'timeout',
      lastError: 'timed out after 10 s (no answer from a.example)',
    });
    expect(currentRecord(oldFailed as never).outcome).not.toHaveProperty('kind');
  });

  it("keeps the words of an old ingest failure, and leaves this release's reports as they are", () => {
    const oldIngest = { ...base, outcome: { kind: 'fresh', status: 200, finalUrl: src.url }, ingest: { ok: false, error: 'not a feed: HTML page' } };
    expect(stateOf(oldIngest)).toMatchObject({ consecutiveFailures: 1, lastError: 'not a feed: HTML page', lastErrorCode: 'unknown' });
    const current = { ...base, outcome: { ok: true, kind: 'fresh', status: 200, finalUrl: src.url }, ingest: { ok: false, code: 'html-page', reason: 'x' } };
    expect(currentRecord(current as never)).toBe(current);
  });
});

describe('host pacing', () => {
  it("queue messages carry a host's sources together, ten at most, the next ten of a host later", () => {
    const due = [
      ...Array.from({ length: 12 }, (_, i) => ({ id: `a${i}`, host: 'a.example' })),
      { id: 'b0', host: 'b.example' },
      { id: 'c0', host: 'c.example' },
    ];
    const messages = queueMessages(due, 1000, 10);
    expect(messages).toEqual([
      { sourceIds: ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9'], delaySeconds: 0 },
      { sourceIds: ['b0', 'c0'], delaySeconds: 0 },
      // The consumer paces a host's ten one second apart: the host's next ones wait those ten seconds.
      { sourceIds: ['a10', 'a11'], delaySeconds: 10 },
    ]);
    // Every source is sent once.
    expect(messages.flatMap((m) => m.sourceIds).sort()).toEqual(due.map((d) => d.id).sort());
  });

  it('HostPacer reserves start times one second apart per host (the default HOST_SPACING_MS)', () => {
    const pacer = new HostPacer(config.hostSpacingMs);
    const t0 = 1_000_000;
    expect(pacer.delayFor('https://a.example/1', t0)).toBe(0);
    expect(pacer.delayFor('https://b.example/1', t0)).toBe(0);
    expect(pacer.delayFor('https://a.example/2', t0)).toBe(1000);
    expect(pacer.delayFor('https://a.example/3', t0 + 200)).toBe(1800);
    expect(pacer.delayFor('https://a.example/4', t0 + 10_000)).toBe(0);
  });

  it('HostPacer keeps concurrent starts on one host apart in real time', async () => {
    const pacer = new HostPacer(200); // shorter spacing keeps the test quick; the rule is the same
    const starts: number[] = [];
    await Promise.all(
      [1, 2, 3].map(async (i) => {
        await new Promise((r) => setTimeout(r, pacer.delayFor(`https://a.example/${i}`, Date.now())));
        starts.push(Date.now());
      }),
    );
    starts.sort((a, b) => a - b);
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(190);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(190);
  });
});
