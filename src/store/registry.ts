// Registry policy, pure: ids for new sources, default categories, and what an OPML import adds.
import type { Category, Config, Source } from '../model';
import { checkSourceUrl } from '../poll/address';
import { ALL_SLUG } from './kv';

/** A source id from its URL when none is given: host and path words, made unique against `taken`. */
export function deriveId(url: string, taken: (id: string) => boolean): string {
  const u = new URL(url);
  const words = `${u.hostname.replace(/^www\./, '')} ${u.pathname}`
    .toLowerCase()
    .replace(/\.(xml|rss|atom|json|php|aspx?)$/, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !['feed', 'feeds', 'rss', 'atom', 'xml', 'index'].includes(w));
  const stem = (words.join('-') || 'source').slice(0, 56).replace(/-+$/, '');
  let id = stem;
  for (let n = 2; taken(id); n++) id = `${stem}-${n}`;
  return id;
}

/** The category a source's unknown slug creates (contract: "a source naming an unknown category creates it"). */
export function defaultCategory(slug: string): Category {
  return { slug, title: slug.charAt(0).toUpperCase() + slug.slice(1).replace(/-/g, ' ') };
}

/** What readers see of a category (its rules stay in the registry). */
export function publicCategory(c: Category): Pick<Category, 'slug' | 'title' | 'description' | 'language'> {
  return { slug: c.slug, title: c.title, description: c.description, language: c.language };
}

/** An OPML document's folders and feeds, as render/opml's parseOpml reads them. */
export interface OpmlList {
  categories: { slug: string; title: string }[];
  sources: { url: string; title?: string; categories: string[] }[];
  skipped: { outline?: string; reason: string }[];
}

export interface OpmlPlan {
  categories: Category[];
  sources: Source[];
  categoriesAdded: string[];
  skipped: { url?: string; reason: string }[];
}

/**
 * What importing a list adds to a registry: folders become categories (known ones stay as they are), feeds become
 * sources (a URL already registered, or refused by the private-address rule, is skipped with the reason).
 */
export function planOpmlImport(
  list: OpmlList,
  registry: { hasCategory: (slug: string) => boolean; hasUrl: (url: string) => boolean; hasId: (id: string) => boolean },
  config: Pick<Config, 'privateSourceOrigins'>,
  now: string,
): OpmlPlan {
  const plan: OpmlPlan = { categories: [], sources: [], categoriesAdded: [], skipped: list.skipped.map((s) => ({ url: s.outline, reason: s.reason })) };
  const added = new Set<string>();
  const addCategory = (c: Category): void => {
    if (c.slug === ALL_SLUG || added.has(c.slug) || registry.hasCategory(c.slug)) return;
    added.add(c.slug);
    plan.categories.push(c);
    plan.categoriesAdded.push(c.slug);
  };
  for (const c of list.categories) addCategory({ slug: c.slug, title: c.title });
  const urls = new Set<string>();
  const ids = new Set<string>();
  for (const s of list.sources) {
    const checked = checkSourceUrl(s.url, config);
    if (!checked.ok) {
      plan.skipped.push({ url: s.url, reason: checked.reason });
      continue;
    }
    if (urls.has(checked.url) || registry.hasUrl(checked.url)) {
      plan.skipped.push({ url: s.url, reason: 'already registered' });
      continue;
    }
    const categories = s.categories.filter((x) => x !== ALL_SLUG);
    if (categories.length === 0) categories.push('uncategorized');
    for (const slug of categories) addCategory(defaultCategory(slug));
    const id = deriveId(checked.url, (x) => ids.has(x) || registry.hasId(x));
    const source: Source = { id, url: checked.url, categories, createdAt: now };
    if (s.title) source.title = s.title.slice(0, 500);
    urls.add(checked.url);
    ids.add(id);
    plan.sources.push(source);
  }
  return plan;
}
