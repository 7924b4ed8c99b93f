// River → RSS 2.0 (with atom, dc, content and media namespaces), built as one array joined once.

import type { Enclosure, RenderContext, River, RiverItem, SourceRef } from '../model';
import { languageTag } from '../patterns';
import {
  enclosureMimeType,
  firstInstant,
  idIsPermaLink,
  isImageEnclosure,
  itemAuthors,
  itemIds,
  itemLink,
  publishedInstant,
  rfc822Of,
  rfc822Writer,
} from './fields';
import { TRIBUTARY_NS, tributarySource } from './namespace';
import { attr, cdataContent, escapeXml, languageTagger, mediaType } from './xml';

/** A river page as an RSS 2.0 channel (https://www.rssboard.org/rss-specification#requiredChannelElements), paged by atom:link rel="next" (RFC 5005 §3). */
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
    `<lastBuildDate>${rfc822Of(firstInstant(river.updatedAt))}</lastBuildDate>\n`,
    `<generator>${escapeXml(ctx.generator)}</generator>\n`,
    '<docs>https://www.rssboard.org/rss-specification</docs>\n',
    `<ttl>${Math.max(1, Math.round(ctx.ttlMinutes))}</ttl>\n`,
  );

  const ids = itemIds(items);
  const shared: PerRender = { river, feedLanguage: language, itemLanguageTag: languageTagger(), sourceElement: sourceElementWriter(), rfc822: rfc822Writer() };
  for (let i = 0; i < items.length; i++) renderItem(out, shared, items[i], ids[i]);
  out.push('</channel>\n</rss>\n');
  return out.join('');
}

/** What every item of one render shares. */
interface PerRender {
  river: River;
  feedLanguage: string | undefined;
  itemLanguageTag: (value: string | undefined) => string | undefined;
  sourceElement: (source: SourceRef) => string;
  rfc822: (rfc3339: string) => string;
}

function renderItem(out: string[], { river, feedLanguage, itemLanguageTag, sourceElement, rfc822 }: PerRender, item: RiverItem, id: string): void {
  // The markup between bodies is grown as one string and pushed whole: a few pieces per item keep the join cheap.
  // RSS needs a title or a description; an untitled item keeps its description.
  let xml = item.title ? `<item>\n<title>${escapeXml(item.title)}</title>\n` : '<item>\n';
  const link = itemLink(item);
  if (link) xml += `<link>${escapeXml(link)}</link>\n`;
  xml += `<guid isPermaLink="${idIsPermaLink(id, item)}">${escapeXml(id)}</guid>\n`;
  // A date the source never gave is no publication date: no <pubDate> (the river still orders by first sight).
  if (!item.dateGuessed) xml += `<pubDate>${rfc822(publishedInstant(item, river))}</pubDate>\n`;

  const description = item.summaryHtml || item.contentHtml;
  // HTML bodies go in CDATA: long markup is copied, not escaped character by character.
  if (description) {
    out.push(`${xml}<description><![CDATA[`, cdataContent(description));
    xml = ']]></description>\n';
  } else if (!item.title) xml += '<description></description>\n';
  if (item.contentHtml && item.contentHtml !== description) {
    out.push(`${xml}<content:encoded><![CDATA[`, cdataContent(item.contentHtml));
    xml = ']]></content:encoded>\n';
  }

  const authors = itemAuthors(item);
  if (authors.length > 0) xml += `<dc:creator>${escapeXml(authors.join(', '))}</dc:creator>\n`;
  for (const tag of item.tags) if (tag) xml += `<category>${escapeXml(tag)}</category>\n`;
  if (item.comments) xml += `<comments>${escapeXml(item.comments)}</comments>\n`;
  const itemLanguage = itemLanguageTag(item.language);
  if (itemLanguage && itemLanguage !== feedLanguage) xml += `<dc:language>${escapeXml(itemLanguage)}</dc:language>\n`;

  // RSS allows one <enclosure> in practice (readers take the first): the first file that is not an image, else the
  // first image; every file is also a media:content.
  let attachment: Enclosure | undefined = item.enclosures[0];
  for (const enclosure of item.enclosures) {
    if (!isImageEnclosure(enclosure)) {
      attachment = enclosure;
      break;
    }
  }
  if (attachment) {
    xml += `<enclosure url="${escapeXml(attachment.url)}" length="${attachment.length && attachment.length > 0 ? Math.floor(attachment.length) : 0}" type="${escapeXml(enclosureMimeType(attachment))}"/>\n`;
  }
  for (const enclosure of item.enclosures) {
    xml += `<media:content url="${escapeXml(enclosure.url)}"${attr('type', mediaType(enclosure.type))}${attr('medium', enclosure.medium)}${attr('fileSize', enclosure.length && enclosure.length > 0 ? Math.floor(enclosure.length) : undefined)}/>\n`;
  }
  if (item.image) xml += `<media:thumbnail url="${escapeXml(item.image)}"/>\n`;

  // Attribution: <source> names the primary feed; every other source that carried the story follows, and so does
  // the primary when it gave its item an id of its own (readers that also take that source match it by that id).
  const sources = item.sources;
  if (sources.length > 0) xml += sourceElement(sources[0]);
  for (let k = 0; k < sources.length; k++) if (k > 0 || sources[k].itemGuid) xml += tributarySource(sources[k]);
  out.push(`${xml}</item>\n`);
}

/** `<source>` for a primary source: a river has a handful of sources, each element is written once per render. */
function sourceElementWriter(): (source: SourceRef) => string {
  const written = new Map<string, { title: string; element: string }>();
  return (source) => {
    const known = written.get(source.feedUrl);
    if (known && known.title === source.title) return known.element;
    const element = `<source url="${escapeXml(source.feedUrl)}">${escapeXml(source.title)}</source>\n`;
    written.set(source.feedUrl, { title: source.title, element });
    return element;
  };
}
