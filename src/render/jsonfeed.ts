// River → JSON Feed 1.1, with dedup attribution in the `_tributary` extension object of each item.

import type { RenderContext, River, RiverItem, SourceRef } from '../model';
import {
  enclosureMimeType,
  isImageEnclosure,
  itemAuthors,
  itemIds,
  itemLink,
  publishedDate,
  rfc3339,
  updatedDate,
} from './fields';
import { languageTag, stripInvalidXmlChars } from './xml';

interface JsonFeedAuthor {
  name: string;
  url?: string;
}

interface JsonFeedAttachment {
  url: string;
  mime_type: string;
  size_in_bytes?: number;
}

interface TributarySource {
  id: string;
  title: string;
  feed_url: string;
  home_page_url?: string;
  url?: string;
}

interface JsonFeedItem {
  id: string;
  url?: string;
  title?: string;
  content_html?: string;
  content_text?: string;
  summary?: string;
  image?: string;
  date_published: string;
  date_modified?: string;
  authors?: JsonFeedAuthor[];
  tags?: string[];
  language?: string;
  attachments?: JsonFeedAttachment[];
  _tributary: { sources: TributarySource[]; first_seen: string; comments?: string };
}

export function renderJsonFeed(river: River, items: RiverItem[], ctx: RenderContext): string {
  const ids = itemIds(items);
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: clean(river.title),
    home_page_url: ctx.htmlUrl,
    feed_url: ctx.selfUrl,
    ...(river.description ? { description: clean(river.description) } : {}),
    ...(ctx.nextUrl ? { next_url: ctx.nextUrl } : {}),
    authors: [{ name: clean(river.title), url: ctx.htmlUrl }],
    ...(languageTag(river.language) ? { language: languageTag(river.language) } : {}),
    ...(ctx.websubHub ? { hubs: [{ type: 'WebSub', url: ctx.websubHub }] } : {}),
    items: items.map((item, i) => jsonItem(river, item, ids[i])),
  };
  return JSON.stringify(feed);
}

/**
 * JSON escapes by itself, but NUL, lone surrogates and non-characters are not text a reader can use:
 * every string from feed data is cleaned as it is placed (a JSON.stringify replacer would be several times slower).
 */
const clean = stripInvalidXmlChars;

function jsonItem(river: River, item: RiverItem, id: string): JsonFeedItem {
  const published = publishedDate(item, river);
  const updated = updatedDate(item, published);
  const html = item.contentHtml || item.summaryHtml;
  const entry: JsonFeedItem = {
    id: clean(id),
    date_published: rfc3339(published),
    _tributary: { sources: item.sources.map(tributarySource), first_seen: item.firstSeenAt },
  };
  const link = itemLink(item);
  if (link) entry.url = clean(link);
  const title = clean(item.title);
  if (title) entry.title = title;
  // Every item needs content_html or content_text; an item with no body carries its title as text.
  if (html) entry.content_html = clean(html);
  else entry.content_text = title;
  if (item.image) entry.image = clean(item.image);
  if (updated.getTime() !== published.getTime()) entry.date_modified = rfc3339(updated);
  const authors = itemAuthors(item);
  if (authors.length > 0) entry.authors = authors.map((name) => ({ name: clean(name) }));
  const tags = item.tags.map(clean).filter((t) => t !== '');
  if (tags.length > 0) entry.tags = tags;
  const language = languageTag(item.language);
  if (language) entry.language = language;
  const attachments = item.enclosures
    .filter((e) => !(isImageEnclosure(e) && e.url === item.image))
    .map((e): JsonFeedAttachment => {
      const attachment: JsonFeedAttachment = { url: clean(e.url), mime_type: clean(enclosureMimeType(e)) };
      if (e.length && e.length > 0) attachment.size_in_bytes = Math.floor(e.length);
      return attachment;
    });
  if (attachments.length > 0) entry.attachments = attachments;
  if (item.comments) entry._tributary.comments = clean(item.comments);
  return entry;
}

function tributarySource(source: SourceRef): TributarySource {
  const out: TributarySource = { id: clean(source.id), title: clean(source.title), feed_url: clean(source.feedUrl) };
  if (source.siteUrl) out.home_page_url = clean(source.siteUrl);
  if (source.itemUrl) out.url = clean(source.itemUrl);
  return out;
}
