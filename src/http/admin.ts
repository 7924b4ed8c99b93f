// Admin API: the source registry, categories, OPML import and on-demand polls. Bearer token required.
import { Hono, type Context } from 'hono';
import { readConfig } from '../config';
import type { Category, Env, Registry, Source } from '../model';
import { checkSourceUrl } from '../poll/address';
import { runPoll } from '../poll/run';
import { parseOpml } from '../render/opml';
import { categoryRule } from '../river/filter';
import { removeSources, withItems } from '../river/merge';
import { ALL_SLUG, deleteRiver, loadRegistry, loadRiver, saveRegistry, saveRiver } from '../store/kv';
import { requireAdmin } from './auth';
import { badRequest as fail } from './errors';
import { LANGUAGE_TAG, SLUG } from './patterns';
import { baseUrlOf } from './public';
import { announceChanges, purgeRivers } from './announce';
import { purgeCached } from './caching';

type AppEnv = { Bindings: Env };

const MAX_BODY = 1024 * 1024;


async function readJson(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.length > MAX_BODY) fail('body over 1 MiB');
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
  if (typeof value !== 'string' || !SLUG.test(value)) fail(`"${field}" must match ^[a-z0-9][a-z0-9-]{0,62}$`);
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

function sourceUrlField(value: unknown, c: Context<AppEnv>): string {
  if (typeof value !== 'string' || !value.trim()) fail('"url" must be an absolute http(s) URL');
  const checked = checkSourceUrl(value.trim(), readConfig(c.env));
  if (!checked.ok) fail(checked.error);
  return checked.url;
}

/** A source id from its URL when none is given: host and path words, made unique. */
function deriveId(url: string, taken: Registry['sources']): string {
  const u = new URL(url);
  const words = `${u.hostname.replace(/^www\./, '')} ${u.pathname}`
    .toLowerCase()
    .replace(/\.(xml|rss|atom|json|php|aspx?)$/, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !['feed', 'feeds', 'rss', 'atom', 'xml', 'index'].includes(w));
  const stem = (words.join('-') || 'source').slice(0, 56).replace(/-+$/, '');
  let id = stem;
  for (let n = 2; taken[id]; n++) id = `${stem}-${n}`;
  return id;
}

function defaultCategory(slug: string): Category {
  return { slug, title: slug.charAt(0).toUpperCase() + slug.slice(1).replace(/-/g, ' ') };
}

/** A source naming an unknown category creates it with a default title (contract). */
function ensureCategories(registry: Registry, slugs: string[]): void {
  for (const slug of slugs) if (!registry.categories[slug]) registry.categories[slug] = defaultCategory(slug);
}

/** Takes the given sources' items out of the rivers they were in (admin removals are rare, so this writes directly). */
async function dropFromRivers(c: Context<AppEnv>, sourceIds: string[], slugs: string[]): Promise<void> {
  const kv = c.env.TRIBUTARY;
  const ids = new Set(sourceIds);
  const now = new Date().toISOString();
  const changed: string[] = [];
  for (const slug of [...new Set([...slugs, ALL_SLUG])]) {
    const river = await loadRiver(kv, slug);
    if (!river) continue;
    const result = removeSources(river, ids, now);
    if (!result.changed) continue;
    await saveRiver(kv, result.river);
    changed.push(slug);
  }
  if (changed.length) await purgeRivers(baseOf(c), changed);
}

function baseOf(c: Context<AppEnv>): string {
  return baseUrlOf(c, readConfig(c.env));
}

export const adminRoutes = new Hono<AppEnv>();

adminRoutes.use('*', requireAdmin);

// Any change to the registry can change the index page (categories, titles): drop its cached copy here.
adminRoutes.use('*', async (c, next) => {
  await next();
  if (c.req.method !== 'GET' && c.res.status < 400) await purgeCached([`${baseOf(c)}/`]);
});

adminRoutes.get('/sources', async (c) => {
  const registry = await loadRegistry(c.env.TRIBUTARY);
  return c.json(Object.values(registry.sources).sort((a, b) => a.id.localeCompare(b.id)));
});

adminRoutes.post('/sources', async (c) => {
  const body = await readJson(c);
  onlyFields(body, ['url', 'categories', 'title', 'id', 'intervalMinutes']);
  const url = sourceUrlField(body.url, c);
  const categories = categoriesField(body.categories);
  const title = optionalString(body, 'title');
  const intervalMinutes = intervalField(body.intervalMinutes);
  const kv = c.env.TRIBUTARY;
  const registry = await loadRegistry(kv);
  const id = body.id === undefined ? deriveId(url, registry.sources) : slugField(body.id, 'id');
  if (registry.sources[id]) return c.json({ error: `a source with id "${id}" already exists` }, 409);
  const same = Object.values(registry.sources).find((s) => s.url === url);
  if (same) return c.json({ error: `this URL is already registered as "${same.id}"` }, 409);
  const source: Source = { id, url, categories, createdAt: new Date().toISOString() };
  if (title) source.title = title;
  if (intervalMinutes) source.intervalMinutes = intervalMinutes;
  registry.sources[id] = source;
  ensureCategories(registry, categories);
  await saveRegistry(kv, registry);
  return c.json(source, 201, { Location: `/admin/sources/${id}` });
});

adminRoutes.get('/sources/:id', async (c) => {
  const source = (await loadRegistry(c.env.TRIBUTARY)).sources[c.req.param('id')];
  return source ? c.json(source) : c.json({ error: `source "${c.req.param('id')}" not found` }, 404);
});

adminRoutes.patch('/sources/:id', async (c) => {
  const kv = c.env.TRIBUTARY;
  const body = await readJson(c);
  onlyFields(body, ['url', 'categories', 'title', 'intervalMinutes']);
  const registry = await loadRegistry(kv);
  const id = c.req.param('id');
  const prev = registry.sources[id];
  if (!prev) return c.json({ error: `source "${id}" not found` }, 404);
  const next: Source = { ...prev };
  if ('url' in body) next.url = sourceUrlField(body.url, c);
  if ('categories' in body) next.categories = categoriesField(body.categories);
  if ('title' in body) {
    const title = optionalString(body, 'title');
    if (title) next.title = title;
    else delete next.title;
  }
  if ('intervalMinutes' in body) {
    const interval = intervalField(body.intervalMinutes);
    if (interval) next.intervalMinutes = interval;
    else delete next.intervalMinutes;
  }
  registry.sources[id] = next;
  ensureCategories(registry, next.categories);
  await saveRegistry(kv, registry);
  const left = prev.categories.filter((s) => !next.categories.includes(s));
  if (left.length) await dropFromRivers(c, [id], left);
  return c.json(next);
});

adminRoutes.delete('/sources/:id', async (c) => {
  const kv = c.env.TRIBUTARY;
  const registry = await loadRegistry(kv);
  const id = c.req.param('id');
  const source = registry.sources[id];
  if (!source) return c.json({ error: `source "${id}" not found` }, 404);
  delete registry.sources[id];
  await saveRegistry(kv, registry);
  await dropFromRivers(c, [id], source.categories);
  return c.json({ deleted: id });
});

adminRoutes.get('/categories', async (c) => {
  const registry = await loadRegistry(c.env.TRIBUTARY);
  return c.json(Object.values(registry.categories).sort((a, b) => a.slug.localeCompare(b.slug)));
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
  const kv = c.env.TRIBUTARY;
  const registry = await loadRegistry(kv);
  const existed = Boolean(registry.categories[slug]);
  registry.categories[slug] = category;
  await saveRegistry(kv, registry);
  // The stored river shows the new title/description/language at once, and a stricter rule prunes it. A looser rule
  // admits items as the source publishes them: what the river already skipped is in the sources' seen memory.
  const river = existed ? await loadRiver(kv, slug) : null;
  if (river) {
    const rule = categoryRule(category);
    const kept = rule ? river.items.filter(rule) : river.items;
    const meta = { slug, title: category.title, description: category.description, language: category.language };
    const { river: next, changed } = withItems({ ...river, ...meta }, kept, new Date().toISOString());
    if (changed) {
      await saveRiver(kv, next);
      await purgeRivers(baseOf(c), [slug]);
    }
  }
  return c.json(category, existed ? 200 : 201);
});

adminRoutes.delete('/categories/:slug', async (c) => {
  const kv = c.env.TRIBUTARY;
  const slug = c.req.param('slug');
  const registry = await loadRegistry(kv);
  if (!registry.categories[slug]) return c.json({ error: `category "${slug}" not found` }, 404);
  const users = Object.values(registry.sources).filter((s) => s.categories.includes(slug));
  if (users.length) return c.json({ error: `category "${slug}" is used by sources: ${users.map((s) => s.id).join(', ')}` }, 409);
  delete registry.categories[slug];
  await saveRegistry(kv, registry);
  await deleteRiver(kv, slug);
  return c.json({ deleted: slug });
});

adminRoutes.post('/opml', async (c) => {
  const text = await c.req.text();
  if (text.length > 5 * MAX_BODY) fail('OPML document over 5 MiB');
  const parsed = parseOpml(text);
  if (!parsed.ok) fail(parsed.error);
  const kv = c.env.TRIBUTARY;
  const registry = await loadRegistry(kv);
  const config = readConfig(c.env);
  const added: Source[] = [];
  const skipped: { url?: string; reason: string }[] = parsed.skipped.map((s) => ({ url: s.outline, reason: s.reason }));
  const categoriesAdded: string[] = [];
  for (const cat of parsed.categories) {
    if (cat.slug === ALL_SLUG || registry.categories[cat.slug]) continue;
    registry.categories[cat.slug] = { slug: cat.slug, title: cat.title };
    categoriesAdded.push(cat.slug);
  }
  const known = new Set(Object.values(registry.sources).map((s) => s.url));
  for (const s of parsed.sources) {
    const checked = checkSourceUrl(s.url, config);
    if (!checked.ok) {
      skipped.push({ url: s.url, reason: checked.error });
      continue;
    }
    if (known.has(checked.url)) {
      skipped.push({ url: s.url, reason: 'already registered' });
      continue;
    }
    const categories = s.categories.filter((x) => x !== ALL_SLUG);
    if (categories.length === 0) categories.push('uncategorized');
    for (const slug of categories) {
      if (!registry.categories[slug]) {
        registry.categories[slug] = defaultCategory(slug);
        categoriesAdded.push(slug);
      }
    }
    const source: Source = { id: deriveId(checked.url, registry.sources), url: checked.url, categories, createdAt: new Date().toISOString() };
    if (s.title) source.title = s.title.slice(0, 500);
    registry.sources[source.id] = source;
    known.add(checked.url);
    added.push(source);
  }
  if (added.length || categoriesAdded.length) await saveRegistry(kv, registry);
  return c.json({ added, categoriesAdded, skipped }, added.length ? 201 : 200);
});

adminRoutes.post('/poll', async (c) => {
  const sourceId = c.req.query('source');
  const force = ['1', 'true', 'yes'].includes(c.req.query('force') ?? '');
  if (sourceId !== undefined) {
    const registry = await loadRegistry(c.env.TRIBUTARY);
    if (!registry.sources[sourceId]) return c.json({ error: `source "${sourceId}" not found` }, 404);
  }
  const report = await runPoll(c.env, { force, sourceId });
  await announceChanges(baseOf(c), readConfig(c.env).websubHub, report.changedCategories);
  return c.json({ polled: report.polled, results: report.results, changedCategories: report.changedCategories });
});
