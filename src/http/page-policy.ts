// The Content-Security-Policy of every HTML page we serve.
import { IFRAME_HOSTS } from '../ingest/sanitize';
import { PAGE_STYLE_CSP_HASH } from '../render/html';

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
