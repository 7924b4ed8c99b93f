// poll: one polite, bounded GET of one source. Every way it can go wrong comes back as a Failure with a code
// (FetchFailureCode, for the run) and a reason a person can act on; nothing is thrown past this module.
import { errorText, failed, type Failure, type Result } from '../errors';
import { VERSION } from '../version';
import type { Config, FetchFailure, FetchFailureCode, FetchOutcome } from '../model';
import { checkRedirectUrl, checkSourceUrl, displayUrl, MAX_SOURCE_URL } from './address';
import { isSecretHeader } from './controls';
import { parseLinkHeader } from './websub';

export interface FetchValidators {
  etag?: string;
  lastModified?: string;
}

export interface FetchOptions {
  userAgent?: string;
  /** The source's extra headers (poll/controls.ts has already checked them). */
  headers?: Record<string, string>;
  fetcher?: typeof fetch;
}

/** Feed types first; generic XML/JSON still welcome (many feeds are served as text/xml or application/json). */
export const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, ' +
  'application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

/** `Tributary/<version> (+<public URL>)`: tells publishers who polls them and where to look (https://www.rfc-editor.org/rfc/rfc9110#section-10.1.5). */
export function userAgent(version: string, publicBaseUrl?: string): string {
  return publicBaseUrl ? `Tributary/${version} (+${publicBaseUrl})` : `Tributary/${version}`;
}

/** What a fetcher throws instead of sending a request past the run's subrequest budget (https://developers.cloudflare.com/workers/platform/limits/). */
export class BudgetSpent extends Error {
  constructor() {
    super('subrequest budget of this run is spent');
  }
}

/**
 * Conditional GET of a feed with a total deadline (headers and body), a cap on the decompressed body, and redirects
 * followed by hand so each hop passes the private-address rule. Never throws.
 * If-None-Match: https://www.rfc-editor.org/rfc/rfc9110#section-13.1.2, If-Modified-Since: https://www.rfc-editor.org/rfc/rfc9110#section-13.1.3
 */
export async function fetchFeed(url: string, validators: FetchValidators, config: Config, opts: FetchOptions = {}): Promise<FetchOutcome> {
  const start = checkSourceUrl(url, config);
  if (!start.ok) return start;
  const fetcher = opts.fetcher ?? fetch;
  const signal = AbortSignal.timeout(config.fetchTimeoutMs);
  const trail = new RedirectTrail(new URL(start.url));
  let stage: 'headers' | 'body' = 'headers';
  try {
    // Inside the try: a stored validator or a configured User-Agent that is not a valid header value is a failure too.
    const headers = requestHeaders(validators, opts.userAgent ?? userAgent(VERSION, config.publicBaseUrl), opts.headers);
    for (;;) {
      stage = 'headers';
      const from = trail.current;
      const res = await fetcher(from.href, { method: 'GET', headers, redirect: 'manual', signal });
      if (!REDIRECT_STATUSES.has(res.status)) {
        stage = 'body';
        return trail.withTarget(await finish(res, from.host, from.href, validators, config));
      }
      discard(res);
      const stopped = trail.follow(res, config);
      if (stopped) return stopped;
      // As browsers do: a credential given for one origin is not sent on to another.
      if (trail.current.origin !== from.origin) dropSecretHeaders(headers);
    }
  } catch (err) {
    return trail.withTarget(describeError(err, config, trail.current.host, stage));
  }
}

/** The hops of one fetch, followed by hand: where it is, where it has been, and whether every hop was permanent. */
class RedirectTrail {
  current: URL;
  private readonly visited: Set<string>;
  private hops = 0;
  private everyHopPermanent = true;

  constructor(start: URL) {
    this.current = start;
    this.visited = new Set([start.href]);
  }

  /** Moves to a redirect's Location, or answers why not: none, unreadable, a loop, too many hops, a refused address. */
  follow(res: Response, config: Config): FetchFailure | undefined {
    const { status } = res;
    const host = this.current.host;
    const hops = ++this.hops;
    const location = res.headers.get('location');
    if (!location) return answered(status, 'redirect', `HTTP ${status} from ${host} without a Location header`);
    const next = URL.parse(location, this.current.href);
    if (!next) return answered(status, 'redirect', `HTTP ${status} from ${host} with an invalid Location: ${clip(location)}`);
    next.hash = '';
    if (status !== 301 && status !== 308) this.everyHopPermanent = false;
    if (this.visited.has(next.href)) {
      return answered(status, 'redirect', `redirect loop: back to ${displayUrl(next)} after ${hops} redirect${hops === 1 ? '' : 's'}`);
    }
    if (hops > config.maxRedirects) return answered(status, 'redirect', `too many redirects (more than ${config.maxRedirects}), last to ${displayUrl(next)}`);
    const check = checkRedirectUrl(next, config);
    if (!check.ok) return { ...check, status };
    this.visited.add(next.href);
    this.current = next;
    return undefined;
  }

  /**
   * The outcome with where the source now lives, when every hop was permanent (301/308): polls go there from now on.
   * A target longer than a source URL may be is followed, never remembered (a poll there would be refused).
   */
  withTarget(outcome: FetchOutcome): FetchOutcome {
    const moved = this.hops > 0 && this.everyHopPermanent && this.current.href.length <= MAX_SOURCE_URL;
    return moved ? { ...outcome, permanentRedirect: this.current.href } : outcome;
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function requestHeaders(validators: FetchValidators, ua: string, extra: Record<string, string> = {}): Headers {
  const h = new Headers({
    ...extra,
    'User-Agent': ua,
    Accept: FEED_ACCEPT,
    // workerd decodes gzip and br itself; deflate (and stray double encodings) are decoded below.
    'Accept-Encoding': 'gzip, deflate, br',
  });
  if (validators.etag) h.set('If-None-Match', validators.etag);
  if (validators.lastModified) h.set('If-Modified-Since', validators.lastModified);
  return h;
}

function dropSecretHeaders(h: Headers): void {
  for (const name of [...h.keys()]) if (isSecretHeader(name)) h.delete(name);
}

/** A failure the server's answer (`status`) came to. */
function answered(status: number, code: FetchFailureCode, reason: string, extra: Pick<FetchFailure, 'gone' | 'retryAt'> = {}): FetchFailure {
  return failed(code, reason, { status, ...extra });
}

/** Frees the connection without reading a body we do not need. */
function discard(res: Response): void {
  res.body?.cancel().catch(() => {});
}

async function finish(res: Response, host: string, finalUrl: string, validators: FetchValidators, config: Config): Promise<FetchOutcome> {
  const status = res.status;
  const h = res.headers;
  const etag = h.get('etag') ?? undefined;
  const lastModified = h.get('last-modified') ?? undefined;
  const maxAgeSeconds = freshnessSeconds(h);

  if (status === 304) {
    discard(res);
    if (!validators.etag && !validators.lastModified) {
      // A 304 to an unconditional request leaves us with nothing; say so rather than report success.
      return answered(304, 'http', `HTTP 304 from ${host} to a request without If-None-Match/If-Modified-Since`);
    }
    return {
      ok: true,
      kind: 'not-modified',
      status: 304,
      finalUrl,
      ...(etag !== undefined && { etag }),
      ...(lastModified !== undefined && { lastModified }),
      ...(maxAgeSeconds !== undefined && { maxAgeSeconds }),
    };
  }

  if (status >= 200 && status < 300) {
    const read = await readBody(res, host, config);
    if (!read.ok) return { ...read, status };
    const body = read.bytes;
    if (isBlank(body)) return answered(status, 'empty', `empty body (HTTP ${status} from ${host})`);
    const contentType = h.get('content-type') ?? undefined;
    const links = parseLinkHeader(h.get('link'), finalUrl);
    return {
      ok: true,
      kind: 'fresh',
      status,
      body,
      finalUrl,
      ...(contentType !== undefined && { contentType }),
      ...((links.hub || links.self) && { links }),
      ...(etag !== undefined && { etag }),
      ...(lastModified !== undefined && { lastModified }),
      ...(maxAgeSeconds !== undefined && { maxAgeSeconds }),
    };
  }

  discard(res);
  if ((status === 403 || status === 503) && h.get('cf-mitigated')?.toLowerCase() === 'challenge') {
    return answered(status, 'challenge', `Cloudflare bot challenge (${status} + cf-mitigated) from ${host}`);
  }
  if (status === 410) return answered(status, 'http', `HTTP 410 Gone from ${host}: the publisher removed this feed`, { gone: true });
  if (status === 429 || status === 503) {
    const retryAt = parseRetryAfter(h.get('retry-after'), h.get('date'));
    if (retryAt) return answered(status, 'http', `HTTP ${status} from ${host}, retry after ${shortInstant(retryAt)}`, { retryAt });
  }
  return answered(status, 'http', `HTTP ${status} from ${host}`);
}

// ── body ──

type Body = Result<{ bytes: Uint8Array }, 'too-large' | 'encoding'>;

/** The decompressed body, at most config.maxBodyBytes, or why not. */
async function readBody(res: Response, host: string, config: Config): Promise<Body> {
  const cap = config.maxBodyBytes;
  const encoding = (res.headers.get('content-encoding') ?? '').toLowerCase();
  const declared = Number(res.headers.get('content-length'));
  // Compressed bytes never outnumber what they inflate to, so a large Content-Length is over the cap either way.
  if (Number.isFinite(declared) && declared > cap) {
    discard(res);
    return failed('too-large', `body over ${formatBytes(cap)} (Content-Length ${declared})`);
  }
  if (!res.body) return { ok: true, bytes: new Uint8Array(0) };

  let raw: Body;
  try {
    raw = await readCapped(res.body, cap);
  } catch (err) {
    // workerd inflates gzip/br on the fly; a body that lies about its encoding fails here, mid-stream.
    if (!isAbort(err) && /decompress|gzip|brotli|inflate|zlib/i.test(errorText(err))) {
      return failed('encoding', `body from ${host} is not valid ${encoding || 'compressed'} data (Content-Encoding: ${encoding})`);
    }
    throw err;
  }
  return raw.ok ? decodeLeftoverEncoding(raw.bytes, encoding, host, cap) : raw;
}

/** Reads a stream to the end, cancelling it as soon as it passes `cap` bytes. */
async function readCapped(stream: ReadableStream<Uint8Array>, cap: number): Promise<Result<{ bytes: Uint8Array }, 'too-large'>> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      reader.cancel().catch(() => {});
      return failed('too-large', `body over ${formatBytes(cap)}`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, bytes: out };
}

/**
 * workerd inflates `gzip` and `br` itself and passes anything else through. Decode what it left: `deflate` (zlib or
 * raw, servers disagree), `x-gzip`, and gzip applied twice — recognised by their magic bytes, so a server that claims
 * an encoding but sends plain text still works.
 */
async function decodeLeftoverEncoding(bytes: Uint8Array, encoding: string, host: string, cap: number): Promise<Body> {
  const tokens = encoding
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t && t !== 'identity');
  if (tokens.length === 0) return { ok: true, bytes };
  let out = bytes;
  try {
    for (let layer = 0; layer < 3; layer++) {
      let format: 'gzip' | 'deflate' | 'deflate-raw' | undefined;
      if (isGzip(out)) format = 'gzip';
      else if (tokens.includes('deflate') && isZlib(out)) format = 'deflate';
      else if (tokens.includes('deflate') && layer === 0 && !looksLikeText(out)) format = 'deflate-raw';
      if (!format) break;
      const inflated = await readCapped(new Blob([out]).stream().pipeThrough(new DecompressionStream(format)), cap);
      if (!inflated.ok) return inflated;
      out = inflated.bytes;
    }
  } catch {
    return failed('encoding', `body from ${host} is not valid ${encoding} data (Content-Encoding: ${encoding})`);
  }
  const unknown = tokens.filter((t) => !['gzip', 'x-gzip', 'br', 'deflate'].includes(t));
  if (unknown.length > 0 && (!looksLikeText(out) || isZstdOrLzw(out))) {
    return failed('encoding', `unsupported Content-Encoding from ${host}: ${unknown.join(', ')}`);
  }
  return { ok: true, bytes: out };
}

const isGzip = (b: Uint8Array) => b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 0x08;
const isZstdOrLzw = (b: Uint8Array) => (b.length >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) || (b[0] === 0x1f && b[1] === 0x9d);
const isZlib = (b: Uint8Array) => b.length >= 2 && (b[0] & 0x0f) === 8 && ((b[0] << 8) | b[1]) % 31 === 0;

/** Feeds start with markup, JSON, a BOM, whitespace or (UTF-16) a NUL byte — never with compressed noise. */
function looksLikeText(b: Uint8Array): boolean {
  if (b.length === 0) return true;
  const c = b[0];
  return c === 0x00 || c === 0xef || c === 0xfe || c === 0xff || c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c < 0x7f);
}

function isBlank(b: Uint8Array): boolean {
  for (const c of b) if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  return true;
}

// ── headers ──

/**
 * Seconds the server says the response stays fresh: Cache-Control max-age, else Expires minus Date.
 * `no-cache`/`no-store` without max-age say nothing about pace, so undefined. https://www.rfc-editor.org/rfc/rfc9111#section-4.2.1
 */
export function freshnessSeconds(h: Headers): number | undefined {
  const cc = h.get('cache-control');
  if (cc) {
    const m = /(?:^|[,\s])max-age\s*=\s*"?(\d+)"?/i.exec(cc);
    if (m) return Math.min(Number(m[1]), 2 ** 31);
    if (/no-cache|no-store/i.test(cc)) return undefined;
  }
  const expires = h.get('expires');
  if (expires) {
    const at = Date.parse(expires);
    if (Number.isNaN(at)) return 0; // RFC 9111: an invalid Expires ("0", "-1") means already expired
    const dateHeader = Date.parse(h.get('date') ?? '');
    const base = Number.isNaN(dateHeader) ? Date.now() : dateHeader;
    return Math.max(0, Math.round((at - base) / 1000));
  }
  return undefined;
}

/** Retry-After (https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3) as an ISO instant: seconds or an HTTP date; undefined if absent, unreadable or past. */
export function parseRetryAfter(value: string | null, dateHeader?: string | null, now = Date.now()): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  let at: number;
  if (/^\d+$/.test(v)) {
    at = now + Number(v) * 1000;
  } else {
    const parsed = Date.parse(v);
    if (Number.isNaN(parsed)) return undefined;
    // Judge the date against the server's own clock when it sent one, so clock skew does not shift the wait.
    const serverNow = Date.parse(dateHeader ?? '');
    at = Number.isNaN(serverNow) ? parsed : now + (parsed - serverNow);
  }
  if (!Number.isFinite(at) || at <= now || at > 8.64e15) return undefined;
  return new Date(at).toISOString();
}

// ── words ──

/**
 * What was thrown, as a code and words. Our own throws are known by their class; the runtime gives its network
 * failures no codes, so those are told apart by their messages (workerd's and Node's wording).
 */
function describeError(err: unknown, config: Config, host: string, stage: 'headers' | 'body'): Failure<FetchFailureCode> {
  if (isAbort(err)) {
    const limit = `timed out after ${formatSeconds(config.fetchTimeoutMs)}`;
    return failed('timeout', stage === 'headers' ? `${limit} (no answer from ${host})` : `${limit} (body from ${host} still arriving)`);
  }
  const message = errorText(err);
  if (err instanceof BudgetSpent) return failed('budget', `network error talking to ${host}: ${message}`);
  if (/connection lost|connection refused|ECONNREFUSED|disconnected/i.test(message)) {
    return failed('network', `could not connect to ${host} (connection refused or dropped)`);
  }
  if (/internal error|DNS|getaddrinfo|ENOTFOUND/i.test(message)) {
    return failed('network', `could not reach ${host} (DNS lookup or connection failed)`);
  }
  if (/TLS|SSL|certificate/i.test(message)) return failed('network', `TLS error talking to ${host}: ${clip(message)}`);
  if (err instanceof TypeError && /header/i.test(message)) return failed('request', `request not sent to ${host}: ${clip(message)}`);
  return failed('network', `network error talking to ${host}: ${clip(message)}`);
}

function isAbort(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

function clip(text: string, max = 160): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** 5242880 → "5 MiB", 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  const units: [number, string][] = [
    [1024 * 1024, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} bytes`;
}

/** 10000 → "10 s", 1500 → "1.5 s". */
function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** "2026-11-25T10:00Z" (seconds only when they are not zero). */
function shortInstant(iso: string): string {
  const s = iso.slice(17, 19);
  return s === '00' ? `${iso.slice(0, 16)}Z` : `${iso.slice(0, 19)}Z`;
}
