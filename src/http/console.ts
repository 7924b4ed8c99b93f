// The operator console at /admin: sign-in, sign-out, the page, and its form actions. A form action is turned into the
// admin API request it stands for and sent through the very same routes (auth, limits, the Directory as one writer):
// the console has no write path of its own.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { renderConsole, renderSignIn, type ConsoleView } from '../render/console';
import { deploymentOf, directoryOf } from '../store/objects';
import { adminRoutes } from './admin';
import { gate, refusal, sessionOf, tryToken, unauthorized, type AdminEnv } from './auth';
import { consoleCsp } from './page-policy';
import {
  clearedCookie,
  CSRF_HEADER,
  csrfToken,
  csrfValid,
  openSession,
  sealSession,
  SESSION_COOKIE,
  SESSION_TTL_S,
  sessionCookie,
  type SessionClaim,
} from './session';

const FORM_TYPE = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;
const MAX_FORM = 5 * 1024 * 1024;

export const consoleRoutes = new Hono<AdminEnv>();

async function html(
  c: Context<AdminEnv>,
  body: string,
  status: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 502 | 503 = 200,
): Promise<Response> {
  return c.html(body, status, { 'Content-Security-Policy': await consoleCsp(), 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin' });
}

/** Forms only, from our own pages: a cross-site post is refused before anything is read. */
consoleRoutes.on(
  'POST',
  ['/login', '/logout', '/console/*'],
  bodyLimit({ maxSize: MAX_FORM, onError: (c) => c.json({ error: 'form over 5 MB' }, 413) }),
  async (c, next) => {
    if (!FORM_TYPE.test(c.req.header('content-type') ?? ''))
      return c.json({ error: 'send a form (application/x-www-form-urlencoded or multipart/form-data)' }, 415);
    if (c.req.header('sec-fetch-site') === 'cross-site') return c.json({ error: 'cross-site form refused' }, 403);
    await next();
  },
);

consoleRoutes.get('/', async (c) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) return html(c, renderSignIn({ failed: 'The console is disabled: set the ADMIN_TOKEN secret.' }), 503);
  const session = await sessionOf(c, expected);
  if (!session) return html(c, renderSignIn({ notice: c.req.query('signed-out') !== undefined ? 'Signed out.' : undefined }));
  return html(c, renderConsole(await consoleView(c, expected, session)));
});

consoleRoutes.post('/login', async (c) => {
  const expected = c.env.ADMIN_TOKEN;
  const form = await c.req.parseBody();
  const given = typeof form.token === 'string' ? form.token : '';
  if (!expected) return html(c, renderSignIn({ failed: 'Sign-in failed.' }), 401);
  const check = await tryToken(c, given, expected);
  if (!check.ok) {
    const words = check.code === 'rate-limited' ? `Too many failed sign-ins: try again in ${check.retryAfterSeconds} s.` : 'Sign-in failed.';
    const res = await html(c, renderSignIn({ failed: words }), check.status);
    if (check.retryAfterSeconds) res.headers.set('Retry-After', String(check.retryAfterSeconds));
    return res;
  }
  const exp = Date.now() + SESSION_TTL_S * 1000;
  const sid = await gate(c).openSession(exp, Date.now());
  const url = new URL(c.req.url);
  return c.body(null, 303, { Location: '/admin', 'Set-Cookie': sessionCookie(await sealSession(expected, { sid, exp }), url), 'Cache-Control': 'no-store' });
});

consoleRoutes.post('/logout', async (c) => {
  const expected = c.env.ADMIN_TOKEN;
  const url = new URL(c.req.url);
  const claim = expected ? await openSession(expected, getCookie(c, SESSION_COOKIE), Date.now()) : undefined;
  const form = await c.req.parseBody();
  if (claim && expected && (await csrfValid(expected, claim.sid, String(form.csrf ?? '')))) await gate(c).endSession(claim.sid);
  else if (claim) return c.json({ error: 'missing or wrong CSRF token: reload the console and try again' }, 403);
  return c.body(null, 303, { Location: '/admin?signed-out=1', 'Set-Cookie': clearedCookie(url), 'Cache-Control': 'no-store' });
});

consoleRoutes.post('/console/:action', async (c) => {
  const expected = c.env.ADMIN_TOKEN;
  const session = expected ? await sessionOf(c, expected) : undefined;
  if (!expected || !session) return refusal(c, unauthorized());
  const form = await c.req.parseBody();
  const csrf = String(form.csrf ?? '');
  if (!(await csrfValid(expected, session.sid, csrf))) return c.json({ error: 'missing or wrong CSRF token: reload the console and try again' }, 403);
  const request = await apiRequestFor(c.req.param('action'), form);
  if (!request) return c.json({ error: `unknown console action "${c.req.param('action')}"` }, 404);
  const answer = await callApi(c, request, csrf);
  const view = await consoleView(c, expected, session, { flash: answer, selected: request.select });
  return html(c, renderConsole(view), answer.ok ? 200 : (answer.status as 400));
});

type Form = Record<string, string | File | (string | File)[]>;

interface ApiRequest {
  method: string;
  path: string;
  body?: string;
  type?: string;
  /** What the answer says when it went well. */
  done: (answer: Record<string, unknown>) => string;
  select?: string;
}

const text = (form: Form, name: string): string => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
const list = (value: string): string[] =>
  value
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The admin API request a console form stands for. */
async function apiRequestFor(action: string, form: Form): Promise<ApiRequest | undefined> {
  const id = encodeURIComponent(text(form, 'id'));
  switch (action) {
    case 'add':
      return {
        method: 'POST',
        path: '/sources',
        body: JSON.stringify({
          url: text(form, 'url'),
          categories: list(text(form, 'categories')),
          ...(text(form, 'title') ? { title: text(form, 'title') } : {}),
        }),
        done: (a) => `Added ${a.id}${a.discoveredFrom ? ` (feed found from ${a.discoveredFrom})` : ''}: it is polled at the next run, or now with "Poll now".`,
      };
    case 'edit':
      return { method: 'PATCH', path: `/sources/${id}`, body: JSON.stringify(sourcePatch(form)), done: (a) => `Saved ${a.id}.`, select: text(form, 'id') };
    case 'pause': {
      const paused = text(form, 'paused') === 'true';
      return {
        method: 'PATCH',
        path: `/sources/${id}`,
        body: JSON.stringify({ paused }),
        done: (a) => `${paused ? 'Paused' : 'Resumed'} ${a.id}.`,
        select: text(form, 'id'),
      };
    }
    case 'remove':
      return { method: 'DELETE', path: `/sources/${id}`, done: () => `Removed ${text(form, 'id')} and its items.` };
    case 'poll':
      return { method: 'POST', path: `/poll?force=1&source=${id}`, done: pollSummary };
    case 'category':
      return {
        method: 'PUT',
        path: `/categories/${encodeURIComponent(text(form, 'slug'))}`,
        body: JSON.stringify(categoryBody(form)),
        done: (a) => `Saved category ${a.slug}.`,
      };
    case 'opml': {
      const file = form.file;
      const body = file instanceof File ? await file.text() : '';
      return { method: 'POST', path: '/opml', body, type: 'text/x-opml', done: opmlSummary };
    }
    default:
      return undefined;
  }
}

/** The edit form as a PATCH: an empty secret header field keeps the stored value; its "remove" box removes it. */
function sourcePatch(form: Form): Record<string, unknown> {
  const interval = text(form, 'intervalMinutes');
  const headers: Record<string, string | null> = { 'Accept-Language': text(form, 'header-accept-language') || null };
  for (const [name, key] of [
    ['Cookie', 'header-cookie'],
    ['Authorization', 'header-authorization'],
  ]) {
    if (text(form, `${key}-remove`)) headers[name] = null;
    else if (text(form, key)) headers[name] = text(form, key);
  }
  return {
    title: text(form, 'title') || null,
    categories: list(text(form, 'categories')),
    intervalMinutes: interval ? Number(interval) : null,
    paused: text(form, 'paused') === 'on',
    userAgent: text(form, 'userAgent') || null,
    headers,
  };
}

function categoryBody(form: Form): Record<string, unknown> {
  const body: Record<string, unknown> = { title: text(form, 'title') };
  for (const k of ['description', 'language']) if (text(form, k)) body[k] = text(form, k);
  for (const k of ['include', 'exclude']) if (list(text(form, k)).length) body[k] = list(text(form, k));
  return body;
}

function pollSummary(a: Record<string, unknown>): string {
  // The admin poll lists every source it did not poll as skipped: the console asked for one, and says how that went.
  const results = ((a.results as { id: string; outcome: string; items?: number; error?: string }[]) ?? []).filter((r) => r.outcome !== 'skipped');
  return (
    results.map((r) => `Polled ${r.id}: ${r.outcome}${r.items !== undefined ? `, ${r.items} new items` : ''}${r.error ? ` — ${r.error}` : ''}.`).join(' ') ||
    'Nothing polled.'
  );
}

function opmlSummary(a: Record<string, unknown>): string {
  const added = (a.added as unknown[])?.length ?? 0;
  const skipped = (a.skipped as { url?: string; reason: string }[]) ?? [];
  const why = skipped
    .slice(0, 5)
    .map((s) => `${s.url ?? 'an outline'}: ${s.reason}`)
    .join('; ');
  return `Imported ${added} sources${skipped.length ? `; skipped ${skipped.length} (${why})` : ''}.`;
}

/** Sends a console request through the admin API's own routes, signed in as the console's session. */
async function callApi(c: Context<AdminEnv>, r: ApiRequest, csrf: string): Promise<{ ok: boolean; status: number; text: string }> {
  const headers = new Headers({ cookie: c.req.header('cookie') ?? '', [CSRF_HEADER]: csrf });
  if (r.body !== undefined) headers.set('content-type', r.type ?? 'application/json');
  const url = new URL(r.path, new URL(c.req.url).origin);
  const res = await adminRoutes.fetch(new Request(url, { method: r.method, headers, body: r.body }), c.env, c.executionCtx);
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.ok) return { ok: true, status: res.status, text: r.done(answer) };
  return { ok: false, status: res.status, text: String(answer.error ?? `the admin API answered ${res.status}`) };
}

async function consoleView(c: Context<AdminEnv>, expected: string, session: SessionClaim, extra: Partial<ConsoleView> = {}): Promise<ConsoleView> {
  const d = deploymentOf(c.env);
  const dir = directoryOf(c.env, d);
  const selected = extra.selected ?? c.req.query('source');
  const [registry, statuses, csrf, state] = await Promise.all([
    dir.registry(d),
    dir.status(d),
    csrfToken(expected, session.sid),
    selected ? dir.sourceState(d, selected) : undefined,
  ]);
  return { csrf, sources: registry.sources, statuses, categories: registry.categories, query: c.req.query('q'), selected, selectedState: state, ...extra };
}
