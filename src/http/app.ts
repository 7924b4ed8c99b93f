// The Hono app: public routes, admin API, one error handler, security headers everywhere.
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from '../model';
import { adminRoutes } from './admin';
import { consoleRoutes } from './console';
import { answerError } from './errors';
import { PAGE_CSP, PUBLIC_CORS } from './page-policy';
import { publicRoutes } from './public';
import { websubRoutes } from './websub';

export const app = new Hono<AppEnv>();

const isAdmin = (path: string) => path.startsWith('/admin');

// Security headers everywhere, CORS on public reads. Cached responses already carry them: copy only when one is missing
// (a Response from the Cache API is immutable, and a copy per request is measurable on the hot path). Hono's
// secureHeaders and cors set headers on every response: on a Cache API hit the first throws (immutable headers) and
// the second forces that copy, so the headers of GET and HEAD stay ours.
app.use('*', async (c, next) => {
  await next();
  const h = c.res.headers;
  const html = h.get('content-type')?.startsWith('text/html') ?? false;
  const publicRead = (c.req.method === 'GET' || c.req.method === 'HEAD') && !isAdmin(c.req.path);
  const missing =
    h.get('x-content-type-options') === null ||
    (html && h.get('content-security-policy') === null) ||
    // Expose-Headers, not Allow-Origin: answers cached before it was added have the one and lack the other.
    (publicRead && h.get('access-control-expose-headers') === null);
  if (!missing) return;
  c.res = new Response(c.res.body, c.res);
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
  if (html && !h.has('content-security-policy')) c.res.headers.set('Content-Security-Policy', PAGE_CSP);
  if (publicRead) for (const [name, value] of Object.entries(PUBLIC_CORS)) c.res.headers.set(name, value);
});

// A script's conditional GET (If-None-Match is not a CORS-safelisted header) is preflighted: Hono's cors answers it,
// for public reads only. The admin API stays same-origin.
const preflight = cors({ origin: '*', allowMethods: ['GET', 'HEAD'], maxAge: 86400 });
app.options('*', (c, next) => (isAdmin(c.req.path) ? next() : preflight(c, next)));

// The console first: its sign-in, sign-out and form routes answer before the API's bearer-or-session check.
app.route('/admin', consoleRoutes);
app.route('/admin', adminRoutes);
app.route('/websub', websubRoutes);
app.route('/', publicRoutes);

// Browsers ask for it on every page; an empty answer beats a logged 404.
app.get('/favicon.ico', (c) => c.body(null, 204, { 'Cache-Control': 'public, max-age=604800' }));

app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));

app.onError(answerError);
