// Facts every feed format derives the same way from a river item: ids, links, authors, dates.
// One place, so RSS, Atom, JSON Feed and the HTML page never disagree about an item.

import type { Enclosure, River, RiverItem, SourceRef } from '../model';

const EPOCH = new Date(0);

/** A Date within 1900..9999 (what RFC 822 and RFC 3339 can both spell), or undefined. */
function usableDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  const time = date.getTime();
  if (Number.isNaN(time)) return undefined;
  const year = date.getUTCFullYear();
  return year >= 1900 && year <= 9999 ? date : undefined;
}

/** The first usable instant among the candidates; the epoch if none is (a date element is never invalid). */
export function firstDate(...candidates: (string | undefined)[]): Date {
  for (const candidate of candidates) {
    const date = usableDate(candidate);
    if (date) return date;
  }
  return EPOCH;
}

/** RFC 822 (RSS): "Tue, 15 Nov 1994 08:12:31 GMT" — toUTCString already has this shape for years 1900..9999. */
export function rfc822(date: Date): string {
  return date.toUTCString();
}

/** RFC 3339 / xsd:dateTime in UTC, without milliseconds when they are zero. */
export function rfc3339(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** When the item was published (never invalid). */
export function publishedDate(item: RiverItem, river: River): Date {
  return firstDate(item.publishedAt, item.firstSeenAt, river.updatedAt);
}

/** When the item last changed: updatedAt when later than published, else published. */
export function updatedDate(item: RiverItem, published: Date): Date {
  const updated = usableDate(item.updatedAt);
  return updated && updated.getTime() > published.getTime() ? updated : published;
}

/** The story's link: the item's URL, else the primary source's own link for it. */
export function itemLink(item: RiverItem): string | undefined {
  return item.url || item.sources[0]?.itemUrl || undefined;
}

/** Who to name as author: the item's authors, else the primary source's title (Atom requires someone). */
export function itemAuthors(item: RiverItem): string[] {
  const authors = item.authors.filter((a) => a.trim() !== '');
  if (authors.length > 0) return authors;
  const source = item.sources[0];
  return source?.title ? [source.title] : [];
}

/** The primary source and the others that carried the same story. */
export function primarySource(item: RiverItem): SourceRef | undefined {
  return item.sources[0];
}

function isHttpUrl(value: string | undefined): value is string {
  return !!value && /^https?:\/\/[^\s]+$/i.test(value);
}

/**
 * One id per item, unique within the document and stable across renders and formats:
 * the source's permalink guid when it is an http(s) URL (what readers already know), else a tag: URI
 * built from the source id and the item's identity key (source guids like "1" collide across sources).
 */
export function itemIds(items: RiverItem[]): string[] {
  const seen = new Set<string>();
  const ids: string[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    let id =
      item.guid && item.guidIsPermaLink !== false && isHttpUrl(item.guid)
        ? item.guid
        : `tag:tributary,2025:${encodeURIComponent(item.sourceId)}/${encodeURIComponent(item.key)}`;
    if (seen.has(id)) id = `${id}#${i}`;
    seen.add(id);
    ids[i] = id;
  }
  return ids;
}

/** Whether an id is a URL a reader may open (RSS guid isPermaLink). */
export function idIsPermaLink(id: string): boolean {
  return isHttpUrl(id);
}

/** Enclosures that are images are shown as thumbnails/media; the rest are the item's attachments. */
export function isImageEnclosure(enclosure: Enclosure): boolean {
  return enclosure.medium === 'image' || (enclosure.type?.startsWith('image/') ?? false);
}

const MIME_BY_EXTENSION: Record<string, string> = {
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
};

/** The enclosure's type, else a guess from the URL's extension (JSON Feed requires mime_type; RSS requires type). */
export function enclosureMimeType(enclosure: Enclosure): string {
  if (enclosure.type && /^[^\s/;]+\/[^\s/;]+/.test(enclosure.type)) return enclosure.type.trim();
  const extension = /\.([a-z0-9]{2,5})(?:[?#]|$)/i.exec(enclosure.url)?.[1]?.toLowerCase();
  const guessed = extension ? MIME_BY_EXTENSION[extension] : undefined;
  if (guessed) return guessed;
  switch (enclosure.medium) {
    case 'audio':
      return 'audio/mpeg';
    case 'video':
      return 'video/mp4';
    case 'image':
      return 'image/jpeg';
    default:
      return 'application/octet-stream';
  }
}
