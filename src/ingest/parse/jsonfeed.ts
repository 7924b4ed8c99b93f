// JSON Feed 1.0/1.1 → ParsedFeed. Every field is type-checked; only own properties are read, and
// nothing from the document is merged into another object, so `__proto__`/`constructor` keys are inert.
import { errorText, failed, type Result } from '../../errors';
import type { ParsedEnclosure, ParsedEntry, ParsedFeed } from '../../model';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Json, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function str(o: Json, key: string): string | undefined {
  const v = own(o, key);
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number' && key === 'id') return String(v); // ids are sometimes numbers
  return undefined;
}

function num(o: Json, key: string): number | undefined {
  const v = own(o, key);
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function authorsOf(o: Json): string[] {
  const names: string[] = [];
  const list = own(o, 'authors');
  const single = own(o, 'author');
  for (const a of Array.isArray(list) ? list : isObject(single) ? [single] : []) {
    if (isObject(a)) {
      const name = str(a, 'name') ?? str(a, 'url');
      if (name && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

function readItem(item: Json): ParsedEntry {
  const entry: ParsedEntry = { authors: authorsOf(item), categories: [], enclosures: [] };
  const id = str(item, 'id');
  if (id !== undefined) entry.id = id;
  const title = str(item, 'title');
  if (title) entry.title = { value: title, type: 'text' };
  const url = str(item, 'url');
  if (url) entry.link = url;
  const external = str(item, 'external_url');
  if (external) {
    entry.sourceUrl = external;
    entry.link ??= external;
  }
  const html = str(item, 'content_html');
  const text = str(item, 'content_text');
  if (html) entry.content = { value: html, type: 'html' };
  else if (text) entry.content = { value: text, type: 'text' };
  const summary = str(item, 'summary');
  if (summary) entry.summary = { value: summary, type: 'text' };
  const published = str(item, 'date_published');
  if (published) entry.published = published;
  const modified = str(item, 'date_modified');
  if (modified) entry.updated = modified;
  const image = str(item, 'image') ?? str(item, 'banner_image');
  if (image) entry.image = image;
  const language = str(item, 'language');
  if (language) entry.language = language;
  const tags = own(item, 'tags');
  if (Array.isArray(tags)) for (const t of tags) if (typeof t === 'string' && t.trim()) entry.categories.push({ term: t.trim() });
  const attachments = own(item, 'attachments');
  if (Array.isArray(attachments)) {
    for (const a of attachments) {
      if (!isObject(a)) continue;
      const u = str(a, 'url');
      if (!u) continue;
      const enc: ParsedEnclosure = { url: u };
      const type = str(a, 'mime_type');
      if (type) {
        enc.type = type;
        const major = type.split('/')[0].toLowerCase();
        if (major === 'audio' || major === 'video' || major === 'image') enc.medium = major;
      }
      const length = num(a, 'size_in_bytes');
      if (length) enc.length = Math.floor(length);
      const seconds = num(a, 'duration_in_seconds');
      if (seconds && !entry.duration) entry.duration = String(Math.floor(seconds));
      entry.enclosures.push(enc);
    }
  }
  return entry;
}

export type JsonFeedResult = Result<{ feed: ParsedFeed }, 'malformed' | 'not-a-feed'>;

/** Reads a JSON Feed 1.0 or 1.1 document (https://www.jsonfeed.org/version/1.1/); what is not one is an error value. */
export function parseJsonFeed(text: string): JsonFeedResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return failed('malformed', `not a feed: invalid JSON (${errorText(e).slice(0, 80)})`);
  }
  if (!isObject(doc)) return failed('not-a-feed', 'not a feed: JSON that is not an object');
  const items = own(doc, 'items');
  const versionUrl = str(doc, 'version') ?? '';
  if (!Array.isArray(items)) {
    return failed('not-a-feed', versionUrl.includes('jsonfeed.org') ? 'not a feed: JSON Feed without items' : 'not a feed: JSON object without items');
  }
  const version = /version\/1\.1/.test(versionUrl) ? '1.1' : /version\/1/.test(versionUrl) ? '1.0' : '';
  const warnings: string[] = [];
  if (!version) warnings.push('JSON Feed without a known version');
  const feed: ParsedFeed = { format: 'json', version, authors: authorsOf(doc), entries: [], warnings };
  const title = str(doc, 'title');
  if (title) feed.title = { value: title, type: 'text' };
  const home = str(doc, 'home_page_url');
  if (home) feed.link = home;
  const self = str(doc, 'feed_url');
  if (self) feed.selfUrl = self;
  const description = str(doc, 'description');
  if (description) feed.description = { value: description, type: 'text' };
  const language = str(doc, 'language');
  if (language) feed.language = language;
  const icon = str(doc, 'icon') ?? str(doc, 'favicon');
  if (icon) feed.image = icon;
  const next = str(doc, 'next_url');
  if (next) feed.nextUrl = next;
  const hubs = own(doc, 'hubs');
  if (Array.isArray(hubs)) for (const h of hubs) if (isObject(h) && str(h, 'url')) feed.hubUrl ??= str(h, 'url');
  for (const item of items) {
    if (isObject(item)) feed.entries.push(readItem(item));
    else warnings.push('JSON Feed item that is not an object');
  }
  return { ok: true, feed };
}
