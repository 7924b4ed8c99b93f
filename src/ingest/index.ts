// The ingest boundary: bytes of one fetch → a normalized feed, or an error a person can act on.
// decode → parse → normalize; nothing thrown inside ever escapes.
import { errorText, failed, type Failure, type Result } from '../errors';
import type { CharsetReport, NormalizedFeed } from '../model';
import { decodeBody } from './decode';
import { normalizeFeed } from './normalize';
import { type ParseFailureCode, parseFeed } from './parse/index';

/**
 * Why a body gave no feed: the decoder's and parser's codes (a hostile document's refusal among them, see
 * parse/doctype.ts), or `internal`, a bug of ours rather than the feed's fault.
 */
export type IngestFailureCode = ParseFailureCode | 'encoding' | 'internal';
export type IngestFailure = Failure<IngestFailureCode>;

/** `encoding` is `charset.name`, kept for callers from before the charset report. */
export type IngestResult = Result<{ feed: NormalizedFeed; encoding: string; charset: CharsetReport }, IngestFailureCode>;

export interface IngestOptions {
  /** HTTP Content-Type header (its charset is the second clue after a BOM). */
  contentType?: string;
  /** Final fetch URL after redirects: the last-resort base for relative URLs. */
  url: string;
  /** ISO UTC: future dates are clamped to it; undated items get it (dateGuessed). */
  fetchedAt: string;
  /** Copied into every ItemDraft. */
  sourceId: string;
}

/** One fetched body → a normalized feed (decode, parse, normalize), or a failure value with its reason; never throws. */
export async function ingestFeed(body: Uint8Array, opts: IngestOptions): Promise<IngestResult> {
  try {
    const decoded = decodeBody(body, opts.contentType);
    if (!decoded.ok) return decoded;
    const parsed = parseFeed(decoded.text, { url: opts.url });
    if (!parsed.ok) return parsed;
    parsed.feed.warnings.unshift(...decoded.warnings);
    const feed = normalizeFeed(parsed.feed, opts);
    return { ok: true, feed, encoding: decoded.encoding, charset: decoded.charset };
  } catch (e) {
    // A bug of ours, not the feed's: still a value, so one source cannot stop a poll run; its own code, so tests can
    // tell it from a broken feed, and the stack in the log for whoever fixes it.
    console.error('ingest failed', e);
    return failed('internal', `ingest failed: ${errorText(e)}`);
  }
}

export { decodeBody } from './decode';
export { parseFeed } from './parse/index';
export { normalizeFeed } from './normalize';
export { sanitizeHtml } from './sanitize';
export { parseDate } from './dates';
export { resolveUrl } from './urls';
