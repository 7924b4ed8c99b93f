// River → Atom 1.0 (RFC 4287), with RFC 5005 next links and WebSub hub; one array joined once.

import type { RenderContext, River, RiverItem, SourceRef } from '../model';
import { languageTag } from '../patterns';
import { firstInstant, itemAuthors, itemIds, itemLink, publishedInstant, updatedInstant } from './fields';
import { TRIBUTARY_NS, tributarySource } from './namespace';
import { attr, cdataContent, escapeXml, languageTagger, mediaType } from './xml';

/** A river page as Atom 1.0 (https://www.rfc-editor.org/rfc/rfc4287#section-4.1.1), paged by rel="next" (https://www.rfc-editor.org/rfc/rfc5005#section-3). */
export function renderAtom(river: River, items: RiverItem[], ctx: RenderContext): string {
  const feedLanguage = languageTag(river.language);
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>\n',
    `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xmlns:tributary="${TRIBUTARY_NS}"${attr('xml:lang', feedLanguage)}>\n`,
    // The id names the feed, not the page: every page of a paged feed shares it (RFC 5005).
    `<id>${escapeXml(`${ctx.baseUrl}/feeds/${river.slug}.atom`)}</id>\n`,
    `<title type="text">${escapeXml(river.title)}</title>\n`,
  ];
  if (river.description) out.push(`<subtitle type="text">${escapeXml(river.description)}</subtitle>\n`);
  out.push(
    `<updated>${firstInstant(river.updatedAt)}</updated>\n`,
    `<link rel="self" type="application/atom+xml" href="${escapeXml(ctx.selfUrl)}"/>\n`,
    `<link rel="alternate" type="text/html" href="${escapeXml(ctx.htmlUrl)}"/>\n`,
  );
  if (ctx.nextUrl) out.push(`<link rel="next" type="application/atom+xml" href="${escapeXml(ctx.nextUrl)}"/>\n`);
  if (ctx.websubHub) out.push(`<link rel="hub" href="${escapeXml(ctx.websubHub)}"/>\n`);
  // A feed-level author keeps an empty river valid; entries always name their own.
  out.push(
    `<author><name>${escapeXml(river.title)}</name><uri>${escapeXml(ctx.htmlUrl)}</uri></author>\n`,
    `<generator>${escapeXml(ctx.generator)}</generator>\n`,
  );

  const ids = itemIds(items);
  const entryLanguageTag = languageTagger();
  for (let i = 0; i < items.length; i++) renderEntry(out, river, items[i], ids[i], feedLanguage, entryLanguageTag);
  out.push('</feed>\n');
  return out.join('');
}

function renderEntry(
  out: string[],
  river: River,
  item: RiverItem,
  id: string,
  feedLanguage: string | undefined,
  entryLanguageTag: (value: string | undefined) => string | undefined,
): void {
  const language = entryLanguageTag(item.language);
  out.push(`<entry${language && language !== feedLanguage ? attr('xml:lang', language) : ''}>\n`);
  const published = publishedInstant(item, river);
  // <updated> is required and may carry the first-seen time; <published> is only a date the source gave.
  out.push(`<id>${escapeXml(id)}</id>\n`, `<title type="text">${escapeXml(item.title)}</title>\n`, `<updated>${updatedInstant(item, published)}</updated>\n`);
  if (!item.dateGuessed) out.push(`<published>${published}</published>\n`);
  const link = itemLink(item);
  if (link) out.push(`<link rel="alternate" type="text/html" href="${escapeXml(link)}"/>\n`);
  if (item.comments) out.push(`<link rel="replies" type="text/html" href="${escapeXml(item.comments)}"/>\n`);
  for (const author of itemAuthors(item)) out.push(`<author><name>${escapeXml(author)}</name></author>\n`);
  for (const tag of item.tags) if (tag) out.push(`<category term="${escapeXml(tag)}"/>\n`);

  for (const enclosure of item.enclosures) {
    out.push(
      `<link rel="enclosure" href="${escapeXml(enclosure.url)}"${attr('type', mediaType(enclosure.type))}${attr('length', enclosure.length && enclosure.length > 0 ? Math.floor(enclosure.length) : undefined)}/>\n`,
    );
  }
  if (item.image) out.push(`<media:thumbnail url="${escapeXml(item.image)}"/>\n`);

  // type="html" with the markup in CDATA: the same text as escaped HTML to any XML parser, without escaping it.
  if (item.summaryHtml) out.push('<summary type="html"><![CDATA[', cdataContent(item.summaryHtml), ']]></summary>\n');
  // Without an alternate link an entry must carry content (RFC 4287 4.1.1.1), so it is never left out then.
  if (item.contentHtml || !link) {
    out.push('<content type="html"><![CDATA[', cdataContent(item.contentHtml || item.summaryHtml || ''), ']]></content>\n');
  }

  const sources = item.sources;
  if (sources.length > 0) renderSource(out, sources[0]);
  // The other sources that carried the story: rel="via" for readers, our element for the full record.
  if (sources[0]?.itemGuid) out.push(tributarySource(sources[0]));
  for (let k = 1; k < sources.length; k++) {
    const source = sources[k];
    const href = source.itemUrl || source.siteUrl || source.feedUrl;
    out.push(`<link rel="via" href="${escapeXml(href)}" title="${escapeXml(source.title)}"/>\n`, tributarySource(source));
  }
  out.push('</entry>\n');
}

/** Atom <source>: the original feed's id, title and links, so the entry keeps its provenance when copied. */
function renderSource(out: string[], source: SourceRef): void {
  out.push(
    '<source>',
    `<id>${escapeXml(source.feedUrl)}</id>`,
    `<title type="text">${escapeXml(source.title)}</title>`,
    `<link rel="self" href="${escapeXml(source.feedUrl)}"/>`,
  );
  if (source.siteUrl) out.push(`<link rel="alternate" type="text/html" href="${escapeXml(source.siteUrl)}"/>`);
  out.push('</source>\n');
}
