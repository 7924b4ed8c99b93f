// River → JSON Feed 1.1, with dedup attribution in the `_tributary` extension object of each item.
//
// Written as text, piece by piece, in the key order below: the same document JSON.stringify would give for these
// objects, without building them (stringify escapes long Thai/Vietnamese bodies character by character; here a body
// is checked by one native scan and its quotes escaped by one native replace).
//   feed: version, title, home_page_url, feed_url, description?, next_url?, authors, language?, hubs?, items
//   item: id, date_published (when the source gave one), _tributary {sources [{id, title, feed_url, home_page_url?, url?, item_id?}], first_seen, comments?},
//         url?, title?, content_html | content_text, image?, date_modified?, authors? [{name}], tags?, language?,
//         attachments? [{url, mime_type, size_in_bytes?}]

import type { RenderContext, River, RiverItem, SourceRef } from '../model';
import { languageTag } from '../patterns';
import { enclosureMimeType, itemAuthors, itemIds, itemLink, publishedInstant, updatedInstant } from './fields';
import { bodyNeedsStrip, languageTagger, stripInvalidXmlChars } from './xml';

/** What a short string needs done besides quoting: JSON escapes, or characters that are not text a reader can use. */
const STRING_NEEDS_WORK = /["\\\u0000-\u001F\u007F-\u009F\uD800-\uDFFF\uFFFE\uFFFF]/;

/**
 * A JSON string literal of `text` minus what XML forbids and C1 controls (NUL, lone surrogates and non-characters are
 * not text a reader can use): exactly JSON.stringify(stripInvalidXmlChars(text)), most strings only quoted.
 */
export function jsonString(text: string): string {
  return STRING_NEEDS_WORK.test(text) ? JSON.stringify(stripInvalidXmlChars(text)) : `"${text}"`;
}

/** In a body, what is neither plain text nor a quote or LF: backslash, other C0 controls, surrogates. */
const HTML_NEEDS_WORK = /[\\\u0000-\u0009\u000B-\u001F\uD800-\uDFFF]/;

/**
 * jsonString for long HTML: markup is full of quotes, so the usual body (no backslash, control or surrogate) has its
 * quotes and line feeds escaped natively instead of going through JSON.stringify; anything else takes the exact path.
 * Relies on the same ingest invariant as bodyNeedsStrip (C1 controls already mapped).
 */
function jsonHtml(html: string): string {
  if (bodyNeedsStrip(html, HTML_NEEDS_WORK)) return jsonString(html);
  const quoted = html.replaceAll('"', '\\"');
  return `"${quoted.includes('\n') ? quoted.replaceAll('\n', '\\n') : quoted}"`;
}

/** A river page as a JSON Feed 1.1 document (https://www.jsonfeed.org/version/1.1/), paged by next_url, attribution in `_tributary`. */
export function renderJsonFeed(river: River, items: RiverItem[], ctx: RenderContext): string {
  const title = jsonString(river.title);
  const homePage = jsonString(ctx.htmlUrl);
  // One string grown by `+=`: V8 keeps it as a rope and flattens it once, where the Response encodes it (as it does
  // JSON.stringify's own output).
  let json = `{"version":"https://jsonfeed.org/version/1.1","title":${title},"home_page_url":${homePage},"feed_url":${jsonString(ctx.selfUrl)}`;
  if (river.description) json += `,"description":${jsonString(river.description)}`;
  if (ctx.nextUrl) json += `,"next_url":${jsonString(ctx.nextUrl)}`;
  json += `,"authors":[{"name":${title},"url":${homePage}}]`;
  const language = languageTag(river.language);
  if (language) json += `,"language":"${language}"`;
  if (ctx.websubHub) json += `,"hubs":[{"type":"WebSub","url":${jsonString(ctx.websubHub)}}]`;
  json += ',"items":[';
  const ids = itemIds(items);
  const sources = sourceWriter();
  const itemLanguageTag = languageTagger();
  for (let i = 0; i < items.length; i++) {
    if (i > 0) json += ',';
    json += renderItem(river, items[i], ids[i], sources, itemLanguageTag);
  }
  return `${json}]}`;
}

function renderItem(
  river: River,
  item: RiverItem,
  id: string,
  sourceJson: (source: SourceRef, link: string | undefined, linkJson: string) => string,
  itemLanguageTag: (value: string | undefined) => string | undefined,
): string {
  // Dates and language tags are ours (digits, letters, '-', ':', '.'): quoted as they are.
  const published = publishedInstant(item, river);
  const link = itemLink(item);
  const linkJson = link ? jsonString(link) : '';
  // A date the source never gave is no publication date: it is left out (the river still orders by first sight).
  let json = item.dateGuessed
    ? `{"id":${jsonString(id)},"_tributary":{"sources":[`
    : `{"id":${jsonString(id)},"date_published":"${published}","_tributary":{"sources":[`;
  for (let k = 0; k < item.sources.length; k++) {
    const source = sourceJson(item.sources[k], link, linkJson);
    json += k > 0 ? `,${source}` : source;
  }
  json += ']';
  if (typeof item.firstSeenAt === 'string') json += `,"first_seen":${jsonString(item.firstSeenAt)}`;
  if (item.comments) json += `,"comments":${jsonString(item.comments)}`;
  json += '}';

  if (link) json += `,"url":${linkJson}`;
  const title = jsonString(item.title);
  if (title !== '""') json += `,"title":${title}`;
  // Every item needs content_html or content_text; an item with no body carries its title as text.
  const html = item.contentHtml || item.summaryHtml;
  json += html ? `,"content_html":${jsonHtml(html)}` : `,"content_text":${title}`;
  if (item.image) json += `,"image":${jsonString(item.image)}`;
  const updated = updatedInstant(item, published);
  if (updated !== published && !item.dateGuessed) json += `,"date_modified":"${updated}"`;

  const authors = itemAuthors(item);
  for (let k = 0; k < authors.length; k++) json += `${k === 0 ? ',"authors":[' : ','}{"name":${jsonString(authors[k])}}`;
  if (authors.length > 0) json += ']';
  let tags = 0;
  for (const tag of item.tags) {
    const value = tag ? jsonString(tag) : '""';
    if (value === '""') continue; // empty, or nothing left once cleaned
    json += (tags++ === 0 ? ',"tags":[' : ',') + value;
  }
  if (tags > 0) json += ']';
  const language = itemLanguageTag(item.language);
  if (language) json += `,"language":"${language}"`;

  let attachments = 0;
  // Every file the source attached stays an attachment, an image used as the item's image too.
  for (const enclosure of item.enclosures) {
    json += `${attachments++ === 0 ? ',"attachments":[' : ','}{"url":${jsonString(enclosure.url)},"mime_type":${jsonString(enclosureMimeType(enclosure))}`;
    if (enclosure.length && enclosure.length > 0 && Number.isFinite(enclosure.length)) json += `,"size_in_bytes":${Math.floor(enclosure.length)}`;
    json += '}';
  }
  if (attachments > 0) json += ']';
  return `${json}}`;
}

/**
 * A source's `_tributary.sources` entry. A river has a handful of sources repeated on every item: the part they share
 * is written once per render, only the item's own link is added each time.
 */
function sourceWriter(): (source: SourceRef, link: string | undefined, linkJson: string) => string {
  const written = new Map<string, { title: string; feedUrl: string; siteUrl: string | undefined; json: string }>();
  return (source, link, linkJson) => {
    let known = written.get(source.id);
    if (!known || known.title !== source.title || known.feedUrl !== source.feedUrl || known.siteUrl !== source.siteUrl) {
      let json = `{"id":${jsonString(source.id)},"title":${jsonString(source.title)},"feed_url":${jsonString(source.feedUrl)}`;
      if (source.siteUrl) json += `,"home_page_url":${jsonString(source.siteUrl)}`;
      known = { title: source.title, feedUrl: source.feedUrl, siteUrl: source.siteUrl, json };
      written.set(source.id, known);
    }
    const itemId = source.itemGuid ? `,"item_id":${jsonString(source.itemGuid)}` : '';
    if (!source.itemUrl) return `${known.json}${itemId}}`;
    // The primary source's link is usually the item's own.
    return `${known.json},"url":${source.itemUrl === link ? linkJson : jsonString(source.itemUrl)}${itemId}}`;
  };
}
