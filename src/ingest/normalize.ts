// ParsedFeed → NormalizedFeed: one item shape with absolute URLs, UTC dates, sanitized HTML, NFC text,
// no characters XML forbids, and every field length-capped on a grapheme boundary.
import { hash64 } from '../hash';
import type { Enclosure, FeedMeta, ItemDraft, NormalizedFeed, ParsedEntry, ParsedFeed, ParsedText } from '../model';
import { languageTag } from '../patterns';
import { itemDate } from './dates';
import { htmlToText, cleanCharacters } from './html';
import { cutGraphemes, escapeText, sanitizeHtml } from './sanitize';
import { firstAbsolute, resolveUrl } from './urls';

export interface NormalizeOptions {
  /** Final fetch URL (after redirects): the last-resort base. */
  url: string;
  /** ISO UTC fetch time: future dates are clamped to it; undated items get it (dateGuessed). */
  fetchedAt: string;
  sourceId: string;
}

/** Field caps, in UTF-16 units (cuts fall on grapheme boundaries). */
export const LIMITS = {
  title: 1_000,
  html: 100_000,
  text: 4_000,
  url: 2_048,
  guid: 2_048,
  author: 200,
  authors: 10,
  tag: 100,
  tags: 50,
  enclosures: 20,
  language: 35,
  items: 2_000,
} as const;

/** Plain text cleaned the way every text field is: XML-valid characters, NFC (https://unicode.org/reports/tr15/), trimmed, capped. */
export function cleanText(text: string, max: number): string {
  if (!NEEDS_CLEANING.test(text)) {
    // Nothing to remove or collapse (the common case: a title, a tag, an author): only NFC, which cannot
    // introduce any of those, and only when a character could compose at all.
    const nfc = MAY_COMPOSE.test(text) ? text.normalize('NFC') : text;
    return cutGraphemes(nfc.trim(), max).trim();
  }
  return cutGraphemes(
    cleanCharacters(text)
      .normalize('NFC')
      .replace(/[ \t\n\r\f]+/g, ' ')
      .trim(),
    max,
  ).trim();
}

/**
 * What sends cleanText the long way: characters cleanCharacters removes or maps (C0/C1 controls, U+FFFE/U+FFFF),
 * any surrogate (well-formedness is checked there), and whitespace the collapse would change (tab, LF, CR, FF,
 * two spaces in a row).
 */
// eslint-disable-next-line no-control-regex
const NEEDS_CLEANING = /[\u0000-\u001F\u0080-\u009F\uD800-\uDFFF\uFFFE\uFFFF]| {2}/;
/** Below U+0300 every character is NFC already and none composes with what precedes it. */
const MAY_COMPOSE = /[^\u0000-\u02FF]/;

/** The plain text a ParsedText stands for (HTML titles are stripped to text, entities decoded once). */
export function plainText(text: ParsedText | undefined, max: number): string | undefined {
  if (!text) return undefined;
  const value = cleanText(text.type === 'html' ? htmlToText(text.value) : text.value, max);
  return value === '' ? undefined : value;
}

/** Sanitized HTML for a text or HTML field; plain text is escaped, its line breaks kept as <br />. */
function htmlField(text: ParsedText | undefined, base: string | undefined): string | undefined {
  if (!text) return undefined;
  // sanitizeHtml cleans characters itself; NFC first so the cap counts what is kept.
  const source = text.value.normalize('NFC');
  const html = text.type === 'html' ? source : escapeText(source.trim()).replace(/\n/g, '<br />');
  const clean = sanitizeHtml(html, { base: text.base ?? base, maxLength: LIMITS.html });
  return clean === '' ? undefined : clean;
}

/** Two fields that htmlField turns into the same HTML (it depends on nothing else of theirs). */
function sameText(a: ParsedText | undefined, b: ParsedText | undefined): boolean {
  return a !== undefined && b !== undefined && a.type === b.type && a.value === b.value && a.base === b.base;
}

function unique<T>(values: T[], key: (v: T) => string = String): T[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = key(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The tag as stored: lower case, capped (a cut never leaves a trailing "-", so the stored tag is still a tag). */
function storedLanguage(value: string | undefined): string | undefined {
  return languageTag(value)?.slice(0, LIMITS.language).replace(/-+$/, '').toLowerCase();
}

/** The feed's own link, absolute: the base for entries without xml:base. */
export function feedLinkOf(feed: ParsedFeed, options: Pick<NormalizeOptions, 'url'>): string | undefined {
  return resolveUrl(feed.link, firstAbsolute(feed.base, options.url), 'resource');
}

/** Name and email of an author: "me@x.example (Name)" as RSS has it (https://www.rssboard.org/rss-specification#ltauthorgtSubelementOfLtitemgt), "Name <…>", "Name". */
export function splitAuthor(raw: string): { name?: string; email?: string } {
  const text = raw.trim();
  const email = /[\w.+-]+@[\w-]+(\.[\w-]+)+/.exec(text)?.[0];
  if (!email) return text ? { name: text } : {};
  const rest = text
    .replace(email, '')
    .replace(/mailto:/i, '')
    .replace(/[()<>[\]]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return rest ? { name: rest, email } : { email };
}

/** True when an item has nothing a reader could see or follow. */
function isEmptyItem(item: ItemDraft): boolean {
  return !item.title && !item.url && !item.summaryHtml && !item.contentHtml && !item.enclosures.length;
}

/** One entry → ItemDraft (possibly empty: normalizeFeed drops those); links resolve against xml:base (https://www.w3.org/TR/xmlbase/) first. */
export function normalizeEntry(
  entry: ParsedEntry,
  feed: ParsedFeed,
  options: NormalizeOptions,
  warnings: string[],
  feedLink = feedLinkOf(feed, options),
): ItemDraft {
  const { guid, url, contentBase } = entryIdentity(entry, feed, options, feedLink);
  const title = plainText(entry.title, LIMITS.title) ?? '';
  const summaryHtml = htmlField(entry.summary, contentBase);
  // Feeds often repeat the description in content:encoded: the same input sanitizes to the same output once.
  const contentHtml = sameText(entry.content, entry.summary) ? summaryHtml : htmlField(entry.content, contentBase);
  const enclosures = entryEnclosures(entry, contentBase);
  const image = resolveUrl(entry.image, contentBase, 'resource') ?? enclosures.find((e) => e.medium === 'image')?.url;
  const published = itemDate(entry.published, options.fetchedAt);
  const updated = itemDate(entry.updated, options.fetchedAt);
  if (entry.published && !published) warnings.push(`unparseable date "${entry.published.slice(0, 60)}"`);
  const item: ItemDraft = {
    sourceId: options.sourceId,
    title,
    publishedAt: published ?? updated ?? options.fetchedAt,
    authors: entryAuthors(entry, feed),
    tags: entryTags(entry),
    enclosures,
    contentHash: '',
  };
  if (!published && !updated) item.dateGuessed = true;
  if (updated && updated !== item.publishedAt) item.updatedAt = updated;
  if (guid) {
    item.guid = guid;
    if (entry.idIsPermaLink !== undefined) item.guidIsPermaLink = entry.idIsPermaLink;
  }
  if (url && url.length <= LIMITS.url) item.url = url;
  if (summaryHtml) item.summaryHtml = summaryHtml;
  if (contentHtml) item.contentHtml = contentHtml;
  if (image && image.length <= LIMITS.url) item.image = image;
  const language = storedLanguage(entry.language ?? feed.language);
  if (language) item.language = language;
  const comments = resolveUrl(entry.comments, contentBase, 'link');
  if (comments && comments.length <= LIMITS.url) item.comments = comments;
  item.contentHash = contentHashOf(item);
  return item;
}

/** The entry's guid and link, and the base its content's relative links resolve against. */
function entryIdentity(entry: ParsedEntry, feed: ParsedFeed, options: NormalizeOptions, feedLink: string | undefined) {
  // Base for the entry's own links: its xml:base, else the feed's link, else the fetch URL.
  const entryBase = firstAbsolute(entry.base, feed.base, feedLink, options.url);
  const link = resolveUrl(entry.origLink, entryBase, 'resource') ?? resolveUrl(entry.link, entryBase, 'resource');
  const guid = entry.id === undefined ? undefined : cleanText(entry.id, LIMITS.guid) || undefined;
  // RSS 2.0: a guid is a permalink unless isPermaLink="false" (https://www.rssboard.org/rss-specification#ltguidgtSubelementOfLtitemgt).
  const permalinkGuid = guid && entry.idIsPermaLink !== false && /^https?:\/\//i.test(guid) ? resolveUrl(guid, undefined, 'resource') : undefined;
  const url = link ?? permalinkGuid;
  // Base for relative links inside content: xml:base, the item link, the feed link, the fetch URL.
  const contentBase = firstAbsolute(entry.base, url, feed.base, feedLink, options.url);
  return { guid, url, contentBase };
}

/** Absolute, distinct enclosures, at most LIMITS.enclosures of them. */
function entryEnclosures(entry: ParsedEntry, contentBase: string | undefined): Enclosure[] {
  const enclosures: Enclosure[] = [];
  for (const e of entry.enclosures) {
    const encUrl = resolveUrl(e.url, contentBase, 'resource');
    if (!encUrl || encUrl.length > LIMITS.url || enclosures.some((x) => x.url === encUrl)) continue;
    const enc: Enclosure = { url: encUrl };
    if (e.type) enc.type = cleanText(e.type, 100);
    if (e.length) enc.length = e.length;
    if (e.medium) enc.medium = cleanText(e.medium, 20);
    enclosures.push(enc);
    if (enclosures.length === LIMITS.enclosures) break;
  }
  return enclosures;
}

/** The entry's authors (else the feed's) as plain names, once each. */
function entryAuthors(entry: ParsedEntry, feed: ParsedFeed): string[] {
  const raw = entry.authors.length ? entry.authors : feed.authors;
  const names = raw.map((a) => {
    const { name, email } = splitAuthor(a);
    return cleanText(htmlToText(name ?? email ?? ''), LIMITS.author);
  });
  return unique(names.filter(Boolean)).slice(0, LIMITS.authors);
}

/** Category labels (else terms), once each whatever their case. */
function entryTags(entry: ParsedEntry): string[] {
  return unique(entry.categories.map((c) => cleanText(c.label ?? c.term, LIMITS.tag)).filter(Boolean), (t) => t.toLowerCase()).slice(0, LIMITS.tags);
}

/** What a reader sees: a change here under the same identity is an in-place update. */
function contentHashOf(item: ItemDraft): string {
  return hash64(JSON.stringify([item.title, item.url ?? '', item.summaryHtml ?? '', item.contentHtml ?? '', item.enclosures, item.image ?? '']));
}

/** Guid and link together name one item of a fetch: a feed that lists an item again gives both again. */
function listingKey(item: ItemDraft): string | undefined {
  return item.guid && item.url ? `${item.guid}\u0000${item.url}` : undefined;
}

/** An item listed again (say with a corrected body): the later listing, with the date the first one gave. */
function relisted(first: ItemDraft, later: ItemDraft): ItemDraft {
  // The first date keeps the item where it stood in the river: a correction is an update in place, not news.
  const item: ItemDraft = { ...later, publishedAt: first.publishedAt };
  if (first.dateGuessed) item.dateGuessed = true;
  else delete item.dateGuessed;
  if (item.updatedAt === item.publishedAt) delete item.updatedAt;
  return item;
}

/** ParsedFeed → NormalizedFeed: each entry normalized, empty ones dropped, one listed twice kept once; what went wrong as warnings. */
export function normalizeFeed(feed: ParsedFeed, options: NormalizeOptions): NormalizedFeed {
  const warnings = [...feed.warnings];
  const feedLink = feedLinkOf(feed, options);
  const meta: FeedMeta = { format: feed.format, version: feed.version };
  const title = plainText(feed.title, LIMITS.title);
  if (title) meta.title = title;
  if (feedLink) meta.link = feedLink;
  const description = plainText(feed.description, LIMITS.text);
  if (description) meta.description = description;
  const language = storedLanguage(feed.language);
  if (language) meta.language = language;
  const image = resolveUrl(feed.image, firstAbsolute(feed.base, feedLink, options.url), 'resource');
  if (image) meta.image = image;
  if (feed.ttlMinutes) meta.ttlMinutes = feed.ttlMinutes;
  if (feed.skipHours?.length) meta.skipHours = feed.skipHours;
  if (feed.skipDays?.length) meta.skipDays = feed.skipDays;
  const hub = resolveUrl(feed.hubUrl, options.url, 'resource');
  if (hub) meta.hubUrl = hub;
  const self = resolveUrl(feed.selfUrl, options.url, 'resource');
  if (self) meta.selfUrl = self;
  const items: ItemDraft[] = [];
  const listedAt = new Map<string, number>();
  let relistings = 0;
  for (const entry of feed.entries) {
    const item = normalizeEntry(entry, feed, options, warnings, feedLink);
    if (isEmptyItem(item)) {
      warnings.push('skipped an entry with no title, link, text or enclosure');
      continue;
    }
    // One item per guid and link, where it first stood, with what it said last (two river entries otherwise).
    const key = listingKey(item);
    const first = key === undefined ? undefined : listedAt.get(key);
    if (first !== undefined) {
      items[first] = relisted(items[first], item);
      relistings++;
      continue;
    }
    if (key !== undefined) listedAt.set(key, items.length);
    items.push(item);
    if (items.length === LIMITS.items) {
      warnings.push(`more than ${LIMITS.items} items; the rest were dropped`);
      break;
    }
  }
  if (relistings)
    warnings.push(`${relistings} item${relistings === 1 ? '' : 's'} listed again with the same guid and link: the later listing kept, where the first stood`);
  if (!feed.entries.length) warnings.push('the feed has no items');
  return { meta, items, warnings };
}
