// WebSub, subscriber side (W3C WebSub §4–§8): which hub and topic a source has, what its subscription does next, the
// requests to the hub, and the checks of what the hub sends. Pure policy, but for the one POST to a hub at the end.
import { done, errorText, failed, type Result } from '../errors';
import type { Config } from '../model';

/**
 * A subscription's life: wanted → requested (the hub will verify) → active (renewed before its lease ends); denied or
 * expired on the way; leaving (to unsubscribe) → left (asked; forgotten once verified, or after a while).
 */
export type SubscriptionState = 'wanted' | 'requested' | 'active' | 'denied' | 'expired' | 'leaving' | 'left';

export interface Subscription {
  /** The callback's unguessable part; also the row's key. */
  token: string;
  sourceId: string;
  hub: string;
  topic: string;
  /** hub.secret: signs what the hub pushes; never in an answer. */
  secret: string;
  state: SubscriptionState;
  /** When the Directory acts on it next (send, renew, give up), in ms. */
  dueAt: number;
  attempts: number;
  leaseSeconds?: number;
  leaseExpiresAt?: string;
  lastPushAt?: string;
  /** The last refusal or failure, in words. */
  error?: string;
}

/** What /status.json shows of a subscription. */
export interface SubscriptionView {
  state: 'pending' | 'active' | 'denied' | 'expired';
  leaseExpiresAt: string | null;
  lastPushAt: string | null;
  error: string | null;
}

// What we ask for; hubs grant what they like (the verification says), and we renew before it ends.
export const LEASE_SECONDS = 10 * 24 * 3600;
// No verification within this long after a request: ask again.
const VERIFY_WAIT_MS = 60 * 60_000;
// A denied subscription is asked for again this much later (the hub may change its mind; polling goes on meanwhile).
const DENIED_RETRY_MS = 24 * 60 * 60_000;
const RETRY_BASE_MS = 60_000;
const RETRY_MAX_MS = 24 * 60 * 60_000;
// An unsubscription that keeps failing is given up after this many tries: the lease will lapse on its own.
const LEAVING_ATTEMPTS = 5;

const leavingStates: SubscriptionState[] = ['leaving', 'left'];

/** The hub and topic a fetch and its feed declare: HTTP Link headers first, then the feed's own links (https://www.w3.org/TR/websub/#discovery). */
export function hubAndTopic(
  links: { hub?: string; self?: string },
  feed: { hubUrl?: string; selfUrl?: string },
  feedUrl: string,
): { hub: string; topic: string } | undefined {
  const hub = links.hub ?? feed.hubUrl;
  if (!hub || !/^https?:/i.test(hub)) return undefined;
  const topic = links.self ?? feed.selfUrl ?? feedUrl;
  return { hub, topic };
}

/** rel="hub" and rel="self" of an HTTP Link header (https://www.rfc-editor.org/rfc/rfc8288#section-3), the first of each. */
export function parseLinkHeader(value: string | null, base: string): { hub?: string; self?: string } {
  const out: { hub?: string; self?: string } = {};
  if (!value) return out;
  for (const m of value.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]*)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2]);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    let url: string;
    try {
      url = new URL(m[1], base).href;
    } catch {
      continue;
    }
    if (rels.includes('hub')) out.hub ??= url;
    if (rels.includes('self')) out.self ??= url;
  }
  return out;
}

/** A new subscription to ask for at once, with its own callback token and secret. */
export function newSubscription(sourceId: string, target: { hub: string; topic: string }, now: number): Subscription {
  return { token: randomHex(16), secret: randomHex(32), sourceId, ...target, state: 'wanted', dueAt: now, attempts: 0 };
}

/**
 * What a check that found `target` (or no hub) does to the source's current subscription: `keep` it, `replace` it
 * (another hub or topic; the old one leaves), `start` one, or `leave` (the hub is gone).
 */
export function subscriptionChange(
  current: Subscription | undefined,
  target: { hub: string; topic: string } | undefined,
): 'keep' | 'start' | 'replace' | 'leave' {
  if (!target) return current ? 'leave' : 'keep';
  if (!current) return 'start';
  return current.hub === target.hub && current.topic === target.topic ? 'keep' : 'replace';
}

/** What a due subscription does (https://www.w3.org/TR/websub/#subscribing-and-unsubscribing): subscribe or renew, unsubscribe, or end (left a while ago). */
export function dueRequest(sub: Subscription): 'subscribe' | 'unsubscribe' | 'end' {
  return sub.state === 'left' ? 'end' : sub.state === 'leaving' ? 'unsubscribe' : 'subscribe';
}

/** The same subscription on its way out: it unsubscribes at once. */
export function leaving(sub: Subscription, now: number): Subscription {
  return { ...sub, state: 'leaving', attempts: 0, error: undefined, dueAt: now };
}

/** After the hub took (2xx) or refused a request: the next state and when to look again. */
export function afterRequest(sub: Subscription, sent: Result<object, 'http' | 'network'>, now: number): Subscription | undefined {
  if (sent.ok) {
    const next = { ...sub, attempts: 0, error: undefined };
    if (leavingStates.includes(sub.state)) return { ...next, state: 'left', dueAt: now + VERIFY_WAIT_MS };
    // A renewal keeps the live lease until the hub verifies the new one; a lapse is checked when it would end.
    if (sub.state === 'active') return { ...next, dueAt: leaseEnd(sub) ?? now + VERIFY_WAIT_MS };
    // Asked again after a verification that never came: wait longer each time (a hub that takes but never verifies).
    const unverified = sub.state === 'requested' ? sub.attempts + 1 : 0;
    return { ...next, state: 'requested', attempts: unverified, dueAt: now + Math.min(RETRY_MAX_MS, VERIFY_WAIT_MS * 2 ** unverified) };
  }
  const attempts = sub.attempts + 1;
  if (sub.state === 'leaving' && attempts >= LEAVING_ATTEMPTS) return undefined;
  const wait = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
  const lapse = sub.state === 'active' ? leaseEnd(sub) : undefined;
  return { ...sub, attempts, error: sent.reason, dueAt: lapse !== undefined ? Math.min(now + wait, lapse) : now + wait };
}

/** Whether the subscription is on its way out (the source's current one is never). */
export function isLeaving(sub: Subscription): boolean {
  return leavingStates.includes(sub.state);
}

/** A due subscription whose lease has ended is no longer live: it is polled as usual until verified again. */
export function lapsed(sub: Subscription, now: number): boolean {
  const end = leaseEnd(sub);
  return sub.state === 'active' && end !== undefined && end <= now;
}

function leaseEnd(sub: Subscription): number | undefined {
  return sub.leaseExpiresAt ? Date.parse(sub.leaseExpiresAt) : undefined;
}

/** When to renew a lease: a day before it ends, or at 90 % of a short one. */
export function renewAt(grantedAt: number, leaseSeconds: number): number {
  const lease = leaseSeconds * 1000;
  return grantedAt + Math.max(lease * 0.9, lease - 24 * 60 * 60_000);
}

export interface IntentCheck {
  mode: string | undefined;
  topic: string | undefined;
  leaseSeconds?: number;
  reason?: string;
}

/**
 * The hub's verification of intent (§5.3) or denial (§5.2) against the subscription its callback names: the updated
 * subscription (undefined: it is over), and whether to answer with the challenge. Anything we did not ask for is 404.
 * https://www.w3.org/TR/websub/#hub-verifies-intent, https://www.w3.org/TR/websub/#subscription-validation
 */
export function verifyIntent(
  sub: Subscription | undefined,
  check: IntentCheck,
  now: number,
): { answer: 'challenge' | 'ok' | 'not-found'; next?: Subscription | null } {
  if (!sub || check.topic !== sub.topic) return { answer: 'not-found' };
  if (check.mode === 'subscribe' && !leavingStates.includes(sub.state)) {
    const lease = check.leaseSeconds && check.leaseSeconds > 0 ? check.leaseSeconds : LEASE_SECONDS;
    const expires = now + lease * 1000;
    return {
      answer: 'challenge',
      next: {
        ...sub,
        state: 'active',
        attempts: 0,
        error: undefined,
        leaseSeconds: lease,
        leaseExpiresAt: new Date(expires).toISOString(),
        dueAt: renewAt(now, lease),
      },
    };
  }
  if (check.mode === 'unsubscribe' && leavingStates.includes(sub.state)) return { answer: 'challenge', next: null };
  if (check.mode === 'denied' && !leavingStates.includes(sub.state)) {
    const reason = check.reason ? `the hub denied the subscription: ${check.reason.slice(0, 200)}` : 'the hub denied the subscription';
    return { answer: 'ok', next: { ...sub, state: 'denied', error: reason, dueAt: now + DENIED_RETRY_MS } };
  }
  return { answer: 'not-found' };
}

/** Whether a subscription is live: pushes are taken, and polling is only the safety net. */
export function isLive(sub: Subscription | undefined, now: number): boolean {
  return sub !== undefined && sub.state === 'active' && !lapsed(sub, now);
}

/** The public view of a subscription (no secret, no token). */
export function subscriptionView(sub: Subscription | undefined, now: number): SubscriptionView | null {
  if (!sub || leavingStates.includes(sub.state)) return null;
  const state =
    sub.state === 'active' ? (lapsed(sub, now) ? 'expired' : 'active') : sub.state === 'denied' ? 'denied' : sub.state === 'expired' ? 'expired' : 'pending';
  return { state, leaseExpiresAt: sub.leaseExpiresAt ?? null, lastPushAt: sub.lastPushAt ?? null, error: sub.error ?? null };
}

/** The callback for a subscription: under PUBLIC_BASE_URL, named by the source and the subscription's token. */
export function callbackUrl(config: Pick<Config, 'publicBaseUrl'>, sub: Pick<Subscription, 'sourceId' | 'token'>): string {
  return `${config.publicBaseUrl}/websub/${encodeURIComponent(sub.sourceId)}/${sub.token}`;
}

const ALGORITHMS: Record<string, string> = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

/** X-Hub-Signature: an HMAC of the raw body with hub.secret, compared in constant time (https://www.w3.org/TR/websub/#authenticated-content-distribution). */
export async function signatureValid(header: string | null, secret: string, body: Uint8Array): Promise<boolean> {
  const m = /^\s*(sha1|sha256|sha384|sha512)=([0-9a-f]+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const hash = ALGORITHMS[m[1].toLowerCase()];
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, body));
  const given = hexBytes(m[2].toLowerCase());
  if (!given || given.length !== mac.length) return false;
  return crypto.subtle.timingSafeEqual(mac, given);
}

function hexBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const HUB_TIMEOUT_MS = 10_000;

/** One subscribe or unsubscribe request to the hub (https://www.w3.org/TR/websub/#subscriber-sends-subscription-request): 2xx is taken, else a reason. */
export async function sendToHub(
  sub: Subscription,
  mode: 'subscribe' | 'unsubscribe',
  config: Pick<Config, 'publicBaseUrl'>,
  fetcher: typeof fetch = fetch,
): Promise<Result<object, 'http' | 'network'>> {
  const form = new URLSearchParams({ 'hub.mode': mode, 'hub.topic': sub.topic, 'hub.callback': callbackUrl(config, sub) });
  if (mode === 'subscribe') {
    form.set('hub.lease_seconds', String(LEASE_SECONDS));
    form.set('hub.secret', sub.secret);
  }
  try {
    const res = await fetcher(sub.hub, {
      method: 'POST',
      body: form,
      redirect: 'follow',
      signal: AbortSignal.timeout(HUB_TIMEOUT_MS),
      headers: { 'user-agent': 'Tributary WebSub subscriber' },
    });
    const text = res.ok ? '' : (await res.text().catch(() => '')).slice(0, 200);
    if (res.ok) await res.body?.cancel().catch(() => {});
    return res.ok ? done : failed('http', `the hub answered HTTP ${res.status}${text ? `: ${text.trim()}` : ''}`);
  } catch (err) {
    return failed('network', `the hub could not be reached: ${errorText(err)}`);
  }
}
