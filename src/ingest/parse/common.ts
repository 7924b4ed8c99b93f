// Namespace extensions that RSS and Atom entries share (Dublin Core, Media RSS, iTunes, Feedburner,
// atom:link inside RSS), read into the same ParsedEntry fields.
import type { ParsedEnclosure, ParsedEntry, ParsedText } from '../../model';
import { looksLikeHtml } from '../html';
import { elements, textOf, type XmlElement } from './xml';

/** An element's text, trimmed; undefined for no element or no text. */
export function trimmed(el: XmlElement | undefined): string | undefined {
  if (!el) return undefined;
  const t = textOf(el).trim();
  return t === '' ? undefined : t;
}

/** Plain text that may be HTML in disguise (RSS gives no type): feedparser's guess. */
export function guessedText(el: XmlElement | undefined): ParsedText | undefined {
  if (el && hasElementChildren(el)) return htmlText(el);
  const value = trimmed(el);
  if (value === undefined) return undefined;
  return withBase({ value, type: looksLikeHtml(value) ? 'html' : 'text' }, el!);
}

/** An HTML field; markup written unescaped inside it (a common mistake) is kept as markup. */
export function htmlText(el: XmlElement | undefined): ParsedText | undefined {
  if (!el) return undefined;
  const value = hasElementChildren(el) ? rawInner(el).trim() : trimmed(el);
  return value ? withBase({ value, type: 'html' }, el) : undefined;
}

function hasElementChildren(el: XmlElement): boolean {
  return el.children.some((c) => typeof c !== 'string');
}

/** ParsedText carries the xml:base and xml:lang in scope where it stood. */
export function withBase(text: ParsedText, el: XmlElement): ParsedText {
  if (el.base) text.base = el.base;
  if (el.lang) text.lang = el.lang;
  return text;
}

/** A whole number ≥ 0 written in `value` (spaces around it allowed), else undefined. */
export function positiveInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) && n >= 0 && Number.isInteger(n) ? n : undefined;
}

function mediumOf(type: string | undefined, medium: string | undefined): string | undefined {
  if (medium) return medium.toLowerCase();
  const major = type?.split('/')[0]?.toLowerCase();
  return major === 'image' || major === 'audio' || major === 'video' ? major : undefined;
}

/** An enclosure from its url, type and length (RSS 2.0 https://www.rssboard.org/rss-specification#ltenclosuregtSubelementOfLtitemgt); undefined without a url. */
export function enclosureOf(url: string | undefined, type: string | undefined, length: string | undefined, medium?: string): ParsedEnclosure | undefined {
  const u = url?.trim();
  if (!u) return undefined;
  const enc: ParsedEnclosure = { url: u };
  const t = type?.trim();
  if (t) enc.type = t;
  const l = positiveInt(length);
  if (l !== undefined && l > 0) enc.length = l;
  const m = mediumOf(t, medium?.trim());
  if (m) enc.medium = m;
  return enc;
}

/** An entry being read: ParsedEntry plus the fallbacks that only decide precedence at the end. */
export interface EntryDraft extends ParsedEntry {
  created?: string;
  mediaDescription?: ParsedText;
  mediaTitle?: string;
  mediaCredit?: string;
  itunesAuthor?: string;
  itunesSummary?: ParsedText;
  dcIdentifier?: string;
  dcTitle?: string;
  dcDescription?: string;
  commentsFeed?: string;
}

/** An empty draft for the entry `el`, with the xml:base and xml:lang in scope there. */
export function newEntry(el: XmlElement): EntryDraft {
  const entry: EntryDraft = { authors: [], categories: [], enclosures: [] };
  if (el.base) entry.base = el.base;
  if (el.lang) entry.language = el.lang;
  return entry;
}

/** Adds `name` to `authors` unless it is empty or already listed. */
export function addAuthor(authors: string[], name: string | undefined): void {
  if (name && !authors.includes(name)) authors.push(name);
}

/** Adds `enc` to the entry unless one with its URL is listed already (feeds repeat one as enclosure and media:content). */
export function addEnclosure(entry: ParsedEntry, enc: ParsedEnclosure | undefined): void {
  if (enc && !entry.enclosures.some((e) => e.url === enc.url)) entry.enclosures.push(enc);
}

/** Applies the fallbacks (itunes/media/dc) and returns a plain ParsedEntry. */
export function finishEntry(d: EntryDraft): ParsedEntry {
  const e: ParsedEntry = { authors: d.authors, categories: d.categories, enclosures: d.enclosures };
  if (!e.authors.length) {
    const fallback = d.itunesAuthor ?? d.mediaCredit;
    if (fallback) e.authors.push(fallback);
  }
  const id = d.id ?? d.dcIdentifier;
  if (id !== undefined) e.id = id;
  if (d.idIsPermaLink !== undefined) e.idIsPermaLink = d.idIsPermaLink;
  const title =
    d.title ??
    (d.dcTitle ? { value: d.dcTitle, type: 'text' as const } : undefined) ??
    (d.mediaTitle ? { value: d.mediaTitle, type: 'text' as const } : undefined);
  if (title) e.title = title;
  const summary = d.summary ?? (d.dcDescription ? { value: d.dcDescription, type: 'html' as const } : undefined) ?? d.itunesSummary ?? d.mediaDescription;
  if (summary) e.summary = summary;
  if (d.content) e.content = d.content;
  const published = d.published ?? d.created;
  if (published) e.published = published;
  if (d.updated) e.updated = d.updated;
  const comments = d.comments;
  if (comments) e.comments = comments;
  for (const key of ['link', 'origLink', 'image', 'language', 'base', 'sourceTitle', 'sourceUrl', 'duration'] as const) {
    const v = d[key];
    if (v !== undefined) e[key] = v;
  }
  if (d.explicit !== undefined) e.explicit = d.explicit;
  return e;
}

/** Media RSS `media:content` (also inside `media:group`; https://www.rssboard.org/media-rss#media-content). */
function mediaContent(el: XmlElement, entry: EntryDraft): void {
  const enc = enclosureOf(el.attrs.url, el.attrs.type, el.attrs.fileSize, el.attrs.medium);
  if (!enc) return;
  const w = positiveInt(el.attrs.width);
  const h = positiveInt(el.attrs.height);
  if (w) enc.width = w;
  if (h) enc.height = h;
  addEnclosure(entry, enc);
  for (const child of elements(el)) if (child.ns === 'media') mediaChild(child, entry);
}

/** One Media RSS element of an entry (https://www.rssboard.org/media-rss): enclosures, thumbnail, and fallbacks. */
function mediaChild(el: XmlElement, entry: EntryDraft): void {
  switch (el.local) {
    case 'content':
      mediaContent(el, entry);
      break;
    case 'group':
      for (const child of elements(el)) if (child.ns === 'media') mediaChild(child, entry);
      break;
    case 'thumbnail':
      entry.image ??= el.attrs.url?.trim() || undefined;
      break;
    case 'description':
      if (!entry.mediaDescription) {
        const value = trimmed(el);
        if (value) entry.mediaDescription = withBase({ value, type: el.attrs.type === 'html' ? 'html' : 'text' }, el);
      }
      break;
    case 'title':
      if (!entry.mediaTitle) entry.mediaTitle = trimmed(el);
      break;
    case 'category': {
      const term = trimmed(el);
      if (term) entry.categories.push({ term, scheme: el.attrs.scheme });
      break;
    }
    case 'credit': {
      const name = trimmed(el);
      if (name && !entry.authors.length) entry.mediaCredit = name;
      break;
    }
  }
}

/**
 * Reads one namespaced child of an entry (RSS item or Atom entry) when it belongs to a shared
 * extension; returns false when the element is not one of them.
 */
export function readEntryExtension(el: XmlElement, entry: EntryDraft): boolean {
  switch (el.ns) {
    case 'dc':
    case 'dcterms':
      readDublinCore(el, entry);
      return true;
    case 'media':
      mediaChild(el, entry);
      return true;
    case 'itunes':
      readItunes(el, entry);
      return true;
    case 'feedburner':
      // feedburner:origEnclosureLink is known too, and not read.
      if (el.local === 'origLink') entry.origLink ??= trimmed(el);
      return true;
    case 'content':
      if (el.local === 'encoded') entry.content ??= htmlText(el);
      return true;
    case 'wfw':
      if (el.local === 'commentRss') entry.commentsFeed ??= trimmed(el);
      return true;
    case 'xhtml':
      readXhtmlBody(el, entry);
      return true;
    // Known extensions with nothing an entry keeps.
    case 'slash':
    case 'thr':
    case 'georss':
    case 'sy':
    case 'podcast':
    case 'googleplay':
    case 'psc':
      return true;
  }
  return false;
}

/** Dublin Core in an entry (https://www.dublincore.org/specifications/dublin-core/dcmi-terms/): authors, dates, subjects, fallbacks. */
function readDublinCore(el: XmlElement, entry: EntryDraft): void {
  switch (el.local) {
    case 'creator':
    case 'author':
      addAuthor(entry.authors, trimmed(el));
      break;
    case 'date':
    case 'issued':
      entry.published ??= trimmed(el);
      break;
    case 'created':
      entry.created ??= trimmed(el);
      break;
    case 'modified':
      entry.updated ??= trimmed(el);
      break;
    case 'subject': {
      const term = trimmed(el);
      if (term) entry.categories.push({ term });
      break;
    }
    case 'language':
      entry.language ??= trimmed(el);
      break;
    case 'identifier':
      entry.dcIdentifier ??= trimmed(el);
      break;
    case 'title':
      entry.dcTitle ??= trimmed(el);
      break;
    case 'description':
      entry.dcDescription ??= trimmed(el);
      break;
    // dc:contributor is no author; dc:rights is not kept.
  }
}

/** iTunes podcast tags in an episode (https://help.apple.com/itc/podcasts_connect/#/itcb54353390). */
function readItunes(el: XmlElement, entry: EntryDraft): void {
  switch (el.local) {
    case 'author': {
      const name = trimmed(el);
      if (name) entry.itunesAuthor ??= name;
      break;
    }
    case 'summary':
    case 'subtitle':
      // A summary replaces a subtitle read before it; a subtitle only fills in.
      if (el.local === 'summary' || !entry.itunesSummary) {
        const value = trimmed(el);
        if (value) entry.itunesSummary = withBase({ value, type: looksLikeHtml(value) ? 'html' : 'text' }, el);
      }
      break;
    case 'duration':
      entry.duration ??= trimmed(el);
      break;
    case 'explicit': {
      const v = trimmed(el)?.toLowerCase();
      if (v) entry.explicit = v === 'yes' || v === 'true' || v === 'explicit';
      break;
    }
    case 'image':
      entry.image ??= (el.attrs.href ?? trimmed(el))?.trim() || undefined;
      break;
    case 'keywords':
      for (const term of (trimmed(el) ?? '').split(',')) if (term.trim()) entry.categories.push({ term: term.trim() });
      break;
  }
}

/** An xhtml:body or xhtml:div in an entry: its markup is the content. */
function readXhtmlBody(el: XmlElement, entry: EntryDraft): void {
  if (el.local !== 'body' && el.local !== 'div') return;
  const value = el.parent ? rawInner(el) : '';
  if (value.trim()) entry.content ??= withBase({ value: value.trim(), type: 'html' }, el);
}

/** The markup inside an element, as written (Atom xhtml content), with xhtml prefixes dropped. */
export function rawInner(el: XmlElement): string {
  if (el.innerEnd < el.innerStart) return '';
  return stripPrefixes(el.source.slice(el.innerStart, el.innerEnd));
}

function stripPrefixes(html: string): string {
  // <xhtml:p> → <p>: readers see HTML, not namespaced XML.
  return html.includes(':') ? html.replace(/<(\/?)[A-Za-z][\w.-]*:(?=[A-Za-z])/g, '<$1') : html;
}
