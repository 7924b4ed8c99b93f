// The Content-Security-Policy of every HTML page we serve, and the CORS headers of every public read.
import { IFRAME_HOSTS } from '../ingest/sanitize';
import { CONSOLE_STYLE } from '../render/console';
import { PAGE_STYLE, PAGE_STYLE_CSP_HASH } from '../render/html';

// HTML pages carry no script; their only inline code is the one <style> block, allowed by its hash.
// Summaries may hold media and the video players the sanitizer lets through, and nothing else.
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src ${PAGE_STYLE_CSP_HASH}`,
  'img-src https: http:',
  'media-src https: http:',
  `frame-src ${[...IFRAME_HOSTS].map((h) => `https://${h}`).join(' ')}`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Any origin may read our feeds and pages; a script may see their ETag too, so it can ask again conditionally
 * (ETag is not a CORS-safelisted response header: https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name).
 */
export const PUBLIC_CORS = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'ETag' } as const;

async function styleHash(css: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(css));
  return `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`;
}

let consolePolicy: Promise<string> | undefined;

/** The console's policy: its two style blocks, forms posting to itself only, no script at all. */
export function consoleCsp(): Promise<string> {
  consolePolicy ??= Promise.all([styleHash(PAGE_STYLE), styleHash(CONSOLE_STYLE)]).then((hashes) =>
    ["default-src 'none'", `style-src ${hashes.join(' ')}`, "img-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"].join('; '),
  );
  return consolePolicy;
}
