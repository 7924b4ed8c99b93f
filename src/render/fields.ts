// Facts every feed format derives the same way from a river item: ids, links, authors, dates.
// One place, so RSS, Atom, JSON Feed and the HTML page never disagree about an item.

import type { Enclosure, River, RiverItem } from '../model';

const EPOCH = new Date(0);
const EPOCH_RFC3339 = '1970-01-01T00:00:00Z';

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

/** RFC 822 for RSS (https://www.rfc-editor.org/rfc/rfc822#section-5): "Tue, 15 Nov 1994 08:12:31 GMT", toUTCString's shape for years 1900..9999. */
export function rfc822(date: Date): string {
  return date.toUTCString();
}

/** RFC 3339 (https://www.rfc-editor.org/rfc/rfc3339#section-5.6) / xsd:dateTime in UTC, without milliseconds when they are zero. */
export function rfc3339(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

// ── Dates as RFC 3339 strings ("2025-01-01T16:30:00Z", what ingest stores): every format spells its dates from
// that string, so the renderers neither parse nor format a Date per item in the usual case.

const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SAKAMOTO = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
const MILLIS = /\.\d{3}Z$/;

const digits = (s: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + s.charCodeAt(i) - 48;
  return n;
};

/**
 * Whether `s` starts "YYYY-MM-DDTHH:mm:ss" naming a real instant in 1900..9999 (no rollover, no leap second):
 * then it means what it says, and Date would only spell it back.
 */
function isPlainDateTime(s: string): boolean {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false;
  for (const i of DIGIT_AT) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 7);
  const day = digits(s, 8, 10);
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])) return false;
  return digits(s, 11, 13) <= 23 && digits(s, 14, 16) <= 59 && digits(s, 17, 19) <= 59;
}

/**
 * A usable instant (years 1900..9999) as RFC 3339 UTC, the same text as rfc3339(firstDate(value)), or undefined.
 * What ingest stores ("…:ssZ") and toISOString gives ("…:ss.sssZ") are read without a Date.
 */
export function instant(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.length === 20 && value.charCodeAt(19) === 90 && isPlainDateTime(value)) return value;
  if (value.length === 24 && value.charCodeAt(23) === 90 && value.charCodeAt(19) === 46 && isPlainDateTime(value) && MILLIS.test(value)) {
    return value.endsWith('.000Z') ? `${value.slice(0, 19)}Z` : value;
  }
  const date = usableDate(value);
  return date && rfc3339(date);
}

/** The first usable instant among the candidates as RFC 3339; the epoch if none is (a date is never invalid). */
export function firstInstant(a: string | undefined, b?: string, c?: string): string {
  return instant(a) ?? instant(b) ?? instant(c) ?? EPOCH_RFC3339;
}

/** RFC 822 from an instant() string: the same text as Date.prototype.toUTCString gives. */
export function rfc822Of(rfc3339: string): string {
  return `${rfc822Day(rfc3339)}${rfc3339.slice(11, 19)} GMT`;
}

/** "Wed, 01 Jan 2025 " for an instant() string. */
function rfc822Day(rfc3339: string): string {
  const year = digits(rfc3339, 0, 4);
  const month = digits(rfc3339, 5, 7);
  const day = digits(rfc3339, 8, 10);
  // Sakamoto's day of the week (proleptic Gregorian, as Date counts).
  const y = month < 3 ? year - 1 : year;
  const weekday = (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + SAKAMOTO[month - 1] + day) % 7;
  return `${WEEKDAYS[weekday]}, ${rfc3339.slice(8, 10)} ${MONTHS[month - 1]} ${rfc3339.slice(0, 4)} `;
}

/** rfc822Of remembering the last day it spelled: a river is in time order, so its items share days in runs. */
export function rfc822Writer(): (rfc3339: string) => string {
  let lastDate = '';
  let lastDay = '';
  return (rfc3339) => {
    if (!rfc3339.startsWith(lastDate) || lastDate === '') {
      lastDate = rfc3339.slice(0, 10);
      lastDay = rfc822Day(rfc3339);
    }
    return `${lastDay}${rfc3339.slice(11, 19)} GMT`;
  };
}

/** Whether instant() string `a` is later than `b` (same length: the string order is the time order). */
function later(a: string, b: string): boolean {
  return a.length === b.length ? a > b : Date.parse(a) > Date.parse(b);
}

/** When the item was published (never invalid). */
export function publishedDate(item: RiverItem, river: River): Date {
  return firstDate(item.publishedAt, item.firstSeenAt, river.updatedAt);
}

/** When the item was published, as RFC 3339 (never invalid). */
export function publishedInstant(item: RiverItem, river: River): string {
  return firstInstant(item.publishedAt, item.firstSeenAt, river.updatedAt);
}

/** When the item last changed, as RFC 3339: updatedAt when later than published, else published. */
export function updatedInstant(item: RiverItem, published: string): string {
  const updated = instant(item.updatedAt);
  return updated !== undefined && later(updated, published) ? updated : published;
}

/** The story's link: the item's URL, else the primary source's own link for it. */
export function itemLink(item: RiverItem): string | undefined {
  return item.url || item.sources[0]?.itemUrl || undefined;
}

/** Who to name as author: the item's authors, else the primary source's title (Atom wants one: https://www.rfc-editor.org/rfc/rfc4287#section-4.1.2). */
export function itemAuthors(item: RiverItem): string[] {
  const authors = item.authors;
  let blank = 0;
  for (let i = 0; i < authors.length; i++) if (authors[i].trim() === '') blank++;
  // The usual case, no blank name: the item's own array, not a copy.
  if (blank === 0 && authors.length > 0) return authors;
  if (blank < authors.length) return authors.filter((a) => a.trim() !== '');
  const source = item.sources[0];
  return source?.title ? [source.title] : [];
}

const HTTP_URL = /^https?:\/\/[^\s]+$/i;

function isHttpUrl(value: string | undefined): value is string {
  if (!value) return false;
  const first = value.charCodeAt(0);
  return (first === 104 || first === 72) && HTTP_URL.test(value); // "h" or "H": most ids are not URLs, skip the regex
}

/**
 * One id per item, unique within the document and stable across renders and formats: the id the entry was given
 * when it was made (the source's own id where it is an absolute IRI, river/merge entryId); for entries made before
 * entries kept one, the source's permalink guid when it is an http(s) URL, else a tag: URI built from the source id
 * and the item's identity key — what they were served with from the start. Atom's id rules: https://www.rfc-editor.org/rfc/rfc4287#section-4.2.6
 */
export function itemIds(items: RiverItem[]): string[] {
  const seen = new Set<string>();
  const ids: string[] = new Array(items.length);
  // A river has a handful of sources: encode each source id once.
  const sourcePart = new Map<string, string>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    let id: string;
    if (item.id) id = item.id;
    else if (item.guid && item.guidIsPermaLink !== false && isHttpUrl(item.guid)) id = item.guid;
    else {
      let source = sourcePart.get(item.sourceId);
      if (source === undefined) {
        source = `tag:tributary,2025:${encodeURIComponent(item.sourceId)}/`;
        sourcePart.set(item.sourceId, source);
      }
      id = source + encodeURIComponent(item.key);
    }
    const before = seen.size;
    seen.add(id);
    if (seen.size === before) {
      id = `${id}#${i}`;
      seen.add(id);
    }
    ids[i] = id;
  }
  return ids;
}

/** RSS guid isPermaLink (https://www.rssboard.org/rss-specification#ltguidgtSubelementOfLtitemgt): an http(s) id, unless the source's guid said it is not. */
export function idIsPermaLink(id: string, item?: Pick<RiverItem, 'guid' | 'guidIsPermaLink'>): boolean {
  return isHttpUrl(id) && !(item && id === item.guid && item.guidIsPermaLink === false);
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

/** The type, else a guess from the URL: JSON Feed and RSS require one (https://www.rssboard.org/rss-specification#ltenclosuregtSubelementOfLtitemgt). */
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
