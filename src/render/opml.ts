// OPML 2.0 export of the registry (one folder per category) and an import that reads what
// Miniflux, FreshRSS and other readers export: folders become categories, nested outlines are walked.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { errorText, failed, type Failure } from '../errors';
import { hash64 } from '../hash';
import type { Registry, Source } from '../model';
import { SLUG } from '../patterns';
import { firstDate, rfc822 } from './fields';
import { TRIBUTARY_NS } from './namespace';
import { attr, escapeAttr, escapeXml } from './xml';

export interface OpmlImport {
  ok: true;
  categories: { slug: string; title: string }[];
  sources: { url: string; title?: string; categories: string[] }[];
  skipped: { reason: string; outline?: string }[];
}

/** `empty`, `malformed` (not well-formed XML) or `not-opml` (another XML document). */
export type OpmlImportResult = OpmlImport | Failure<'empty' | 'malformed' | 'not-opml'>;

// ───────────────────────────── export ─────────────────────────────

/** The registry as an OPML 2.0 subscription list (http://opml.org/spec2.opml), one folder per category, the same bytes for the same registry. */
export function renderOpml(registry: Registry, opts: { title: string; baseUrl: string; dateCreated?: string }): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>\n',
    `<opml version="2.0" xmlns:tributary="${TRIBUTARY_NS}">\n<head>\n`,
    `<title>${escapeXml(opts.title)}</title>\n`,
  ];
  // No clock here: the same registry gives the same bytes (and the same ETag) unless a date is passed.
  if (opts.dateCreated) out.push(`<dateCreated>${rfc822(firstDate(opts.dateCreated))}</dateCreated>\n`);
  out.push(`<ownerId>${escapeXml(`${opts.baseUrl}/`)}</ownerId>\n<docs>http://opml.org/spec2.opml</docs>\n</head>\n<body>\n`);

  const sources = Object.values(registry.sources).sort(bySourceTitle);
  const categories = Object.values(registry.categories).sort((a, b) => a.slug.localeCompare(b.slug));
  for (const category of categories) {
    // The slug rides along so our own import gives back the same category, whatever its title.
    out.push(
      `<outline text="${escapeAttr(category.title)}" title="${escapeAttr(category.title)}" tributary:slug="${escapeAttr(category.slug)}"${attr('tributary:description', category.description)}${attr('tributary:language', category.language)}>\n`,
    );
    for (const source of sources) if (source.categories.includes(category.slug)) out.push(sourceOutline(source));
    out.push('</outline>\n');
  }
  // Sources naming no known category still belong in an export.
  for (const source of sources) {
    if (!source.categories.some((slug) => registry.categories[slug])) out.push(sourceOutline(source));
  }
  out.push('</body>\n</opml>\n');
  return out.join('');
}

function bySourceTitle(a: Source, b: Source): number {
  return (a.title ?? a.url).localeCompare(b.title ?? b.url) || a.id.localeCompare(b.id);
}

function sourceOutline(source: Source): string {
  const title = source.title || source.url;
  return `<outline type="rss" text="${escapeAttr(title)}" title="${escapeAttr(title)}" xmlUrl="${escapeAttr(source.url)}" tributary:id="${escapeAttr(source.id)}"/>\n`;
}

// ───────────────────────────── import ─────────────────────────────

const MAX_OUTLINES = 10_000;
const MAX_DEPTH = 50;

const opmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Numeric references (Miniflux writes &#39; and &#34;, FreshRSS &#039;) and the HTML names some exports use.
  htmlEntities: true,
  // Internal DTD entities are expanded, but only a few and small ones (no billion laughs).
  processEntities: { enabled: true, maxEntityCount: 20, maxEntitySize: 1000, maxTotalExpansions: 1000, maxExpandedLength: 100_000 },
  maxNestedTags: MAX_DEPTH + 4,
  isArray: (name) => name === 'outline',
});

interface OutlineNode {
  '@'?: Record<string, string>;
  outline?: OutlineNode[];
}

/** Parses an OPML subscription list (http://opml.org/spec2.opml); errors (not XML, not OPML) are values, bad outlines skipped with a reason. */
export function parseOpml(xml: string): OpmlImportResult {
  const text = xml.replace(/^\uFEFF/, '').trimStart();
  if (text === '') return failed('empty', 'empty document: expected an OPML file');
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    return failed('malformed', `not well-formed XML (line ${line}, column ${col}): ${msg}`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = opmlParser.parse(text) as Record<string, unknown>;
  } catch (error) {
    return failed('malformed', `cannot read the OPML: ${errorText(error)}`);
  }
  const rootName = Object.keys(doc).find((k) => k !== '#text' && !k.startsWith('?') && !k.startsWith('!'));
  if (rootName?.toLowerCase() !== 'opml') {
    return failed('not-opml', `not an OPML document: the root element is <${rootName ?? 'nothing'}>, expected <opml>`);
  }
  const opml = doc[rootName] as Record<string, unknown> | string;
  const body = typeof opml === 'object' ? findChild(opml, 'body') : undefined;
  if (body === undefined) return failed('not-opml', 'not an OPML document: <opml> has no <body>');

  const state: ImportState = { categories: new Map(), slugTitles: new Map(), sources: new Map(), skipped: [], seen: 0 };
  // An empty <body/> parses as a string: a valid list with nothing in it.
  walk(typeof body === 'object' && body !== null ? ((body as OutlineNode).outline ?? []) : [], undefined, 0, state);
  return {
    ok: true,
    categories: [...state.categories.values()],
    sources: [...state.sources.values()],
    skipped: state.skipped,
  };
}

interface ImportState {
  /** Folder title → category (one slug per distinct title). */
  categories: Map<string, { slug: string; title: string }>;
  /** Slug → the title that claimed it, so two titles never share a slug. */
  slugTitles: Map<string, string>;
  /** Feed URL → source; the same feed in two folders is one source in two categories. */
  sources: Map<string, { url: string; title?: string; categories: string[] }>;
  skipped: { reason: string; outline?: string }[];
  seen: number;
}

function findChild(node: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(node).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : node[key];
}

/** Attributes by lower-cased name: exports disagree on case (xmlUrl, xmlurl, XMLURL). */
function attributes(node: OutlineNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(node['@'] ?? {})) out.set(name.toLowerCase(), String(value).trim());
  return out;
}

function walk(outlines: OutlineNode[], category: string | undefined, depth: number, state: ImportState): void {
  for (const node of outlines) {
    if (++state.seen > MAX_OUTLINES) {
      if (state.seen === MAX_OUTLINES + 1) state.skipped.push({ reason: `more than ${MAX_OUTLINES} outlines: the rest were not read` });
      return;
    }
    if (typeof node !== 'object' || node === null) continue;
    const attrs = attributes(node);
    const label = attrs.get('text') || attrs.get('title') || undefined;
    const children = Array.isArray(node.outline) ? node.outline : [];
    const type = (attrs.get('type') ?? '').toLowerCase();
    const feedUrl = attrs.get('xmlurl');

    if (feedUrl !== undefined && feedUrl !== '') {
      addSource(feedUrl, label, type, category, state);
    } else if (type === 'include' || type === 'link') {
      state.skipped.push({ reason: `type="${type}" outline is a link, not a feed subscription`, outline: attrs.get('url') || label });
    } else if (children.length === 0) {
      // A folder with nothing in it still names a category; an empty outline with no title is noise.
      if (label && feedUrl === undefined && type === '') defineCategory(label, attrs.get('tributary:slug'), state);
      else state.skipped.push({ reason: 'outline has no xmlUrl (not a feed)', outline: label });
    }

    if (children.length > 0) {
      if (depth >= MAX_DEPTH) {
        state.skipped.push({ reason: `outlines nested deeper than ${MAX_DEPTH} levels were not read`, outline: label });
        continue;
      }
      // A folder: its feeds go to the category named by the innermost folder around them.
      const folder = feedUrl ? category : label ? defineCategory(label, attrs.get('tributary:slug'), state) : category;
      walk(children, folder, depth + 1, state);
    }
  }
}

function addSource(rawUrl: string, title: string | undefined, type: string, category: string | undefined, state: ImportState): void {
  // FreshRSS exports web-scraping sources with xmlUrl pointing at an HTML page.
  if (type.includes('xpath')) {
    state.skipped.push({ reason: `type="${type}" is a FreshRSS scraping source, not a feed`, outline: rawUrl });
    return;
  }
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    state.skipped.push({ reason: 'xmlUrl is not an absolute URL', outline: rawUrl });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    state.skipped.push({ reason: `xmlUrl uses ${url.protocol.slice(0, -1)}:, only http and https feeds can be polled`, outline: rawUrl });
    return;
  }
  const key = url.href;
  const existing = state.sources.get(key);
  if (existing) {
    if (category && !existing.categories.includes(category)) existing.categories.push(category);
    if (!existing.title && title) existing.title = title;
    return;
  }
  const source: { url: string; title?: string; categories: string[] } = { url: key, categories: category ? [category] : [] };
  if (title && title !== rawUrl) source.title = title;
  state.sources.set(key, source);
}

/** The category for a folder title (created on first sight); returns its slug. */
function defineCategory(title: string, exportedSlug: string | undefined, state: ImportState): string {
  const known = state.categories.get(title);
  if (known) return known.slug;
  let slug = exportedSlug && SLUG.test(exportedSlug) ? exportedSlug : slugify(title);
  const owner = state.slugTitles.get(slug);
  if (owner !== undefined && owner !== title) slug = withSuffix(slug, hash64(title).slice(0, 6));
  state.slugTitles.set(slug, title);
  const category = { slug, title };
  state.categories.set(title, category);
  return slug;
}

function withSuffix(base: string, suffix: string): string {
  return `${base.slice(0, 62 - suffix.length).replace(/-+$/, '')}-${suffix}`;
}

/**
 * A category slug (matching `SLUG`) from a folder title. Latin letters lose their diacritics
 * ("Tin tức" → "tin-tuc", "Đời sống" → "doi-song"); letters that have no Latin spelling (Thai) cannot make a
 * readable slug, so their part becomes a hash: "ข่าว" → "c-…", "ข่าว Tech" → "tech-…" — stable and distinct.
 */
export function slugify(title: string): string {
  const folded = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .replace(/ß/g, 'ss')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[øØ]/g, 'o')
    .replace(/[łŁ]/g, 'l')
    .toLowerCase();
  const latin = folded
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  const hasOtherLetters = /[^\p{Script=Latin}\P{L}]/u.test(folded);
  if (latin === '') return `c-${hash64(title).slice(0, 10)}`;
  return hasOtherLetters ? withSuffix(latin, hash64(title).slice(0, 6)) : latin;
}
