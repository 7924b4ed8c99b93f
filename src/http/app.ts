// The Hono app: public routes, admin API, one error handler, security headers everywhere.
import { Hono } from 'hono';
import type { Env } from '../model';
import { IFRAME_HOSTS } from '../ingest/sanitize';
import { PAGE_STYLE_CSP_HASH } from '../render/html';
import { adminRoutes } from './admin';
import { BadRequest } from './errors';
import { publicRoutes } from './public';

type AppEnv = { Bindings: Env };

// HTML pages carry no script; their only inline code is the one <style> block, allowed by its hash.
// Summaries may hold media and the video players the sanitizer lets through, and nothing else.
const PAGE_CSP = [
  "default-src 'none'",
  `style-src ${PAGE_STYLE_CSP_HASH}`,
  'img-src https: http:',
  'media-src https: http:',
  `frame-src ${[...IFRAME_HOSTS].map((h) => `https://${h}`).join(' ')}`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const app = new Hono<AppEnv>();

app.use('*', async (c, next) => {
  await next();
  // Responses from the Cache API are immutable: copy before touching headers.
  if (c.res.headers.get('x-content-type-options') === null || (c.res.headers.get('content-type')?.startsWith('text/html') && !c.res.headers.get('content-security-policy'))) {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    if (c.res.headers.get('content-type')?.startsWith('text/html')) c.res.headers.set('Content-Security-Policy', PAGE_CSP);
  }
});

app.route('/admin', adminRoutes);
app.route('/', publicRoutes);

// Browsers ask for it on every page; an empty answer beats a logged 404.
app.get('/favicon.ico', (c) => c.body(null, 204, { 'Cache-Control': 'public, max-age=604800' }));

app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));

app.onError((err, c) => {
  if (err instanceof BadRequest) return c.json({ error: err.message }, 400);
  console.error('unhandled error', err);
  return c.json({ error: 'internal error: the operator can find details in the Worker logs' }, 500);
});
