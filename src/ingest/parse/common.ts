// Namespace extensions that RSS and Atom entries share (Dublin Core, Media RSS, iTunes, Feedburner,
// atom:link inside RSS), read into the same ParsedEntry fields.
import type { ParsedEnclosure, ParsedEntry, ParsedText } from '../../model';
import { looksLikeHtml } from '../html';
import { elements, textOf, type XmlElement } from './xml';

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

export function newEntry(el: XmlElement): EntryDraft {
  const entry: EntryDraft = { authors: [], categories: [], enclosures: [] };
  if (el.base) entry.base = el.base;
  if (el.lang) entry.language = el.lang;
  return entry;
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

/** Media RSS `media:content` (also inside `media:group`). */
function mediaContent(el: XmlElement, entry: EntryDraft): void {
  const enc = enclosureOf(el.attrs.url, el.attrs.type, el.attrs.fileSize, el.attrs.medium);
  if (!enc) return;
  const w = positiveInt(el.attrs.width);
  const h = positiveInt(el.attrs.height);
  if (w) enc.width = w;
  if (h) enc.height = h;
  if (!entry.enclosures.some((e) => e.url === enc.url)) entry.enclosures.push(enc);
  for (const child of elements(el)) if (child.ns === 'media') mediaChild(child, entry);
}

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
      switch (el.local) {
        case 'creator':
        case 'author':
        case 'contributor': {
          const name = trimmed(el);
          if (name && el.local !== 'contributor' && !entry.authors.includes(name)) entry.authors.push(name);
          return true;
        }
        case 'date':
        case 'issued':
        case 'created':
          if (el.local === 'date' || el.local === 'issued') entry.published ??= trimmed(el);
          else entry.created ??= trimmed(el);
          return true;
        case 'modified':
          entry.updated ??= trimmed(el);
          return true;
        case 'subject': {
          const term = trimmed(el);
          if (term) entry.categories.push({ term });
          return true;
        }
        case 'language':
          entry.language ??= trimmed(el);
          return true;
        case 'identifier':
          entry.dcIdentifier ??= trimmed(el);
          return true;
        case 'title':
          entry.dcTitle ??= trimmed(el);
          return true;
        case 'description':
          entry.dcDescription ??= trimmed(el);
          return true;
        case 'rights':
          return true;
      }
      return true;
    case 'media':
      mediaChild(el, entry);
      return true;
    case 'itunes':
      switch (el.local) {
        case 'author': {
          const name = trimmed(el);
          if (name) entry.itunesAuthor ??= name;
          return true;
        }
        case 'summary':
        case 'subtitle':
          if (el.local === 'summary' || !entry.itunesSummary) {
            const value = trimmed(el);
            if (value) entry.itunesSummary = withBase({ value, type: looksLikeHtml(value) ? 'html' : 'text' }, el);
          }
          return true;
        case 'duration':
          entry.duration ??= trimmed(el);
          return true;
        case 'explicit': {
          const v = trimmed(el)?.toLowerCase();
          if (v) entry.explicit = v === 'yes' || v === 'true' || v === 'explicit';
          return true;
        }
        case 'image':
          entry.image ??= (el.attrs.href ?? trimmed(el))?.trim() || undefined;
          return true;
        case 'keywords':
          for (const term of (trimmed(el) ?? '').split(',')) if (term.trim()) entry.categories.push({ term: term.trim() });
          return true;
      }
      return true;
    case 'feedburner':
      if (el.local === 'origLink' || el.local === 'origEnclosureLink') {
        if (el.local === 'origLink') entry.origLink ??= trimmed(el);
      }
      return true;
    case 'content':
      if (el.local === 'encoded') entry.content ??= htmlText(el);
      return true;
    case 'wfw':
      if (el.local === 'commentRss') entry.commentsFeed ??= trimmed(el);
      return true;
    case 'xhtml':
      if (el.local === 'body' || el.local === 'div') {
        const value = el.parent ? rawInner(el) : '';
        if (value.trim()) entry.content ??= withBase({ value: value.trim(), type: 'html' }, el);
      }
      return true;
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

/** The markup inside an element, as written (Atom xhtml content), with xhtml prefixes dropped. */
export function rawInner(el: XmlElement): string {
  if (el.innerEnd < el.innerStart) return '';
  return stripPrefixes(el.source.slice(el.innerStart, el.innerEnd));
}

function stripPrefixes(html: string): string {
  // <xhtml:p> → <p>: readers see HTML, not namespaced XML.
  return html.includes(':') ? html.replace(/<(\/?)[A-Za-z][\w.-]*:(?=[A-Za-z])/g, '<$1') : html;
}
