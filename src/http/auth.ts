// Who may use /admin/*: a bearer token (the API) or a console session (its cookie, and a CSRF token on every change).
// Tokens are compared in constant time, never open when none is configured, and a client that keeps guessing waits.
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { failed, type Failure } from '../errors';
import type { AppEnv } from '../model';
import type { Admission } from '../store/gate';
import { deploymentOf, gateOf } from '../store/objects';
import { clientOf, CSRF_HEADER, csrfValid, openSession, SESSION_COOKIE, type SessionClaim } from './session';

export type AdminEnv = AppEnv & { Variables: { session?: SessionClaim } };

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(text));
}

/** Compares SHA-256 digests (equal length by construction) with the runtime's timing-safe comparison. */
export async function tokensMatch(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

export function gate(c: Context<AdminEnv>) {
  return gateOf(c.env, deploymentOf(c.env));
}

/** A token taken, or refused: `unauthorized` (401) or `rate-limited` (429, with the wait). */
export type TokenCheck = { ok: true } | TokenRefusal;
export type TokenRefusal = Failure<'unauthorized' | 'rate-limited'> & { status: 401 | 429; retryAfterSeconds?: number };

// The same words whatever was wrong: they never tell whether a token is configured or how close a guess was.
const UNAUTHORIZED = 'unauthorized';
const RATE_LIMITED = 'too many failed sign-ins from this client: wait and try again';

/** The refusal of a request with no valid token or session. */
export const unauthorized = (retryAfterSeconds?: number): TokenRefusal =>
  failed('unauthorized', UNAUTHORIZED, { status: 401 as const, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) });

/** A token tried by a client: refused while the client must wait, counted when wrong. */
export async function tryToken(c: Context<AdminEnv>, given: string, expected: string): Promise<TokenCheck> {
  const client = clientOf(c.req.raw);
  const admission: Admission = await gate(c).admit(client, Date.now());
  if (!admission.ok) return failed('rate-limited', RATE_LIMITED, { status: 429 as const, retryAfterSeconds: admission.retryAfterSeconds });
  if (await tokensMatch(given, expected)) {
    if (admission.failures > 0) await gate(c).succeeded(client);
    return { ok: true };
  }
  const wait = await gate(c).failed(client, Date.now());
  return unauthorized(wait);
}

/** A refusal as the API answers it: its status, its words, and when to come back. */
export function refusal(c: Context<AdminEnv>, check: TokenRefusal): Response {
  const headers: Record<string, string> = { 'WWW-Authenticate': 'Bearer realm="tributary-admin"' };
  if (check.retryAfterSeconds) headers['Retry-After'] = String(check.retryAfterSeconds);
  return c.json({ error: check.reason }, check.status, headers);
}

/** The live session a request's cookie names, if any. */
export async function sessionOf(c: Context<AdminEnv>, expected: string): Promise<SessionClaim | undefined> {
  const claim = await openSession(expected, getCookie(c, SESSION_COOKIE), Date.now());
  if (!claim) return undefined;
  return (await gate(c).sessionLive(claim.sid, Date.now())) ? claim : undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const requireAdmin: MiddlewareHandler<AdminEnv> = async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) return c.json({ error: 'admin API disabled: set the ADMIN_TOKEN secret' }, 503);
  const bearer = /^Bearer\s+(.+)$/i.exec((c.req.header('authorization') ?? '').trim());
  if (bearer) {
    const check = await tryToken(c, bearer[1], expected);
    return check.ok ? next() : refusal(c, check);
  }
  const session = await sessionOf(c, expected);
  if (!session) return refusal(c, unauthorized());
  // A cookie rides along with cross-site requests; the CSRF token, which only our pages know, does not.
  if (!SAFE_METHODS.has(c.req.method) && !(await csrfValid(expected, session.sid, c.req.header(CSRF_HEADER)))) {
    return c.json({ error: 'missing or wrong CSRF token: reload the console and try again' }, 403);
  }
  c.set('session', session);
  await next();
};
