// The types every stage shares. Pipeline: plan → poll → decode → parse → normalize → dedup → store → render → serve.
import type { Failure } from './errors';

/**
 * Bindings and vars: what wrangler.toml declares comes from `npm run types` (worker-configuration.d.ts, generated
 * by `wrangler types` and checked in CI); here only what wrangler.toml cannot declare: secrets, the queue that only
 * queue mode binds, and settings only tests and benches set.
 */
export interface Env extends WranglerEnv {
  /** Bound only in queue mode (see README "Scale-out"); absent → inline polling. */
  POLL_QUEUE?: Queue<PollMessage>;
  /** Prefix of every KV key and Durable Object name: several deployments can share one namespace (tests do). */
  STORE_PREFIX?: string;
  /** Secret (`wrangler secret put ADMIN_TOKEN`). */
  ADMIN_TOKEN?: string;
  KV_WRITE_GAP_MS?: string;
  /** Secret: where source state changes (failing, paused, recovered) are POSTed as JSON (src/poll/alerts.ts). */
  ALERT_WEBHOOK_URL?: string;
}

/** What a Hono app of this Worker is typed with: `c.env` is the Env. */
export type AppEnv = { Bindings: Env };

/** Env vars parsed once, with defaults applied. */
export interface Config {
  publicBaseUrl?: string;
  privateSourceOrigins: string[];
  fetchTimeoutMs: number;
  maxBodyBytes: number;
  maxRedirects: number;
  pollIntervalMinutes: number;
  maxBackoffMinutes: number;
  pauseAfterFailures: number;
  subrequestBudget: number;
  maxConcurrency: number;
  /** Minimum gap between two fetches to one host. */
  hostSpacingMs: number;
  itemsPerSource: number;
  itemsPerCategory: number;
  feedLimitDefault: number;
  websubHub?: string;
  /** Least time between two writes of one KV key (KV takes one per second per key). */
  kvWriteGapMs: number;
  alertWebhookUrl?: string;
  /** A source with a live WebSub subscription is polled this many times less often (a safety net). */
  websubPollFactor: number;
}

/** A queue message: up to a few sources on distinct hosts (`sourceId` alone: a message from before queue batches). */
export interface PollMessage {
  sourceIds?: string[];
  sourceId?: string;
}

// ───────────────────────────── registry (admin-owned) ─────────────────────────────

export interface Source {
  id: string;
  url: string;
  title?: string;
  categories: string[];
  /** Per-source polling interval; falls back to Config.pollIntervalMinutes. */
  intervalMinutes?: number;
  createdAt: string;
  /** Paused by the operator: never polled on schedule until resumed (a failure pause lives in SourceState). */
  paused?: boolean;
  /** Sent instead of the honest default, for publishers that refuse it. */
  userAgent?: string;
  /** Extra request headers from an allowlist (poll/controls.ts); the secret ones never leave the Directory but to a fetch. */
  headers?: Record<string, string>;
}

/** A source as the admin API shows it: secret header values replaced by their names. */
export type SourceView = Omit<Source, 'headers'> & { headers?: Record<string, string>; secretHeaders?: string[] };

export interface Category {
  slug: string;
  title: string;
  description?: string;
  language?: string;
  /** Keyword rules (word matching, see river/filter): an item must match one of `include`, and none of `exclude`. */
  include?: string[];
  exclude?: string[];
}

export interface Registry {
  sources: Record<string, Source>;
  categories: Record<string, Category>;
}

// ───────────────────────────── poll ─────────────────────────────

/**
 * Why a fetch failed, for code to act on (the run, tests); the failure's `reason` says it for people. One key per way
 * a fetch goes wrong, as Miniflux pairs each fetcher error with its text.
 */
export type FetchFailureCode =
  // The URL, or a redirect's target, is refused by the private-address rule or is no http(s) URL (poll/address.ts).
  | 'refused-url'
  // A redirect without a usable Location, a loop, or more hops than MAX_REDIRECTS.
  | 'redirect'
  // An error status (4xx, 5xx; 410 sets `gone` too), or a 304 to a request that asked for none.
  | 'http'
  // A Cloudflare bot challenge where the feed should be.
  | 'challenge'
  // The body is over MAX_BODY_BYTES, as declared or as it arrived (decompressed).
  | 'too-large'
  // A 2xx with nothing but whitespace.
  | 'empty'
  // The body is not in the Content-Encoding it claims, or in one we cannot decode.
  | 'encoding'
  // No answer, or no whole body, within FETCH_TIMEOUT_MS.
  | 'timeout'
  // This invocation's subrequest budget is spent: our limit, not the source's fault.
  | 'budget'
  // DNS, connection or TLS.
  | 'network'
  // The request could not be sent: a stored validator or a configured header is not a valid header value.
  | 'request';

/** What one fetch of one source came to: a body, a 304, or a Failure (errors are values, never thrown past poll/). */
export type FetchOutcome =
  | {
      ok: true;
      kind: 'fresh';
      status: number;
      body: Uint8Array;
      contentType?: string;
      finalUrl: string;
      etag?: string;
      lastModified?: string;
      /** Seconds the server asks us to wait (Cache-Control max-age / Expires). */
      maxAgeSeconds?: number;
      permanentRedirect?: string;
      /** WebSub discovery from the HTTP Link header (rel="hub", rel="self"). */
      links?: { hub?: string; self?: string };
    }
  | {
      ok: true;
      kind: 'not-modified';
      status: 304;
      finalUrl: string;
      etag?: string;
      lastModified?: string;
      maxAgeSeconds?: number;
      permanentRedirect?: string;
    }
  | FetchFailure;

/** A fetch that failed: its code and reason, and what the server said that the schedule acts on. */
export type FetchFailure = Failure<FetchFailureCode> & {
  status?: number;
  /** When the server told us when to come back (Retry-After). */
  retryAt?: string;
  /** 410 Gone and friends: stop polling at the normal pace. */
  gone?: boolean;
  permanentRedirect?: string;
};

/** Per-source polling state, owned by the poll step. */
/** An instant as stored and served: ISO 8601 in UTC (`2026-12-04T07:00:00.000Z`), which sorts as it reads. */
export type Instant = string;

/** When the source is checked next, and what its feed asks of the schedule (poll/plan.ts). */
export interface ScheduleState {
  lastCheckedAt?: Instant;
  nextCheckAt?: Instant;
  /** Minutes the feed asks for (<ttl>, max-age); raises the interval, never lowers it. */
  feedTtlMinutes?: number;
  /** RSS <skipHours> (0–23, GMT): hours the feed asks not to be polled. */
  skipHours?: number[];
  /** RSS <skipDays> (Monday…Sunday, GMT): days the feed asks not to be polled. */
  skipDays?: string[];
}

/** What makes the next fetch conditional, or lets an identical body skip the parse. */
export interface ValidatorState {
  etag?: string;
  lastModified?: string;
  /** Hash of the last 200 body: an identical body skips the parse. */
  bodyHash?: string;
  /** Where a permanent redirect pointed. */
  permanentRedirect?: string;
}

/** How the source has been doing: failures, the failure pause, the alerts announced, its latest checks. */
export interface HealthState {
  lastSuccessAt?: Instant;
  lastStatus?: number;
  lastError?: string;
  /** The machine-readable code beside lastError: a FetchFailureCode or an ingest one (ingest/index.ts). */
  lastErrorCode?: string;
  consecutiveFailures: number;
  /** When the current run of failures began (cleared by a success). */
  failingSince?: Instant;
  /** Paused after failures in a row or a 410 (an operator's pause is Source.paused). */
  paused: boolean;
  /** The last alert state announced (poll/alerts.ts): one event per change, never a storm. */
  alerted?: 'failing' | 'paused';
  /** The latest checks, newest first (the console shows them). */
  checks?: CheckEntry[];
}

/** What the last parsed body said about the feed, for the status page and the console. */
export interface FeedFacts {
  itemCount: number;
  feedTitle?: string;
  feedLink?: string;
  /** The WebSub hub the feed declared. */
  feedHub?: string;
  /** The charset the last parsed body was read in, and why (ingest/decode). */
  charset?: CharsetReport;
}

/** Which incarnation of the source this state belongs to, and what its Feed delivered where (the Feed keeps the memory). */
export interface IdentityState {
  /** Which identity the source's items use (see river/dedup). */
  identityPolicy?: IdentityPolicy;
  /** The source's createdAt when this state began: a source removed and added again starts afresh. */
  registeredAt?: Instant;
  /** The categories the last delivery went to: a category the source joins since gets its whole feed. */
  categories?: string[];
  /** Stored before the Feed objects kept identity memory (docs/storage.md): read once by the migration. */
  seen?: string[];
}

/** A source's state in the Directory, one JSON row per source: each concern its own part. */
export type SourceState = ScheduleState & ValidatorState & HealthState & FeedFacts & IdentityState;

export type IdentityPolicy = 'guid' | 'link' | 'content';

/** One check of a source, as the console lists it. */
export interface CheckEntry {
  at: Instant;
  outcome: 'fresh' | 'not-modified' | 'failed' | 'pushed';
  status?: number;
  /** Items the feed carried (fresh checks). */
  items?: number;
  error?: string;
}

/** The charset a body was read in, and why: what a person needs to see when a source's text looks wrong. */
export interface CharsetReport {
  /** WHATWG name: utf-8, windows-874, windows-1258, gbk … */
  name: string;
  /** bom | http (Content-Type) | declared (XML declaration) | detected (from the bytes) | default (nothing declared) */
  how: 'bom' | 'http' | 'declared' | 'detected' | 'default';
  /** The label the source gave (Content-Type first, then the XML declaration), when it gave one. */
  declared?: string;
  /** In words, for the status page. */
  reason: string;
}

// ───────────────────────────── parse ─────────────────────────────

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json';

/** A piece of text as the feed gave it: plain text, or HTML to be sanitized. */
export interface ParsedText {
  value: string;
  type: 'text' | 'html';
  /** xml:base in scope where the text stood (base for its relative links). */
  base?: string;
  /** xml:lang in scope where the text stood. */
  lang?: string;
}

export interface ParsedEnclosure {
  url: string;
  type?: string;
  length?: number;
  /** Media RSS medium or derived from type: image, audio, video. */
  medium?: string;
  width?: number;
  height?: number;
}

export interface ParsedCategory {
  term: string;
  scheme?: string;
  label?: string;
}

/** One entry as it stood in the document: raw strings, relative URLs, unparsed dates. */
export interface ParsedEntry {
  id?: string;
  /** RSS guid isPermaLink (defaults to true when a guid is present without the attribute). */
  idIsPermaLink?: boolean;
  title?: ParsedText;
  link?: string;
  /** Feedburner origLink and friends: the publisher's own URL, preferred over tracking links. */
  origLink?: string;
  summary?: ParsedText;
  content?: ParsedText;
  published?: string;
  updated?: string;
  authors: string[];
  categories: ParsedCategory[];
  enclosures: ParsedEnclosure[];
  /** media:thumbnail / itunes:image / JSON Feed image. */
  image?: string;
  comments?: string;
  language?: string;
  /** xml:base in scope for this entry (already resolved against outer bases). */
  base?: string;
  /** Atom <source> or RSS <source>: where the entry originally came from. */
  sourceTitle?: string;
  sourceUrl?: string;
  duration?: string;
  explicit?: boolean;
}

export interface ParsedFeed {
  format: FeedFormat;
  /** e.g. "2.0", "0.91", "1.0", "0.3", "1.1". */
  version: string;
  title?: ParsedText;
  link?: string;
  description?: ParsedText;
  language?: string;
  image?: string;
  selfUrl?: string;
  hubUrl?: string;
  nextUrl?: string;
  updated?: string;
  authors: string[];
  /** RSS <ttl>, in minutes. */
  ttlMinutes?: number;
  skipHours?: number[];
  skipDays?: string[];
  /** xml:base in scope at the feed level. */
  base?: string;
  entries: ParsedEntry[];
  /** What the parser recovered from ("undefined entity &foo;", …): feedparser's bozo. */
  warnings: string[];
}

// ───────────────────────────── normalize ─────────────────────────────

export interface Enclosure {
  url: string;
  type?: string;
  length?: number;
  medium?: string;
}

/** One item after normalization: absolute URLs, UTC dates, sanitized HTML, NFC text. */
export interface Item {
  /** Stable identity within the source (hash; see river/dedup). */
  key: string;
  sourceId: string;
  guid?: string;
  guidIsPermaLink?: boolean;
  url?: string;
  title: string;
  summaryHtml?: string;
  contentHtml?: string;
  /** ISO 8601 UTC. */
  publishedAt: string;
  updatedAt?: string;
  /** True when the feed gave no usable date and publishedAt is the first-seen time. */
  dateGuessed?: boolean;
  authors: string[];
  tags: string[];
  enclosures: Enclosure[];
  image?: string;
  language?: string;
  comments?: string;
  /** Hash of the fields a reader sees; a change under the same key is an in-place update. */
  contentHash: string;
}

/** Feed-level facts normalize keeps (for the status page, attribution and scheduling). */
export interface FeedMeta {
  title?: string;
  link?: string;
  description?: string;
  language?: string;
  image?: string;
  ttlMinutes?: number;
  /** RSS <skipHours> (GMT hours) and <skipDays>: when the feed asks not to be polled. */
  skipHours?: number[];
  skipDays?: string[];
  hubUrl?: string;
  /** The feed's own URL as it states it (WebSub's topic). */
  selfUrl?: string;
  format: FeedFormat;
  version: string;
}

/** An item before river/dedup has given it its identity key. */
export type ItemDraft = Omit<Item, 'key'>;

export interface NormalizedFeed {
  meta: FeedMeta;
  items: ItemDraft[];
  warnings: string[];
}

// ───────────────────────────── river ─────────────────────────────

export interface SourceRef {
  id: string;
  title: string;
  /** The source's feed URL. */
  feedUrl: string;
  /** The source's site (feed <link>), when known. */
  siteUrl?: string;
  /** This source's own link for the story, when it differs from the entry's. */
  itemUrl?: string;
  /** The identity key of this source's item (updates and removals find it by this). */
  itemKey: string;
  /** The source's own id for its item (RSS guid, Atom id, JSON Feed id), as it gave it. */
  itemGuid?: string;
  /** When this source published it (ISO UTC). */
  publishedAt: string;
}

/** An entry of a category river: one story, attributed to every source that carried it. */
export interface RiverItem extends Item {
  /** First is the source whose body is shown (first published); the rest carried it too. */
  sources: SourceRef[];
  /** When the river first saw it (ISO UTC). */
  firstSeenAt: string;
  /**
   * The id readers get, fixed when the entry was made: the source's own id where it is an absolute IRI no other
   * entry of the river has, else one of ours. Entries made before it existed get theirs from render/fields.
   */
  id?: string;
  /** Cross-source match keys, kept so a merge need not recompute them for every stored entry (river/merge). */
  linkKeys?: string[];
  titleKey?: string;
}

/** A category river as stored and rendered. */
export interface River {
  slug: string;
  title: string;
  description?: string;
  language?: string;
  /** ISO UTC of the last change. */
  updatedAt: string;
  /** Fingerprint of the items as stored: the base of every ETag (same on every KV replica). */
  version: string;
  items: RiverItem[];
}

// ───────────────────────────── render ─────────────────────────────

/** What every renderer needs besides the river. */
export interface RenderContext {
  /** Absolute URL of this document (self link), built from PUBLIC_BASE_URL. */
  selfUrl: string;
  /** Absolute URL of the human page for this river. */
  htmlUrl: string;
  /** Absolute URL of the next (older) page, RFC 5005. */
  nextUrl?: string;
  /** Absolute base of the site, no trailing slash. */
  baseUrl: string;
  /** Poll interval, minutes (RSS <ttl>). */
  ttlMinutes: number;
  websubHub?: string;
  generator: string;
}

// ───────────────────────────── storage (docs/storage.md) ─────────────────────────────

/** What every Durable Object call carries: the deployment's key prefix and the settings the caller parsed. */
export interface Deployment {
  prefix: string;
  config: Config;
}

/** One source to fetch, as the Directory hands it out. */
export interface PollTask {
  source: Source;
  /** The registry's revision of the source: a river the source has left refuses deliveries of an earlier revision. */
  revision: number;
  etag?: string;
  lastModified?: string;
  /** Hash of the last parsed 200 body: an identical body costs no parse. */
  bodyHash?: string;
  /** Fetch without validators and deliver every item: a category was joined since the last delivery. */
  wholeFeed: boolean;
  /** The last check failed: a body equal to the last good one is still parsed (the failure may have been ours). */
  failing: boolean;
  /** Where permanent redirects moved the source (every hop 301/308): fetched instead of its registered URL. */
  movedTo?: string;
  /** Fingerprint of the User-Agent and headers the fetch goes out with (poll/plan.ts controlsOf). */
  controls?: string;
}

/** A fetch outcome without the body, as the Directory records it. */
export type CheckedOutcome = Exclude<FetchOutcome, { kind: 'fresh' }> | Omit<Extract<FetchOutcome, { kind: 'fresh' }>, 'body'>;

/** What one poll came to, reported to the Directory, which alone writes scheduling state. */
export interface PollRecord {
  id: string;
  /** The source's createdAt: a report for a source removed and added again since is dropped. */
  createdAt: string;
  /** The URL fetched instead of the registered one (PollTask.movedTo). */
  movedTo?: string;
  /** PollTask.controls: a redirect answered to other headers than the source's now is no move to keep. */
  controls?: string;
  /** The registry revision the poll saw: a report about an older URL or set of categories only ends the lease. */
  revision: number;
  checkedAt: string;
  outcome: CheckedOutcome;
  bodyHash?: string;
  /** The body was the one parsed last time: nothing new. */
  sameBody?: boolean;
  /** A WebSub hub pushed the body: the schedule and validators of polling stay as they were. */
  pushed?: boolean;
  ingest?: IngestReport;
}

/** What a Feed made of one fetched body. */
export type IngestReport =
  | {
      ok: true;
      itemCount: number;
      policy: IdentityPolicy;
      charset: CharsetReport;
      feed: Pick<FeedMeta, 'title' | 'link' | 'ttlMinutes' | 'skipHours' | 'skipDays' | 'hubUrl' | 'selfUrl'>;
      /** Rivers that received new or changed items. */
      delivered: string[];
      /** The categories the Feed now delivers to in full (those of the source as this poll saw it; a push adds none). */
      categories: string[];
      /**
       * This body was not wholly taken — items left as a WebSub push had them for versions it cannot place, or a newer
       * fetch was taken first: keep neither its validators nor its hash, so the next poll reads the feed again.
       */
      unsettled?: boolean;
    }
  /** The ingest failure codes (ingest/index.ts), or `forgotten`: the source was removed while its fetch was out. */
  | Failure;

/** One item sent to a river: new to its source, or a source's edit of an item it delivered before. */
export interface ContributedItem extends Item {
  change: 'new' | 'changed';
}

/** What one source brings to one river in one delivery. */
export interface Contribution {
  source: Pick<SourceRef, 'id' | 'title' | 'feedUrl' | 'siteUrl'>;
  /** The source's registry revision when it was fetched: a river it left since refuses the delivery. */
  revision: number;
  /** When the items were fetched. */
  polledAt: string;
  items: ContributedItem[];
}

/** The newest page of a river, as stored in KV (`page:<slug>`) and served: meta, version, up to one page of items. */
export interface RiverPage extends River {
  itemCount: number;
  /** The river holds older items than this page: deeper views ask the River object. */
  more: boolean;
}

/** A category's row on the index page and in the `index` document. */
export interface CategoryRow {
  slug: string;
  title: string;
  description?: string;
  language?: string;
  itemCount: number;
  updatedAt?: string;
}

/** The `index` KV document: every category with its figures (written by the Directory). */
export interface IndexDoc {
  categories: CategoryRow[];
}

// ───────────────────────────── status ─────────────────────────────

/** One row of /status.json (the contract's fields first). */
export interface SourceStatus {
  id: string;
  url: string;
  title: string;
  categories: string[];
  lastCheckedAt: string | null;
  lastSuccessAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  /** lastError's machine-readable code: a FetchFailureCode (`timeout`, `http`, …) or an ingest one (`not-a-feed`, …). */
  lastErrorCode: string | null;
  /** What the last check or push came to: fresh, not-modified, failed, pushed (a WebSub hub sent it). */
  lastOutcome: CheckEntry['outcome'] | null;
  consecutiveFailures: number;
  nextCheckAt: string | null;
  itemCount: number;
  paused: boolean;
  /** Who paused it: the operator, or failures in a row (410 Gone or PAUSE_AFTER_FAILURES); null when not paused. */
  pausedBy: 'operator' | 'failures' | null;
  /** When the current run of failures began; null when the last check worked. */
  failingSince: string | null;
  /** The WebSub hub the feed declares; null when none. */
  hub: string | null;
  /** Our WebSub subscription to that hub; null when there is none (no hub, or no PUBLIC_BASE_URL). */
  subscription: import('./poll/websub').SubscriptionView | null;
  permanentRedirect: string | null;
  identityPolicy: IdentityPolicy | null;
  /** The charset the last parsed body was read in and why; null before one was parsed. */
  charset: CharsetReport | null;
}

/** One row of the index page. */
export interface CategorySummary {
  category: Category;
  itemCount: number;
  updatedAt?: string;
}
