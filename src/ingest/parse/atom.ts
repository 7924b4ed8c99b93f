// Atom 1.0 and 0.3 → ParsedFeed.
import type { ParsedEntry, ParsedFeed, ParsedText } from '../../model';
import { addAuthor, addEnclosure, enclosureOf, finishEntry, newEntry, rawInner, readEntryExtension, trimmed, withBase, type EntryDraft } from './common';
import { elements, textOf, type XmlElement } from './xml';

/** The root's namespace, whatever it is (feeds exist with made-up Atom namespaces), counts as Atom. */
let rootNs = 'atom';
function isCore(el: XmlElement): boolean {
  return el.ns === 'atom' || el.ns === 'atom03' || el.ns === '' || el.ns === rootNs;
}
/** Atom 0.3 has no wrapper div around xhtml content; Atom 1.0 does. */
let unwrapXhtmlDiv = true;

/** An Atom text construct (type text/html/xhtml, 0.3 mode escaped/xml/base64; RFC 4287 §3.1, https://www.rfc-editor.org/rfc/rfc4287#section-3.1). */
export function atomText(el: XmlElement | undefined): ParsedText | undefined {
  if (!el) return undefined;
  const type = (el.attrs.type ?? 'text').trim().toLowerCase();
  const mode = el.attrs.mode?.trim().toLowerCase();
  let value: string;
  let kind: ParsedText['type'];
  // Atom 1.0: a MIME type that is neither text nor XML means base64 content (RFC 4287 §4.1.3.3).
  const binary = type.includes('/') && !type.startsWith('text/') && !type.endsWith('+xml') && !type.endsWith('/xml');
  if (mode === 'base64' || (binary && !mode)) {
    try {
      const bytes = Uint8Array.from(atob(textOf(el).replace(/\s+/g, '')), (c) => c.charCodeAt(0));
      value = new TextDecoder().decode(bytes);
    } catch {
      value = textOf(el);
    }
    kind = type.includes('html') || binary ? 'html' : 'text';
  } else if (type === 'xhtml' || type === 'application/xhtml+xml' || mode === 'xml' || (elements(el).length > 0 && type !== 'html' && type !== 'text/html')) {
    // Inline XHTML: the markup inside the wrapping div (or the element itself) as written.
    const kids = elements(el);
    // Atom 1.0 wraps xhtml in a div that is not content; Atom 0.3 mode="xml" has no such wrapper.
    const hasOnlyDiv =
      unwrapXhtmlDiv && mode !== 'xml' && kids.length === 1 && kids[0].local === 'div' && el.children.every((c) => typeof c !== 'string' || c.trim() === '');
    value = hasOnlyDiv ? rawInner(kids[0]) : rawInner(el);
    kind = 'html';
    return value.trim() ? withBase({ value: value.trim(), type: kind }, hasOnlyDiv ? kids[0] : el) : undefined;
  } else {
    value = textOf(el);
    kind = type === 'html' || type === 'text/html' || mode === 'escaped' ? 'html' : 'text';
  }
  value = value.trim();
  return value === '' ? undefined : withBase({ value, type: kind }, el);
}

/** A person construct (RFC 4287 §3.2) as "Name (email)", like RSS writes it, so one author format flows to normalize. */
function personName(el: XmlElement): string | undefined {
  const kids = elements(el);
  const name = trimmed(kids.find((c) => c.local === 'name'));
  const email = trimmed(kids.find((c) => c.local === 'email'));
  if (name && email) return `${name} (${email})`;
  if (name) return name;
  if (email) return email;
  return kids.length === 0 ? trimmed(el) : undefined;
}

interface AtomLinks {
  alternate?: string;
  self?: string;
  hub?: string;
  next?: string;
  related?: string;
}

function readLink(el: XmlElement, links: AtomLinks, entry?: EntryDraft): void {
  // Some feeds write the URL as the element's text instead of href.
  const href = (el.attrs.href ?? el.attrs.url ?? (elements(el).length ? undefined : textOf(el)))?.trim();
  const rel = (el.attrs.rel ?? 'alternate').trim().toLowerCase();
  if (rel === 'enclosure') {
    const enc = enclosureOf(href, el.attrs.type, el.attrs.length);
    if (entry) addEnclosure(entry, enc);
    return;
  }
  if (!href) return;
  if (rel === 'alternate' || rel === 'http://www.iana.org/assignments/relation/alternate') {
    // Prefer an HTML alternate over other media types.
    const type = el.attrs.type?.toLowerCase();
    if (!links.alternate || (type?.includes('html') && !links.alternateIsHtml)) {
      links.alternate = href;
      links.alternateIsHtml = !type || type.includes('html');
    }
  } else if (rel === 'self') links.self ??= href;
  else if (rel === 'hub') links.hub ??= href;
  else if (rel === 'next') links.next ??= href;
  else if (rel === 'related') links.related ??= href;
  else if (rel === 'replies' && entry) entry.comments ??= href;
}

interface AtomLinks {
  alternateIsHtml?: boolean;
}

/** One `<entry>` (RFC 4287 §4.1.2, https://www.rfc-editor.org/rfc/rfc4287#section-4.1.2): Atom elements, then the shared extensions. */
function readEntry(el: XmlElement): ParsedEntry {
  const entry = newEntry(el);
  const links: AtomLinks = {};
  for (const child of elements(el)) {
    if (isCore(child)) readEntryElement(child, el, entry, links);
    else readEntryExtension(child, entry);
  }
  entry.link = links.alternate ?? links.related;
  return finishEntry(entry);
}

/** An Atom element of the entry `parent`. */
function readEntryElement(child: XmlElement, parent: XmlElement, entry: EntryDraft, links: AtomLinks): void {
  switch (child.local) {
    case 'id':
      entry.id ??= trimmed(child);
      break;
    case 'title':
      entry.title ??= atomText(child);
      break;
    case 'link':
      readLink(child, links, entry);
      break;
    case 'summary':
      entry.summary ??= atomText(child);
      break;
    case 'content': {
      // Out-of-line content (RFC 4287 §4.1.3.2): its src stands in for an alternate link not seen yet.
      const src = child.attrs.src?.trim();
      if (src && !entry.link) links.alternate ??= src;
      entry.content ??= atomText(child);
      break;
    }
    // Atom 1.0 names win over 0.3 names; a repeated element's last value wins (as in feedparser).
    case 'published':
      entry.published = trimmed(child) ?? entry.published;
      break;
    case 'issued':
      if (!hasChild(parent, 'published')) entry.published = trimmed(child) ?? entry.published;
      break;
    case 'updated':
      entry.updated = trimmed(child) ?? entry.updated;
      break;
    case 'modified':
      if (!hasChild(parent, 'updated')) entry.updated = trimmed(child) ?? entry.updated;
      break;
    case 'created':
      entry.created ??= trimmed(child);
      break;
    case 'author':
      addAuthor(entry.authors, personName(child));
      break;
    case 'category':
      readCategory(child, entry);
      break;
    case 'source':
      readSource(child, entry);
      break;
  }
}

function hasChild(el: XmlElement, local: string): boolean {
  return el.children.some((c) => typeof c !== 'string' && c.local === local);
}

/** `<category term scheme label>` (RFC 4287 §4.2.2); some feeds write the term as text. */
function readCategory(el: XmlElement, entry: EntryDraft): void {
  const term = (el.attrs.term ?? trimmed(el))?.trim();
  if (!term) return;
  const cat: { term: string; scheme?: string; label?: string } = { term };
  const scheme = el.attrs.scheme?.trim();
  const label = el.attrs.label?.trim();
  if (scheme) cat.scheme = scheme;
  if (label) cat.label = label;
  entry.categories.push(cat);
}

/** `<source>`: the feed an entry was copied from, its title and link (RFC 4287 §4.2.11). */
function readSource(el: XmlElement, entry: EntryDraft): void {
  const kids = elements(el);
  entry.sourceTitle ??= atomText(kids.find((c) => c.local === 'title'))?.value;
  const sourceLinks: AtomLinks = {};
  for (const k of kids) if (k.local === 'link') readLink(k, sourceLinks);
  entry.sourceUrl ??= sourceLinks.alternate ?? sourceLinks.self;
}

/** Reads an Atom document whose root is `feed` (Atom 1.0, RFC 4287 §4.1.1, https://www.rfc-editor.org/rfc/rfc4287#section-4.1.1; and Atom 0.3). */
export function parseAtom(root: XmlElement, warnings: string[]): ParsedFeed {
  const version = root.ns === 'atom03' ? '0.3' : root.ns === 'atom' ? '1.0' : root.attrs.version?.trim() || '';
  // (module state below is set per call; parsing is synchronous, so calls never interleave)
  const feed: ParsedFeed = { format: 'atom', version, authors: [], entries: [], warnings };
  rootNs = root.ns;
  unwrapXhtmlDiv = version !== '0.3';
  if (root.base) feed.base = root.base;
  if (root.lang) feed.language = root.lang;
  const links: AtomLinks = {};
  for (const el of elements(root)) {
    if (isCore(el)) {
      switch (el.local) {
        case 'title':
          feed.title ??= atomText(el);
          break;
        case 'subtitle':
        case 'tagline':
          feed.description ??= atomText(el);
          break;
        case 'link':
          readLink(el, links);
          break;
        case 'updated':
        case 'modified':
          feed.updated ??= trimmed(el);
          break;
        case 'author': {
          const name = personName(el);
          if (name) feed.authors.push(name);
          break;
        }
        case 'logo':
        case 'icon':
          if (el.local === 'logo' || !feed.image) feed.image = trimmed(el);
          break;
        case 'entry':
          feed.entries.push(readEntry(el));
          break;
      }
    } else if (el.ns === 'dc' && el.local === 'language') feed.language ??= trimmed(el);
    else if (el.ns === 'itunes' && el.local === 'image') feed.image ??= el.attrs.href?.trim() || undefined;
  }
  if (links.alternate) feed.link = links.alternate;
  if (links.self) feed.selfUrl = links.self;
  if (links.hub) feed.hubUrl = links.hub;
  if (links.next) feed.nextUrl = links.next;
  return feed;
}
