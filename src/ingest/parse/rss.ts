// RSS 0.90–0.94, 1.0 (RDF) and 2.0 → ParsedFeed.
import type { FeedFormat, ParsedCategory, ParsedEntry, ParsedFeed } from '../../model';
import {
  addAuthor,
  addEnclosure,
  enclosureOf,
  finishEntry,
  guessedText,
  htmlText,
  newEntry,
  positiveInt,
  rawInner,
  readEntryExtension,
  trimmed,
  withBase,
  type EntryDraft,
} from './common';
import { elements, namespaceKey, type XmlElement } from './xml';

/** Element namespaces that mean "core RSS" (none, RSS 1.0, RSS 0.90, or whatever default the <rss> root declares). */
let rootNs = '';
function isCore(el: XmlElement): boolean {
  return el.ns === '' || el.ns === 'rss10' || el.ns === 'rss09' || (el.ns === rootNs && el.ns !== 'rdf');
}

/** An atom:link in RSS, by rel; the first of each rel wins (RFC 4287 §4.2.7, https://www.rfc-editor.org/rfc/rfc4287#section-4.2.7). */
function readAtomLink(el: XmlElement, into: { self?: string; hub?: string; next?: string; alternate?: string }): void {
  const href = el.attrs.href?.trim();
  if (!href) return;
  const rel = (el.attrs.rel ?? 'alternate').trim().toLowerCase();
  if (rel === 'self') into.self ??= href;
  else if (rel === 'hub') into.hub ??= href;
  else if (rel === 'next') into.next ??= href;
  else if (rel === 'alternate') into.alternate ??= href;
}

/** One `<item>` (RSS 2.0 https://www.rssboard.org/rss-specification#hrelementsOfLtitemgt): core elements, atom ones, then the shared extensions. */
function readItem(item: XmlElement): ParsedEntry {
  const entry: EntryDraft = newEntry(item);
  const atomLinks: { alternate?: string } = {};
  // RDF items name their link in rdf:about too.
  const about = item.attrs['{rdf}about'];
  for (const el of elements(item)) {
    if (isCore(el)) readItemElement(el, entry);
    else if (el.ns === 'atom' || el.ns === 'atom03') readItemAtomElement(el, entry, atomLinks);
    else readEntryExtension(el, entry);
  }
  if (entry.link === undefined) entry.link = atomLinks.alternate ?? about?.trim();
  // rdf:about is the RSS 1.0 item's URI, its id (as feedparser reads it), whether or not a <link> repeats it.
  if (entry.id === undefined && about?.trim()) entry.id = about.trim();
  return finishEntry(entry);
}

/** A core RSS element of an item; the first of each wins. */
function readItemElement(el: XmlElement, entry: EntryDraft): void {
  switch (el.local) {
    case 'title':
      entry.title ??= guessedText(el);
      break;
    case 'link':
      entry.link ??= trimmed(el) ?? el.attrs.href?.trim();
      break;
    case 'description':
      entry.summary ??= htmlText(el);
      break;
    case 'guid':
      readGuid(el, entry);
      break;
    case 'pubDate':
    case 'pubdate':
      entry.published ??= trimmed(el);
      break;
    case 'lastBuildDate':
      entry.updated ??= trimmed(el);
      break;
    case 'author':
      addAuthor(entry.authors, trimmed(el));
      break;
    case 'category':
      readCategory(el, entry);
      break;
    case 'enclosure':
      addEnclosure(entry, enclosureOf(el.attrs.url, el.attrs.type, el.attrs.length));
      break;
    case 'comments':
      entry.comments ??= trimmed(el);
      break;
    case 'body': {
      // <body> in an item is inline XHTML (feedparser reads it as content).
      const value = rawInner(el).trim();
      if (value) entry.content ??= withBase({ value, type: 'html' }, el);
      break;
    }
    case 'fullitem':
      entry.content ??= htmlText(el);
      break;
    case 'source':
      entry.sourceTitle ??= trimmed(el);
      entry.sourceUrl ??= el.attrs.url?.trim();
      break;
  }
}

/** `<guid>`: the item's id, a permalink unless isPermaLink says otherwise (RSS 2.0 https://www.rssboard.org/rss-specification#ltguidgtSubelementOfLtitemgt). */
function readGuid(el: XmlElement, entry: EntryDraft): void {
  const id = trimmed(el);
  if (!id || entry.id !== undefined) return;
  entry.id = id;
  const perma = el.attrs.isPermaLink?.trim().toLowerCase();
  entry.idIsPermaLink = perma === undefined ? true : perma === 'true';
}

/** `<category>`, its domain as the scheme (RSS 2.0 https://www.rssboard.org/rss-specification#ltcategorygtSubelementOfLtitemgt). */
function readCategory(el: XmlElement, entry: EntryDraft): void {
  const term = trimmed(el);
  if (!term) return;
  const cat: ParsedCategory = { term };
  const domain = el.attrs.domain?.trim();
  if (domain) cat.scheme = domain;
  entry.categories.push(cat);
}

/** An Atom element inside an RSS item: links (an enclosure link is an enclosure), text, dates, id, author. */
function readItemAtomElement(el: XmlElement, entry: EntryDraft, atomLinks: { alternate?: string }): void {
  if (el.local === 'link') {
    const rel = (el.attrs.rel ?? 'alternate').toLowerCase();
    if (rel === 'enclosure') addEnclosure(entry, enclosureOf(el.attrs.href, el.attrs.type, el.attrs.length));
    else readAtomLink(el, atomLinks);
  } else if (el.local === 'summary') entry.summary ??= htmlText(el);
  else if (el.local === 'content') entry.content ??= htmlText(el);
  else if (el.local === 'updated') entry.updated ??= trimmed(el);
  else if (el.local === 'published') entry.published ??= trimmed(el);
  else if (el.local === 'id') entry.id ??= trimmed(el);
  else if (el.local === 'author') {
    const name = trimmed(elements(el).find((c) => c.local === 'name'));
    if (name) entry.authors.push(name);
  }
}

/**
 * The items under `parent`, in document order; an item illegally nested in another counts as one of its own (as
 * feedparser and browsers' feed readers take it), not as part of the outer one.
 */
function collectItems(parent: XmlElement, out: XmlElement[], isItem = false): void {
  if (isItem) out.push(parent);
  for (const el of elements(parent)) if (el.local === 'item' && isCore(el)) collectItems(el, out, true);
}

/** Where a document keeps its channel and items, and which RSS it is. */
interface RssLayout {
  format: FeedFormat;
  version: string;
  channel?: XmlElement;
  itemParent?: XmlElement;
}

/** RSS 1.0 and 0.90 (rdf:RDF: items beside the channel), a bare `<channel>`, or `<rss>` with items in its channel. */
function rssLayout(root: XmlElement): RssLayout {
  if (root.local === 'RDF') {
    const rss09 = root.attrs.xmlns !== undefined && namespaceKey(root.attrs.xmlns) === 'rss09';
    const version = rss09 || root.children.some((c) => typeof c !== 'string' && c.ns === 'rss09') ? '0.90' : '1.0';
    return { format: 'rdf', version, channel: elements(root).find((c) => c.local === 'channel'), itemParent: root };
  }
  const version = root.attrs.version?.trim() || '';
  if (root.local === 'channel') return { format: 'rss', version, channel: root, itemParent: root };
  const channel = elements(root).find((c) => c.local === 'channel' && isCore(c));
  return { format: 'rss', version, channel, itemParent: channel };
}

/** The feed's links from atom:link in the channel (RFC 5005 paging's next, WebSub's hub, self). */
type ChannelLinks = { self?: string; hub?: string; next?: string; alternate?: string };

/** Reads an RSS document whose root is `rss`, `rdf:RDF` or a bare `channel` (RSS 2.0, https://www.rssboard.org/rss-specification). */
export function parseRss(root: XmlElement, warnings: string[]): ParsedFeed {
  rootNs = root.ns;
  const { format, version, channel, itemParent } = rssLayout(root);
  const feed: ParsedFeed = { format, version, authors: [], entries: [], warnings };
  if (root.base || channel?.base) feed.base = channel?.base ?? root.base;
  if (root.lang || channel?.lang) feed.language = channel?.lang ?? root.lang;
  const links: ChannelLinks = {};
  if (channel) for (const el of elements(channel)) if (el.local !== 'item') readChannelChild(el, feed, links);
  if (root.local === 'RDF') {
    // RSS 1.0: image and textinput are siblings of the channel.
    for (const el of elements(root)) if (el.local === 'image' && isCore(el)) readChannelChild(el, feed, links);
  }
  feed.selfUrl = links.self;
  feed.hubUrl = links.hub;
  feed.nextUrl = links.next;
  if (!feed.link && links.alternate) feed.link = links.alternate;
  const items: XmlElement[] = [];
  if (itemParent) collectItems(itemParent, items);
  // Some RSS 2.0 feeds put items after </channel>, directly under <rss>.
  if (root.local === 'rss') for (const el of elements(root)) if (el.local === 'item' && isCore(el)) collectItems(el, items, true);
  for (const item of items) feed.entries.push(readItem(item));
  for (const key of ['selfUrl', 'hubUrl', 'nextUrl'] as const) if (feed[key] === undefined) delete feed[key];
  return feed;
}

/** One child of the channel: a core element, or an atom, Dublin Core or iTunes one. */
function readChannelChild(el: XmlElement, feed: ParsedFeed, links: ChannelLinks): void {
  if (isCore(el)) readChannelElement(el, feed);
  else if (el.ns === 'atom' || el.ns === 'atom03') {
    if (el.local === 'link') readAtomLink(el, links);
  } else if (el.ns === 'dc' || el.ns === 'dcterms') readChannelDublinCore(el, feed);
  else if (el.ns === 'itunes') {
    if (el.local === 'image') feed.image ??= el.attrs.href?.trim() || undefined;
    else if (el.local === 'author' && !feed.authors.length) {
      const name = trimmed(el);
      if (name) feed.authors.push(name);
    } else if ((el.local === 'summary' || el.local === 'subtitle') && !feed.description) feed.description = guessedText(el);
  }
}

/** A core channel element (RSS 2.0 https://www.rssboard.org/rss-specification#requiredChannelElements and the optional ones). */
function readChannelElement(el: XmlElement, feed: ParsedFeed): void {
  switch (el.local) {
    case 'title':
      feed.title ??= guessedText(el);
      break;
    case 'link':
      feed.link ??= trimmed(el) ?? el.attrs.href?.trim();
      break;
    case 'description':
      feed.description ??= htmlText(el);
      break;
    case 'language':
      feed.language = trimmed(el) ?? feed.language;
      break;
    case 'image': {
      const url = trimmed(elements(el).find((c) => c.local === 'url')) ?? el.attrs['{rdf}resource'];
      if (url) feed.image ??= url;
      break;
    }
    case 'lastBuildDate':
    case 'pubDate':
      feed.updated ??= trimmed(el);
      break;
    case 'managingEditor':
    case 'author':
      addAuthor(feed.authors, trimmed(el));
      break;
    case 'ttl': {
      const ttl = positiveInt(trimmed(el));
      if (ttl) feed.ttlMinutes = ttl;
      break;
    }
    case 'skipHours':
      feed.skipHours = elements(el)
        .map((h) => positiveInt(trimmed(h)))
        .filter((h): h is number => h !== undefined && h < 24);
      break;
    case 'skipDays':
      feed.skipDays = elements(el)
        .map((d) => trimmed(d))
        .filter((d): d is string => !!d);
      break;
  }
}

/** Dublin Core in the channel: language, date, creators, and title and description when the core ones are missing. */
function readChannelDublinCore(el: XmlElement, feed: ParsedFeed): void {
  if (el.local === 'language') feed.language = trimmed(el) ?? feed.language;
  else if (el.local === 'date' || el.local === 'modified') feed.updated ??= trimmed(el);
  else if (el.local === 'creator' || el.local === 'author') addAuthor(feed.authors, trimmed(el));
  else if (el.local === 'title') feed.title ??= guessedText(el);
  else if (el.local === 'description') feed.description ??= htmlText(el);
}
