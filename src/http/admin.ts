// Admin API: the source registry, categories, OPML import and on-demand polls. Bearer token required.
// Every change goes through the Directory, the registry's one writer (and, for rivers, to the River that owns each).
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { every } from 'hono/combine';
import { readConfig } from '../config';
import type { AppEnv, Category } from '../model';
import { checkSourceUrl } from '../poll/address';
import { applyHeaderChange } from '../poll/controls';
import { discoverFeed, type Discovery } from '../poll/discover';
import { runPoll } from '../poll/run';
import { parseOpml } from '../render/opml';
import type { Outcome, SourcePatch } from '../store/directory';
import { deploymentOf, directoryOf } from '../store/objects';
import { categoryBody, newSourceBody, readBody, slugOf, sourcePatchBody, urlText, valid } from './admin-bodies';
import { requireAdmin } from './auth';
import { answerError, badRequest as fail } from './errors';
import { baseUrlOf } from './public';
import { announceChanges, purgeRivers, type CacheScope } from './announce';

const MAX_BODY = 1024 * 1024;
// An OPML export of 10,000 sources is about 1.5 MB: the import takes more than a JSON body.
const MAX_OPML = 5 * MAX_BODY;
const JSON_TYPE = /^application\/json\s*(;|$)/i;
const OPML_TYPE = /^(application|text)\/(xml|x-opml|opml)\s*(;|$)|^application\/[\w.+-]+\+xml\s*(;|$)/i;

function hasBody(req: Request): boolean {
  return req.body !== null && req.headers.get('content-length') !== '0';
}

/** A body of the wrong type is refused before it is read: it also keeps cross-site forms (text/plain…) out. */
function requireBodyType(kind: 'json' | 'opml'): MiddlewareHandler<AppEnv> {
  const accepted = kind === 'json' ? JSON_TYPE : OPML_TYPE;
  const wanted = kind === 'json' ? 'application/json' : 'an OPML document as application/xml, text/xml or text/x-opml';
  return async (c, next) => {
    if (!['POST', 'PUT', 'PATCH'].includes(c.req.method) || !hasBody(c.req.raw)) return next();
    const type = c.req.header('content-type') ?? '';
    if (!accepted.test(type)) return c.json({ error: `unsupported Content-Type "${type || 'none'}": send ${wanted}` }, 415);
    return next();
  };
}

function limitBody(maxSize: number): MiddlewareHandler<AppEnv> {
  const words = `${maxSize / MAX_BODY} MB`;
  return bodyLimit({ maxSize, onError: (c) => c.json({ error: `body over ${words}: nothing was read or stored` }, 413) });
}

/** A source URL as given (trimmed text), held to the address policy: schemes, ports, private hosts. */
function sourceUrl(c: Context<AppEnv>, given: string): string {
  const checked = checkSourceUrl(given, readConfig(c.env));
  if (!checked.ok) fail(checked.reason);
  return checked.url;
}

function directory(c: Context<AppEnv>) {
  const d = deploymentOf(c.env);
  return { d, dir: directoryOf(c.env, d) };
}

const FAILURE_STATUS = { 'not-found': 404, conflict: 409 } as const;

/** An Outcome as an answer: the value with `status`, or the failure's status (by its code) and reason. */
function answer<T>(c: Context<AppEnv>, outcome: Outcome<T>, status: 200 | 201 = 200): Response {
  return outcome.ok ? c.json(outcome.value as object, status) : c.json({ error: outcome.reason }, FAILURE_STATUS[outcome.code]);
}

function scopeOf(c: Context<AppEnv>): CacheScope {
  return { base: baseUrlOf(c, readConfig(c.env)), prefix: deploymentOf(c.env).prefix };
}

export const adminRoutes = new Hono<AppEnv>();
// Also here, not only on the app: the console calls these routes directly.
adminRoutes.onError(answerError);

adminRoutes.use('*', requireAdmin);
// Every body is JSON of at most 1 MB, except the OPML import's.
const jsonBody = every(requireBodyType('json'), limitBody(MAX_BODY));
const opmlBody = every(requireBodyType('opml'), limitBody(MAX_OPML));
adminRoutes.use('*', (c, next) => (c.req.path.endsWith('/opml') ? opmlBody : jsonBody)(c, next));

// Any change to the registry can change the index page (categories, titles): drop its cached copy here.
adminRoutes.use('*', async (c, next) => {
  await next();
  if (c.req.method !== 'GET' && c.res.status < 400) await purgeRivers(scopeOf(c), []);
});

adminRoutes.get('/sources', async (c) => {
  const { d, dir } = directory(c);
  return c.json((await dir.registry(d)).sources);
});

adminRoutes.post('/sources', async (c) => {
  const body = await readBody(c, newSourceBody);
  const url = sourceUrl(c, body.url);
  const controls = controlsOf(body);
  const headers = controls.headers === undefined ? undefined : applyHeaderChange(undefined, controls.headers);
  // A site's page URL is welcome: its feed is found and stored. A feed that cannot be read now is stored as given (its
  // failures show on /status), and so is any URL with "discover": false.
  const found: Discovery =
    body.discover === false
      ? { ok: true, feedUrl: url, candidates: [] }
      : await discoverFeed(url, readConfig(c.env), { userAgent: controls.userAgent ?? undefined, headers });
  if (!found.ok && found.code === 'no-feed') return c.json({ error: found.reason, candidates: found.candidates }, 400);
  const feedUrl = found.ok ? found.feedUrl : url;
  const { d, dir } = directory(c);
  const outcome = await dir.addSource(d, {
    url: feedUrl,
    categories: body.categories,
    title: body.title ?? undefined,
    id: body.id,
    intervalMinutes: body.intervalMinutes ?? undefined,
    paused: controls.paused,
    userAgent: controls.userAgent ?? undefined,
    headers,
  });
  if (!outcome.ok) return answer(c, outcome);
  const extra = found.ok ? (found.discoveredFrom ? { discoveredFrom: found.discoveredFrom } : {}) : { warning: `not checked: ${found.reason}` };
  return c.json({ ...outcome.value, ...extra }, 201, { Location: `/admin/sources/${outcome.value.id}` });
});

type Controls = Pick<SourcePatch, 'paused' | 'userAgent' | 'headers'>;

/** The per-source controls a body gives (absent ones left out). */
function controlsOf(body: Controls): Controls {
  const out: Controls = {};
  if (body.paused !== undefined) out.paused = body.paused;
  if (body.userAgent !== undefined) out.userAgent = body.userAgent;
  if (body.headers !== undefined) out.headers = body.headers;
  return out;
}

adminRoutes.get('/discover', async (c) => {
  const url = sourceUrl(c, valid(urlText, c.req.query('url')));
  const found = await discoverFeed(url, readConfig(c.env));
  if (found.ok) return c.json({ url, feedUrl: found.feedUrl, discoveredFrom: found.discoveredFrom ?? null, feeds: found.candidates });
  return c.json({ error: found.reason, feeds: found.candidates }, found.code === 'no-feed' ? 400 : 502);
});

adminRoutes.get('/sources/:id', async (c) => {
  const { d, dir } = directory(c);
  const source = await dir.source(d, c.req.param('id'));
  return source ? c.json(source) : c.json({ error: `source "${c.req.param('id')}" not found` }, 404);
});

adminRoutes.patch('/sources/:id', async (c) => {
  const body = await readBody(c, sourcePatchBody);
  const patch: SourcePatch = controlsOf(body);
  if (body.url !== undefined) patch.url = sourceUrl(c, body.url);
  if (body.categories !== undefined) patch.categories = body.categories;
  if (body.title !== undefined) patch.title = body.title;
  if (body.intervalMinutes !== undefined) patch.intervalMinutes = body.intervalMinutes;
  const { d, dir } = directory(c);
  const outcome = await dir.updateSource(d, c.req.param('id'), patch);
  if (!outcome.ok) return answer(c, outcome);
  await purgeRivers(scopeOf(c), outcome.value.rivers);
  return c.json(outcome.value.source);
});

adminRoutes.delete('/sources/:id', async (c) => {
  const { d, dir } = directory(c);
  const outcome = await dir.removeSource(d, c.req.param('id'));
  if (!outcome.ok) return answer(c, outcome);
  await purgeRivers(scopeOf(c), outcome.value.categories);
  return c.json({ deleted: outcome.value.deleted });
});

adminRoutes.get('/categories', async (c) => {
  const { d, dir } = directory(c);
  return c.json(await dir.categories(d));
});

adminRoutes.put('/categories/:slug', async (c) => {
  const slug = valid(slugOf('slug'), c.req.param('slug'));
  const body = await readBody(c, categoryBody);
  const category: Category = { slug, title: body.title };
  if (body.description) category.description = body.description;
  if (body.language) category.language = body.language;
  if (body.include?.length) category.include = body.include;
  if (body.exclude?.length) category.exclude = body.exclude;
  // The river shows the new title/description/language at once, and a stricter rule prunes it. A looser rule admits
  // items as the sources publish them: what the river already left out, their Feeds do not deliver again.
  const { d, dir } = directory(c);
  const { created } = await dir.putCategory(d, category);
  await purgeRivers(scopeOf(c), [slug]);
  return c.json(category, created ? 201 : 200);
});

adminRoutes.delete('/categories/:slug', async (c) => {
  const { d, dir } = directory(c);
  const outcome = await dir.deleteCategory(d, c.req.param('slug'));
  if (outcome.ok) await purgeRivers(scopeOf(c), [outcome.value.deleted]);
  return answer(c, outcome);
});

adminRoutes.post('/opml', async (c) => {
  const text = await c.req.text();
  const parsed = parseOpml(text);
  if (!parsed.ok) fail(parsed.reason);
  const { d, dir } = directory(c);
  const summary = await dir.importOpml(d, parsed);
  return c.json(summary, summary.added.length ? 201 : 200);
});

adminRoutes.post('/poll', async (c) => {
  const sourceId = c.req.query('source');
  const force = ['1', 'true', 'yes'].includes(c.req.query('force') ?? '');
  if (sourceId !== undefined) {
    const { d, dir } = directory(c);
    if (!(await dir.source(d, sourceId))) return c.json({ error: `source "${sourceId}" not found` }, 404);
  }
  const report = await runPoll(c.env, { force, sourceId, listSkipped: true });
  await announceChanges(scopeOf(c), readConfig(c.env).websubHub, report.changedCategories);
  return c.json({ polled: report.polled, results: report.results, changedCategories: report.changedCategories });
});
