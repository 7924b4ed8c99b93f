// Builds the demo's source feeds (scripts/demo/feeds/) from stories.mjs, each in its own format and charset,
// with the mess real feeds have. The output is committed; run this after editing the stories:
//   npx node scripts/demo/generate.mjs          write the feeds
//   npx node scripts/demo/generate.mjs --check  fail if the committed feeds differ from a fresh build
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_ORIGIN, HUB_URL, SOURCES, feedUrl } from './catalog.mjs';
import { STORIES } from './stories.mjs';
import { imagePath, imageSize, renderPng } from './images.mjs';
import { singleByteEncoder, utf8Encoder } from './encodings.mjs';

const FEEDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'feeds');

// ---------- text helpers ----------

/** XML-escape text; characters the target charset cannot hold become numeric character references. */
function esc(text, encoder = utf8Encoder) {
  let out = '';
  for (const ch of String(text).normalize('NFC')) {
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (encoder.encodeChar(ch)) out += ch;
    else out += `&#${ch.codePointAt(0)};`;
  }
  return out;
}

/** A CDATA section; refuses what CDATA cannot carry (references are not expanded inside it). */
function cdata(text, encoder = utf8Encoder) {
  for (const ch of text) {
    if (!encoder.encodeChar(ch)) throw new Error(`CDATA in ${encoder.label} cannot hold ${ch}`);
  }
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function absolute(pathOrUrl) {
  return new URL(pathOrUrl, DEMO_ORIGIN).href;
}

function itemHref(item) {
  return absolute(item.link ?? item.path);
}

function plainText(html) {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&ndash;/g, '–')
    .replace(/&hellip;/g, '…')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

function sortedItems(stories) {
  return [...stories].sort((a, b) => Date.parse(b.date) - Date.parse(a.date));
}

function newestDate(stories) {
  return sortedItems(stories)[0].date;
}

function image(name) {
  const { width, height } = imageSize(name);
  return { url: absolute(imagePath(name)), width, height, length: renderPng(name).length, type: 'image/png' };
}

// ---------- dates, in the forms feeds in the wild use ----------

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n) => String(n).padStart(2, '0');

/** Wall-clock parts of an ISO instant in its own offset (+07:00 for every demo newsroom). */
function wallClock(iso, inUtc = false) {
  const m = /([+-])(\d\d):(\d\d)$/.exec(iso);
  const offsetMinutes = inUtc || !m ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  const d = new Date(Date.parse(iso) + offsetMinutes * 60_000);
  const zone = m && !inUtc ? `${m[1]}${m[2]}${m[3]}` : '+0000';
  return {
    day: DAYS[d.getUTCDay()],
    date: d.getUTCDate(),
    month: MONTHS[d.getUTCMonth()],
    year: d.getUTCFullYear(),
    h: d.getUTCHours(),
    min: d.getUTCMinutes(),
    s: d.getUTCSeconds(),
    zone,
  };
}

/** RFC 822 in the forms `dateForm` names; the default is the RFC 2822 form. */
function rfc822(iso, form) {
  const utc = form === 'gmt' || form === 'ut';
  const w = wallClock(iso, utc);
  const time = `${pad(w.h)}:${pad(w.min)}:${pad(w.s)}`;
  switch (form) {
    case 'gmt':
      return `${w.day}, ${pad(w.date)} ${w.month} ${w.year} ${time} GMT`;
    case 'ut':
      return `${w.day}, ${pad(w.date)} ${w.month} ${w.year} ${time} UT`;
    case 'no-weekday': // no weekday, no seconds
      return `${w.date} ${w.month} ${w.year} ${pad(w.h)}:${pad(w.min)} ${w.zone}`;
    case 'ict': // a local zone abbreviation RFC 822 does not know (Indochina Time, +07:00)
      return `${w.day}, ${pad(w.date)} ${w.month} ${w.year} ${time} ICT`;
    case 'single-digit':
      return `${w.day}, ${w.date} ${w.month} ${w.year} ${w.h}:${pad(w.min)}:${pad(w.s)} ${w.zone}`;
    case 'two-digit-year': // RFC 822 proper
      return `${w.day}, ${pad(w.date)} ${w.month} ${String(w.year).slice(2)} ${time} ${w.zone}`;
    default:
      return `${w.day}, ${pad(w.date)} ${w.month} ${w.year} ${time} ${w.zone}`;
  }
}

function iso8601(iso, form) {
  return form === 'z' ? new Date(iso).toISOString().replace('.000Z', 'Z') : iso;
}

// ---------- one builder per demo source ----------

const windows874 = singleByteEncoder('windows-874');
const windows1258 = singleByteEncoder('windows-1258', { separateToneMarks: true });

/** Thai national news: RSS 2.0 in windows-874, charset named only by the XML declaration (as TIS-620). */
function siamDaily(source, stories) {
  const e = (t) => esc(t, windows874);
  const items = sortedItems(stories).map((item) => {
    const link = item.relativeLink ? item.path : itemHref(item);
    const enclosure = item.image ? image(item.image.name) : null;
    return [
      '    <item>',
      `      <title>${e(item.title)}</title>`,
      `      <link>${e(link)}</link>`,
      // Escaped HTML, entities and all: &nbsp; arrives as &amp;nbsp;.
      `      <description>${e(item.summary)}</description>`,
      item.author ? `      <author>newsroom@siam-daily.demo (${e(item.author)})</author>` : null,
      ...(item.tags ?? []).map((t) => `      <category>${e(t)}</category>`),
      `      <guid isPermaLink="false">${e(item.id)}</guid>`,
      `      <pubDate>${rfc822(item.date, item.dateForm)}</pubDate>`,
      enclosure ? `      <enclosure url="${enclosure.url}" length="${enclosure.length}" type="${enclosure.type}" />` : null,
      '    </item>',
    ]
      .filter(Boolean)
      .join('\n');
  });
  const logo = image(`${source.id}-logo`);
  const text = [
    '<?xml version="1.0" encoding="TIS-620"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
    '  <channel>',
    `    <title>${e('สยามเดลี่ - ข่าวล่าสุด')}</title>`,
    `    <link>${DEMO_ORIGIN}/siam-daily/</link>`,
    `    <description>${e('ข่าวการเมือง เศรษฐกิจ และข่าวทั่วไทย จากสยามเดลี่ (ข่าวสมมุติสำหรับการสาธิต)')}</description>`,
    '    <language>th</language>',
    `    <copyright>${e('© 2569 สยามเดลี่ (demo)')}</copyright>`,
    `    <lastBuildDate>${rfc822(newestDate(stories))}</lastBuildDate>`,
    '    <ttl>15</ttl>',
    `    <atom:link href="${feedUrl(source)}" rel="self" type="application/rss+xml" />`,
    `    <image><url>${logo.url}</url><title>${e('สยามเดลี่')}</title><link>${DEMO_ORIGIN}/siam-daily/</link></image>`,
    ...items,
    '  </channel>',
    '</rss>',
    '',
  ].join('\n');
  return { text, encoder: windows874, decoderLabel: 'windows-874' };
}

/** Chiang Mai regional news: Atom 1.0, UTF-8 with a byte order mark, relative links under xml:base. */
function lannaNews(source, stories) {
  const base = `${DEMO_ORIGIN}/lanna-news/`;
  const relative = (item) => (item.link ? item.link : item.path.replace('/lanna-news/', ''));
  const entries = sortedItems(stories).map((item) => {
    const summary = item.image ? `${item.summary}<p><img src="../img/${item.image.name}.png" alt="${item.image.caption}" /></p>` : item.summary;
    return [
      '  <entry>',
      `    <title type="text">${esc(item.title)}</title>`,
      `    <link rel="alternate" type="text/html" href="${esc(relative(item))}" />`,
      `    <id>${esc(item.id)}</id>`,
      `    <published>${iso8601(item.date, item.dateForm)}</published>`,
      `    <updated>${iso8601(item.date, item.dateForm)}</updated>`,
      item.author ? `    <author><name>${esc(item.author)}</name></author>` : null,
      ...(item.tags ?? []).map((t) => `    <category term="${esc(t)}" />`),
      `    <summary type="html">${esc(summary)}</summary>`,
      item.xhtmlContent ? `    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">${item.xhtmlContent}</div></content>` : null,
      '  </entry>',
    ]
      .filter(Boolean)
      .join('\n');
  });
  const text = [
    '\uFEFF<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="th" xml:base="${base}">`,
    '  <title>ลานนานิวส์ — ข่าวเชียงใหม่และภาคเหนือ</title>',
    '  <subtitle>ข่าวท้องถิ่นภาคเหนือ (ข่าวสมมุติสำหรับการสาธิต)</subtitle>',
    '  <link rel="alternate" type="text/html" href="./" />',
    '  <link rel="self" type="application/atom+xml" href="atom.xml" />',
    '  <id>tag:lanna-news.demo,2026:feed</id>',
    `  <updated>${newestDate(stories)}</updated>`,
    '  <author><name>ลานนานิวส์</name></author>',
    `  <icon>../img/${source.id}-logo.png</icon>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
  return { text, encoder: utf8Encoder, decoderLabel: 'utf-8' };
}

/** Thai heritage photo stories: RSS 2.0 with Media RSS, enclosures and thumbnails, UTF-8. */
function thaiHeritage(source, stories) {
  const items = sortedItems(stories).map((item) => {
    const photo = image(item.image.name);
    const thumb = image(`${item.image.name}-thumb`);
    const link = itemHref(item);
    return [
      '    <item>',
      `      <title>${esc(item.title)}</title>`,
      `      <link>${link}</link>`,
      `      <guid>${link}</guid>`,
      `      <pubDate>${rfc822(item.date, item.dateForm)}</pubDate>`,
      `      <dc:creator>${esc(item.credit)}</dc:creator>`,
      ...(item.tags ?? []).map((t) => `      <category>${esc(t)}</category>`),
      `      <description>${cdata(`${item.summary}<p><img src="${photo.url}" width="${photo.width}" height="${photo.height}" alt="${item.image.caption}"></p>`)}</description>`,
      `      <media:content url="${photo.url}" type="image/png" medium="image" width="${photo.width}" height="${photo.height}" fileSize="${photo.length}">`,
      `        <media:title>${esc(item.image.caption)}</media:title>`,
      `        <media:credit role="photographer">${esc(item.credit)}</media:credit>`,
      '      </media:content>',
      `      <media:thumbnail url="${thumb.url}" width="${thumb.width}" height="${thumb.height}" />`,
      `      <enclosure url="${photo.url}" length="${photo.length}" type="image/png" />`,
      '    </item>',
    ].join('\n');
  });
  const logo = image(`${source.id}-logo`);
  const text = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">',
    '  <channel>',
    '    <title>มรดกไทยในภาพ</title>',
    `    <link>${DEMO_ORIGIN}/thai-heritage/</link>`,
    '    <description>ภาพข่าวมรดกวัฒนธรรมไทย (ภาพและข่าวสมมุติสำหรับการสาธิต)</description>',
    '    <language>th-TH</language>',
    `    <lastBuildDate>${rfc822(newestDate(stories))}</lastBuildDate>`,
    `    <atom:link href="${feedUrl(source)}" rel="self" type="application/rss+xml" />`,
    `    <image><url>${logo.url}</url><title>มรดกไทยในภาพ</title><link>${DEMO_ORIGIN}/thai-heritage/</link><width>${logo.width}</width><height>${logo.height}</height></image>`,
    ...items,
    '  </channel>',
    '</rss>',
    '',
  ].join('\n');
  return { text, encoder: utf8Encoder, decoderLabel: 'utf-8' };
}

/** Hanoi daily: JSON Feed 1.1 (served gzip-encoded). */
function songHong(source, stories) {
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Báo Sông Hồng điện tử',
    home_page_url: `${DEMO_ORIGIN}/song-hong/`,
    feed_url: feedUrl(source),
    description: 'Tin thời sự, chính trị, kinh tế từ Hà Nội (tin giả lập cho bản demo)',
    icon: image(`${source.id}-logo`).url,
    language: 'vi',
    authors: [{ name: 'Báo Sông Hồng', url: `${DEMO_ORIGIN}/song-hong/` }],
    items: sortedItems(stories).map((item) => {
      const out = {
        id: item.id,
        url: item.relativeLink ? item.path : itemHref(item),
        title: item.title,
        content_html: item.summary,
        summary: plainText(item.summary),
      };
      if (item.image) out.image = image(item.image.name).url;
      out.date_published = item.date;
      if (item.author) out.authors = [{ name: item.author }];
      if (item.tags) out.tags = item.tags;
      out.language = 'vi';
      return out;
    }),
  };
  return { text: `${JSON.stringify(feed, null, 2)}\n`, encoder: utf8Encoder, decoderLabel: 'utf-8' };
}

/** Central Vietnam news: RSS 2.0 in windows-1258, tone marks written as combining characters. */
function mienTrung(_source, stories) {
  const e = (t) => esc(t, windows1258);
  const items = sortedItems(stories).map((item) => {
    const enclosure = item.image ? image(item.image.name) : null;
    const html = enclosure ? `${item.summary}<p><img src="/img/${item.image.name}.png" alt="${item.image.caption}"></p>` : item.summary;
    return [
      '    <item>',
      `      <title>${e(item.title)}</title>`,
      `      <link>${itemHref(item)}</link>`,
      `      <description>${cdata(html, windows1258)}</description>`,
      item.author ? `      <author>toasoan@mientrung.demo (${e(item.author)})</author>` : null,
      ...(item.tags ?? []).map((t) => `      <category>${e(t)}</category>`),
      item.noGuid ? null : `      <guid isPermaLink="false">${e(item.id)}</guid>`,
      `      <pubDate>${rfc822(item.date, item.dateForm)}</pubDate>`,
      enclosure ? `      <enclosure url="${enclosure.url}" length="${enclosure.length}" type="${enclosure.type}" />` : null,
      '    </item>',
    ]
      .filter(Boolean)
      .join('\n');
  });
  const text = [
    '<?xml version="1.0" encoding="windows-1258"?>',
    '<rss version="2.0">',
    '  <channel>',
    `    <title>${e('Tin Miền Trung')}</title>`,
    `    <link>${DEMO_ORIGIN}/mien-trung/</link>`,
    `    <description>${e('Tin tức Huế, Đà Nẵng, Hội An và các tỉnh miền Trung (tin giả lập cho bản demo)')}</description>`,
    '    <language>vi-VN</language>',
    `    <pubDate>${rfc822(newestDate(stories))}</pubDate>`,
    `    <generator>${e('Hệ thống tin Miền Trung 2.1')}</generator>`,
    ...items,
    '  </channel>',
    '</rss>',
    '',
  ].join('\n');
  return { text, encoder: windows1258, decoderLabel: 'windows-1258' };
}

/**
 * Vietnamese heritage magazine: Atom 1.0, UTF-8, every character in NFD (as some Mac-made feeds are).
 * Like many real feeds it breaks an Atom rule: no feed-level <author>, and some entries have none either.
 */
function diSanViet(source, stories) {
  const entries = sortedItems(stories).map((item) => {
    const photo = item.image ? image(item.image.name) : null;
    const html = photo
      ? `${item.summary}<figure><img src="${photo.url}" alt="${item.image.caption}" /><figcaption>${item.image.caption}</figcaption></figure>`
      : item.summary;
    return [
      '  <entry>',
      `    <title>${esc(item.title)}</title>`,
      `    <link rel="alternate" type="text/html" href="${itemHref(item)}" />`,
      photo ? `    <link rel="enclosure" type="image/png" length="${photo.length}" href="${photo.url}" />` : null,
      `    <id>${esc(item.id)}</id>`,
      `    <updated>${item.date}</updated>`,
      item.author ? `    <author><name>${esc(item.author)}</name></author>` : null,
      ...(item.tags ?? []).map((t) => `    <category term="${esc(t)}" label="${esc(t)}" />`),
      `    <content type="html">${esc(html)}</content>`,
      '  </entry>',
    ]
      .filter(Boolean)
      .join('\n');
  });
  const text = [
    '<?xml version="1.0"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">',
    '  <title>Di sản Việt</title>',
    '  <subtitle>Tạp chí ảnh và di sản văn hóa Việt Nam (bài và ảnh giả lập cho bản demo)</subtitle>',
    `  <link rel="alternate" type="text/html" href="${DEMO_ORIGIN}/di-san-viet/" />`,
    `  <link rel="self" type="application/atom+xml" href="${feedUrl(source)}" />`,
    '  <id>urn:uuid:6c1f2a4e-3b1d-4f7e-9a52-0d6e1b2c9a00</id>',
    `  <updated>${newestDate(stories)}</updated>`,
    `  <logo>${image(`${source.id}-logo`).url}</logo>`,
    '  <rights>© 2026 Di sản Việt (demo)</rights>',
    ...entries,
    '</feed>',
    '',
  ]
    .join('\n')
    .normalize('NFD');
  return { text, encoder: utf8Encoder, decoderLabel: 'utf-8' };
}

/** Saigon business news: RSS 2.0 with content:encoded and dc:creator, UTF-8. */
function saigonKinhTe(source, stories) {
  const items = sortedItems(stories).map((item) => {
    const link = itemHref(item);
    return [
      '    <item>',
      `      <title>${esc(item.title)}</title>`,
      `      <link>${link}</link>`,
      `      <guid>${link}</guid>`,
      `      <description>${cdata(item.summary)}</description>`,
      `      <content:encoded>${cdata(item.summary + (item.content ?? ''))}</content:encoded>`,
      item.author ? `      <dc:creator>${esc(item.author)}</dc:creator>` : null,
      ...(item.tags ?? []).map((t) => `      <category>${esc(t)}</category>`),
      `      <pubDate>${rfc822(item.date, item.dateForm)}</pubDate>`,
      '    </item>',
    ]
      .filter(Boolean)
      .join('\n');
  });
  const text = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">',
    '  <channel>',
    '    <title>Sài Gòn Kinh Tế – Kinh tế</title>',
    `    <link>${DEMO_ORIGIN}/saigon-kinh-te/</link>`,
    '    <description>Tin kinh tế, tài chính, doanh nghiệp (tin giả lập cho bản demo)</description>',
    '    <language>vi</language>',
    `    <lastBuildDate>${rfc822(newestDate(stories))}</lastBuildDate>`,
    `    <atom:link href="${feedUrl(source)}" rel="self" type="application/rss+xml" />`,
    // WebSub (W3C): the demo's own hub pushes this feed's new stories (scripts/demo/hub.mjs).
    source.hub ? `    <atom:link href="${HUB_URL}" rel="hub" />` : null,
    ...items,
    '  </channel>',
    '</rss>',
    '',
  ]
    .filter((line) => line !== null)
    .join('\n');
  return { text, encoder: utf8Encoder, decoderLabel: 'utf-8' };
}

const BUILDERS = {
  'siam-daily': siamDaily,
  'lanna-news': lannaNews,
  'thai-heritage': thaiHeritage,
  'song-hong': songHong,
  'mien-trung': mienTrung,
  'di-san-viet': diSanViet,
  'saigon-kinh-te': saigonKinhTe,
};

/**
 * One demo feed as bytes, checked to decode back to its text. `stories` defaults to the source's own; the demo server
 * passes more when its hub publishes a new story (scripts/demo/hub.mjs).
 */
export function buildFeed(source, stories = STORIES[source.id]) {
  const build = BUILDERS[source.id];
  if (!build) throw new Error(`no feed builder for demo source ${source.id}`);
  const { text, encoder, decoderLabel } = build(source, stories);
  const bytes = encoder === utf8Encoder ? Buffer.from(text, 'utf8') : encoder.encode(text);
  // Round trip: decoding must give the same text up to normalization (windows-1258 splits tone marks).
  const decoded = new TextDecoder(decoderLabel, { fatal: true, ignoreBOM: true }).decode(bytes);
  if (decoded.normalize('NFC') !== text.normalize('NFC')) throw new Error(`${source.id}: bytes do not decode back`);
  return bytes;
}

/** Every demo feed as bytes. */
export function buildFeeds() {
  return SOURCES.map((source) => ({ source, bytes: buildFeed(source) }));
}

function main() {
  const check = process.argv.includes('--check');
  mkdirSync(FEEDS_DIR, { recursive: true });
  let stale = 0;
  for (const { source, bytes } of buildFeeds()) {
    const file = join(FEEDS_DIR, source.file);
    if (check) {
      let current = null;
      try {
        current = readFileSync(file);
      } catch {}
      if (!current?.equals(bytes)) {
        stale++;
        console.error(`stale: scripts/demo/feeds/${source.file} (run node scripts/demo/generate.mjs)`);
      }
    } else {
      writeFileSync(file, bytes);
      console.log(`${source.file.padEnd(22)} ${String(bytes.length).padStart(6)} B  ${source.format}, ${source.encoding}`);
    }
  }
  if (stale) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
