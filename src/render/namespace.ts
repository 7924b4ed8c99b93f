// Our own XML namespace and its elements.
import type { SourceRef } from '../model';
import { attr, escapeXml } from './xml';

/** XML namespace of our own elements (extra attribution sources). A name, not a page to fetch. */
export const TRIBUTARY_NS = 'urn:tributary:feed:1';

/** Our element for one source that carried an item: its feed, site, its link, and its own id for the item. */
export function tributarySource(source: SourceRef): string {
  return `<tributary:source url="${escapeXml(source.feedUrl)}"${attr('site', source.siteUrl)}${attr('link', source.itemUrl)}${attr('item-id', source.itemGuid)}>${escapeXml(source.title)}</tributary:source>\n`;
}
