// River → RSS 2.0 (with atom, dc, content and media namespaces), built as one array joined once.

import type { RenderContext, River, RiverItem } from '../model';
import {
  enclosureMimeType,
  firstDate,
  idIsPermaLink,
  isImageEnclosure,
  itemAuthors,
  itemIds,
  itemLink,
  publishedDate,
  rfc822,
} from './fields';
import { TRIBUTARY_NS } from './namespace';
import { attr, cdataContent, escapeXml, languageTag, mediaType } from './xml';

export function renderRss(river: River, items: RiverItem[], ctx: RenderContext): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>\n',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"',
    ' xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/"',
    ` xmlns:tributary="${TRIBUTARY_NS}">\n<channel>\n`,
    `<title>${escapeXml(river.title)}</title>\n`,
    `<link>${escapeXml(ctx.htmlUrl)}</link>\n`,
    // <description> is required; the title stands in when the category has none.
    `<description>${escapeXml(river.description || river.title)}</description>\n`,
    `<atom:link rel="self" type="application/rss+xml" href="${escapeXml(ctx.selfUrl)}"/>\n`,
  ];
  if (ctx.websubHub) out.push(`<atom:link rel="hub" href="${escapeXml(ctx.websubHub)}"/>\n`);
  if (ctx.nextUrl) out.push(`<atom:link rel="next" type="application/rss+xml" href="${escapeXml(ctx.nextUrl)}"/>\n`);
  const language = languageTag(river.language);
  if (language) out.push(`<language>${escapeXml(language)}</language>\n`);
  out.push(
    `<lastBuildDate>${rfc822(firstDate(river.updatedAt))}</lastBuildDate>\n`,
    `<generator>${escapeXml(ctx.generator)}</generator>\n`,
    '<docs>https://www.rssboard.org/rss-specification</docs>\n',
    `<ttl>${Math.max(1, Math.round(ctx.ttlMinutes))}</ttl>\n`,
  );

  const ids = itemIds(items);
  for (let i = 0; i < items.length; i++) renderItem(out, river, items[i], ids[i]);
  out.push('</channel>\n</rss>\n');
  return out.join('');
}

function renderItem(out: string[], river: River, item: RiverItem, id: string): void {
  out.push('<item>\n');
  // RSS needs a title or a description; an untitled item keeps its description.
  if (item.title) out.push(`<title>${escapeXml(item.title)}</title>\n`);
  const link = itemLink(item);
  if (link) out.push(`<link>${escapeXml(link)}</link>\n`);
  out.push(`<guid isPermaLink="${idIsPermaLink(id)}">${escapeXml(id)}</guid>\n`);
  out.push(`<pubDate>${rfc822(publishedDate(item, river))}</pubDate>\n`);

  const description = item.summaryHtml || item.contentHtml;
  // HTML bodies go in CDATA: long markup is copied, not escaped character by character.
  if (description) out.push('<description><![CDATA[', cdataContent(description), ']]></description>\n');
  else if (!item.title) out.push('<description></description>\n');
  if (item.contentHtml && item.contentHtml !== description) {
    out.push('<content:encoded><![CDATA[', cdataContent(item.contentHtml), ']]></content:encoded>\n');
  }

  const authors = itemAuthors(item);
  if (authors.length > 0) out.push(`<dc:creator>${escapeXml(authors.join(', '))}</dc:creator>\n`);
  for (const tag of item.tags) if (tag) out.push(`<category>${escapeXml(tag)}</category>\n`);
  if (item.comments) out.push(`<comments>${escapeXml(item.comments)}</comments>\n`);
  const itemLanguage = languageTag(item.language);
  if (itemLanguage && itemLanguage !== languageTag(river.language)) {
    out.push(`<dc:language>${escapeXml(itemLanguage)}</dc:language>\n`);
  }

  // RSS allows one <enclosure> in practice (readers take the first); every file is also a media:content.
  const attachment = item.enclosures.find((e) => !isImageEnclosure(e));
  if (attachment) {
    out.push(
      `<enclosure url="${escapeXml(attachment.url)}" length="${attachment.length && attachment.length > 0 ? Math.floor(attachment.length) : 0}" type="${escapeXml(enclosureMimeType(attachment))}"/>\n`,
    );
  }
  for (const enclosure of item.enclosures) {
    out.push(
      `<media:content url="${escapeXml(enclosure.url)}"${attr('type', mediaType(enclosure.type))}${attr('medium', enclosure.medium)}${attr('fileSize', enclosure.length && enclosure.length > 0 ? Math.floor(enclosure.length) : undefined)}/>\n`,
    );
  }
  if (item.image) out.push(`<media:thumbnail url="${escapeXml(item.image)}"/>\n`);

  // Attribution: <source> names the primary feed; every other source that carried the story follows.
  const [primary, ...others] = item.sources;
  if (primary) out.push(`<source url="${escapeXml(primary.feedUrl)}">${escapeXml(primary.title)}</source>\n`);
  for (const source of others) {
    out.push(
      `<tributary:source url="${escapeXml(source.feedUrl)}"${attr('site', source.siteUrl)}${attr('link', source.itemUrl)}>${escapeXml(source.title)}</tributary:source>\n`,
    );
  }
  out.push('</item>\n');
}
