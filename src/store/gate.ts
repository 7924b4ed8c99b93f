// The admin sign-in gate: live console sessions and failed sign-ins per client. One object per deployment, so a
// logout is seen by every later request everywhere, and two failures counted at once are both counted.
import { failed, type Failure } from '../errors';
import type { Env } from '../model';
import { all, first, run, SqlObject } from './sql';

const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS sessions (sid TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID',
  'CREATE TABLE IF NOT EXISTS failures (client TEXT PRIMARY KEY, count INTEGER NOT NULL, last_at INTEGER NOT NULL) WITHOUT ROWID',
];

/** Failures forgotten after this quiet time. */
export const FAILURE_MEMORY_MS = 15 * 60_000;
/** Free tries before a client must wait. */
export const FREE_FAILURES = 5;
const LONGEST_WAIT_S = 15 * 60;

/** How long a client with `count` recent failures waits before its next try: doubling after the free ones. */
export function waitAfterFailures(count: number): number {
  return count < FREE_FAILURES ? 0 : Math.min(LONGEST_WAIT_S, 2 ** (count - FREE_FAILURES + 1));
}

/** May the client try: yes with its recent failures, or a `rate-limited` Failure saying how long to wait. */
export type Admission = { ok: true; failures: number } | (Failure<'rate-limited'> & { retryAfterSeconds: number });

export class Gate extends SqlObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, SCHEMA);
  }

  /** May this client try a token now? */
  admit(client: string, now: number): Admission {
    const row = first<{ count: number; last_at: number }>(this.sql, 'SELECT count, last_at FROM failures WHERE client = ?', client);
    if (!row || now - row.last_at > FAILURE_MEMORY_MS) return { ok: true, failures: 0 };
    const waitMs = waitAfterFailures(row.count) * 1000 - (now - row.last_at);
    if (waitMs <= 0) return { ok: true, failures: row.count };
    const retryAfterSeconds = Math.ceil(waitMs / 1000);
    return failed('rate-limited', `too many failed sign-ins from this client: wait ${retryAfterSeconds} s`, { retryAfterSeconds });
  }

  /** Counts a wrong token; answers how long the client now waits. */
  failed(client: string, now: number): number {
    const row = first<{ count: number; last_at: number }>(this.sql, 'SELECT count, last_at FROM failures WHERE client = ?', client);
    const count = row && now - row.last_at <= FAILURE_MEMORY_MS ? row.count + 1 : 1;
    run(
      this.sql,
      'INSERT INTO failures (client, count, last_at) VALUES (?, ?, ?) ON CONFLICT (client) DO UPDATE SET count = excluded.count, last_at = excluded.last_at',
      client,
      count,
      now,
    );
    run(this.sql, 'DELETE FROM failures WHERE last_at < ?', now - FAILURE_MEMORY_MS);
    return waitAfterFailures(count);
  }

  /** A right token: the client's failures are forgotten. */
  succeeded(client: string): void {
    run(this.sql, 'DELETE FROM failures WHERE client = ?', client);
  }

  /** A new session id, live until `expiresAt`. */
  openSession(expiresAt: number, now: number): string {
    const sid = crypto.randomUUID();
    run(this.sql, 'DELETE FROM sessions WHERE expires_at <= ?', now);
    run(this.sql, 'INSERT INTO sessions (sid, expires_at) VALUES (?, ?)', sid, expiresAt);
    return sid;
  }

  /** Whether a session id is known and not expired at `now`. */
  sessionLive(sid: string, now: number): boolean {
    return first(this.sql, 'SELECT 1 AS live FROM sessions WHERE sid = ? AND expires_at > ?', sid, now) !== undefined;
  }

  /** Ends a session: its cookie no longer signs in, even replayed. */
  endSession(sid: string): void {
    run(this.sql, 'DELETE FROM sessions WHERE sid = ?', sid);
  }

  /** Live sessions (the tests read them). */
  sessions(now: number): number {
    return all(this.sql, 'SELECT sid FROM sessions WHERE expires_at > ?', now).length;
  }
}
