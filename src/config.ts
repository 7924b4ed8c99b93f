import type { Config, Env } from './model';

function int(value: string | undefined, fallback: number, min: number, max: number): number {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(n)));
}

function optional(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

/** ALERT_WEBHOOK_URL as given when it is an absolute http(s) URL; anything else is ignored (and said). */
function webhookUrl(value: string | undefined): string | undefined {
  const v = optional(value);
  if (!v) return undefined;
  if (URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)) return new URL(v).href;
  console.warn(`ALERT_WEBHOOK_URL "${v.slice(0, 40)}…" is not an absolute http(s) URL; no alerts are sent`);
  return undefined;
}

/** PUBLIC_BASE_URL as an absolute http(s) base without a trailing slash; anything else is ignored (and said). */
function absoluteBase(value: string | undefined): string | undefined {
  const v = optional(value);
  if (!v) return undefined;
  try {
    const u = new URL(v);
    if (u.protocol === 'http:' || u.protocol === 'https:') return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
  } catch {
    // fall through
  }
  console.warn(`PUBLIC_BASE_URL "${v}" is not an absolute http(s) URL; using the request origin`);
  return undefined;
}

// An Env object's vars never change: parse them once per Env (per isolate in production, per test env in tests).
const parsed = new WeakMap<Env, Config>();

/** Reads the vars; bad values fall back to defaults (documented in README). */
export function readConfig(env: Env): Config {
  let config = parsed.get(env);
  if (!config) {
    config = parseConfig(env);
    parsed.set(env, config);
  }
  return config;
}

function parseConfig(env: Env): Config {
  return {
    publicBaseUrl: absoluteBase(env.PUBLIC_BASE_URL),
    privateSourceOrigins: (env.PRIVATE_SOURCE_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        try {
          return new URL(s).origin;
        } catch {
          return s;
        }
      }),
    fetchTimeoutMs: int(env.FETCH_TIMEOUT_MS, 10_000, 500, 120_000),
    maxBodyBytes: int(env.MAX_BODY_BYTES, 5 * 1024 * 1024, 1024, 50 * 1024 * 1024),
    maxRedirects: int(env.MAX_REDIRECTS, 5, 0, 20),
    pollIntervalMinutes: int(env.POLL_INTERVAL_MINUTES, 15, 1, 24 * 60),
    maxBackoffMinutes: int(env.MAX_BACKOFF_MINUTES, 24 * 60, 5, 7 * 24 * 60),
    pauseAfterFailures: int(env.PAUSE_AFTER_FAILURES, 10, 1, 1000),
    // Subrequests per invocation: 50 on the Free plan, 10,000 on Paid; six connections open at once at most
    // (https://developers.cloudflare.com/workers/platform/limits/).
    subrequestBudget: int(env.SUBREQUEST_BUDGET, 50, 1, 10_000),
    maxConcurrency: int(env.MAX_CONCURRENCY, 6, 1, 6),
    // Two fetches to one host start at least this far apart: never two in the same second by default.
    hostSpacingMs: int(env.HOST_SPACING_MS, 1000, 0, 60_000),
    itemsPerSource: int(env.ITEMS_PER_SOURCE, 100, 1, 2000),
    itemsPerCategory: int(env.ITEMS_PER_CATEGORY, 300, 10, 5000),
    feedLimitDefault: int(env.FEED_LIMIT_DEFAULT, 50, 1, 1000),
    websubHub: optional(env.WEBSUB_HUB),
    // KV refuses a second write of one key within a second (https://developers.cloudflare.com/kv/platform/limits/);
    // only a local KV that does not (tests) may go lower.
    kvWriteGapMs: int(env.KV_WRITE_GAP_MS, 1000, 0, 60_000),
    alertWebhookUrl: webhookUrl(env.ALERT_WEBHOOK_URL),
    websubPollFactor: int(env.WEBSUB_POLL_FACTOR, 6, 1, 100),
  };
}
