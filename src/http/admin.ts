// Admin API: the source registry, categories, OPML import and on-demand polls. Bearer token required.
// Every change goes through the Directory, the registry's one writer (and, for rivers, to the River that owns each).
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { every } from 'hono/combine';
import { readConfig } from '../config';
import type { AppEnv, Category } from '../model';
import { checkSourceUrl } from '../poll/address';
import { applyHeaderChange, checkHeaderChange, checkUserAgent, type HeaderChange } from '../poll/controls';
import { discoverFeed, type Discovery } from '../poll/discover';
import { runPoll } from '../poll/run';
import { LANGUAGE_TAG, SLUG, SLUG_PATTERN } from '../patterns';
import { parseOpml } from '../render/opml';
import type { Outcome, SourcePatch } from '../store/directory';
import { ALL_SLUG } from '../store/kv';
import { deploymentOf, directoryOf } from '../store/objects';
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

async function readJson(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail('body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('body must be a JSON object');
  return value as Record<string, unknown>;
}

function onlyFields(body: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(body)) if (!allowed.includes(k)) fail(`unknown field "${k}" (allowed: ${allowed.join(', ')})`);
}

function optionalString(body: Record<string, unknown>, field: string, max = 500): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(`"${field}" must be a string`);
  const t = v.trim();
  if (t.length > max) fail(`"${field}" is longer than ${max} characters`);
  return t || undefined;
}

function slugField(value: unknown, field: string): string {
  if (typeof value !== 'string' || !SLUG.test(value)) fail(`"${field}" must match ^${SLUG_PATTERN}$`);
  if (value === ALL_SLUG) fail(`"${ALL_SLUG}" is reserved (it is every category merged)`);
  return value;
}

function categoriesField(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) fail('"categories" must be a non-empty array of category slugs');
  if (value.length > 50) fail('"categories" has more than 50 entries');
  return [...new Set(value.map((v, i) => slugField(v, `categories[${i}]`)))];
}

function intervalField(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 5 || value > 7 * 24 * 60) {
    fail('"intervalMinutes" must be a whole number of minutes from 5 to 10080');
  }
  return value;
}

function booleanField(body: Record<string, unknown>, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(`"${field}" must be true or false`);
  return v;
}

function userAgentField(value: unknown): string | null {
  if (value === null) return null;
  const checked = checkUserAgent(value);
  if (!checked.ok) fail(checked.error);
  return checked.value;
}

function headersField(value: unknown): HeaderChange {
  const checked = checkHeaderChange(value);
  if (!checked.ok) fail(checked.error);
  return checked.value;
}

function sourceUrlField(value: unknown, c: Context<AppEnv>): string {
  if (typeof value !== 'string' || !value.trim()) fail('"url" must be an absolute http(s) URL');
  const checked = checkSourceUrl(value.trim(), readConfig(c.env));
  if (!checked.ok) fail(checked.error);
  return checked.url;
}

function directory(c: Context<AppEnv>) {
  const d = deploymentOf(c.env);
  return { d, dir: directoryOf(c.env, d) };
}

/** An Outcome as an answer: the value with `status`, or the failure's status and reason. */
function answer<T>(c: Context<AppEnv>, outcome: Outcome<T>, status: 200 | 201 = 200): Response {
  return outcome.ok ? c.json(outcome.value as object, status) : c.json({ error: outcome.error }, outcome.status);
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
  const body = await readJson(c);
  onlyFields(body, ['url', 'categories', 'title', 'id', 'intervalMinutes', 'discover', ...CONTROL_FIELDS]);
  const discover = booleanField(body, 'discover');
  const url = sourceUrlField(body.url, c);
  const categories = categoriesField(body.categories);
  const title = optionalString(body, 'title');
  const intervalMinutes = intervalField(body.intervalMinutes);
  const id = body.id === undefined ? undefined : slugField(body.id, 'id');
  const controls = controlsOf(body);
  const headers = controls.headers === undefined ? undefined : applyHeaderChange(undefined, controls.headers);
  // A site's page URL is welcome: its feed is found and stored. A feed that cannot be read now is stored as given (its
  // failures show on /status), and so is any URL with "discover": false.
  const found: Discovery =
    discover === false
      ? { ok: true, feedUrl: url, candidates: [] }
      : await discoverFeed(url, readConfig(c.env), { userAgent: controls.userAgent ?? undefined, headers });
  if (!found.ok && found.code === 'no-feed') return c.json({ error: found.reason, candidates: found.candidates }, 400);
  const feedUrl = found.ok ? found.feedUrl : url;
  const { d, dir } = directory(c);
  const outcome = await dir.addSource(d, {
    url: feedUrl,
    categories,
    title,
    id,
    intervalMinutes,
    paused: controls.paused,
    userAgent: controls.userAgent ?? undefined,
    headers,
  });
  if (!outcome.ok) return answer(c, outcome);
  const extra = found.ok ? (found.discoveredFrom ? { discoveredFrom: found.discoveredFrom } : {}) : { warning: `not checked: ${found.reason}` };
  return c.json({ ...outcome.value, ...extra }, 201, { Location: `/admin/sources/${outcome.value.id}` });
});

// Per-source controls: paused, a User-Agent override, allowlisted headers (changed one by one; null removes).
const CONTROL_FIELDS = ['paused', 'userAgent', 'headers'];

function controlsOf(body: Record<string, unknown>): Pick<SourcePatch, 'paused' | 'userAgent' | 'headers'> {
  const out: Pick<SourcePatch, 'paused' | 'userAgent' | 'headers'> = {};
  const paused = booleanField(body, 'paused');
  if (paused !== undefined) out.paused = paused;
  if ('userAgent' in body) out.userAgent = userAgentField(body.userAgent);
  if ('headers' in body) out.headers = headersField(body.headers);
  return out;
}

adminRoutes.get('/discover', async (c) => {
  const url = sourceUrlField(c.req.query('url'), c);
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
  const body = await readJson(c);
  onlyFields(body, ['url', 'categories', 'title', 'intervalMinutes', ...CONTROL_FIELDS]);
  const patch: SourcePatch = controlsOf(body);
  if ('url' in body) patch.url = sourceUrlField(body.url, c);
  if ('categories' in body) patch.categories = categoriesField(body.categories);
  if ('title' in body) patch.title = optionalString(body, 'title') ?? null;
  if ('intervalMinutes' in body) patch.intervalMinutes = intervalField(body.intervalMinutes) ?? null;
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

function keywordsField(body: Record<string, unknown>, field: string): string[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > 50 || v.some((k) => typeof k !== 'string' || !k.trim() || k.length > 100)) {
    fail(`"${field}" must be an array of up to 50 keywords (non-empty strings of at most 100 characters)`);
  }
  const list = [...new Set((v as string[]).map((k) => k.trim().normalize('NFC')))];
  return list.length ? list : undefined;
}

adminRoutes.put('/categories/:slug', async (c) => {
  const slug = slugField(c.req.param('slug'), 'slug');
  const body = await readJson(c);
  onlyFields(body, ['title', 'description', 'language', 'include', 'exclude']);
  const title = optionalString(body, 'title', 200);
  if (!title) fail('"title" is required');
  const category: Category = { slug, title };
  const description = optionalString(body, 'description', 2000);
  if (description) category.description = description;
  const language = optionalString(body, 'language', 35);
  if (language) {
    if (!LANGUAGE_TAG.test(language)) fail('"language" must be a BCP 47 tag such as "th" or "vi-VN"');
    category.language = language;
  }
  const include = keywordsField(body, 'include');
  if (include) category.include = include;
  const exclude = keywordsField(body, 'exclude');
  if (exclude) category.exclude = exclude;
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
  if (!parsed.ok) fail(parsed.error);
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
