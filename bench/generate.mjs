// Deterministic feed documents for the bench: news with Thai/Vietnamese HTML descriptions (RSS 2.0, Atom,
// JSON Feed), a podcast, and the per-source feeds of the cron benchmark. Same seed → same bytes, every run.

/** mulberry32: a small seeded PRNG, so inputs are identical between runs and machines. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const THAI = [
  'ข่าว',
  'เศรษฐกิจ',
  'ราคาข้าว',
  'สูงขึ้น',
  'รัฐบาล',
  'ประชาชน',
  'กรุงเทพมหานคร',
  'น้ำท่วม',
  'การศึกษา',
  'โรงเรียน',
  'เทศกาลสงกรานต์',
  'ตลาดหุ้น',
  'การท่องเที่ยว',
  'เชียงใหม่',
  'ภูเก็ต',
  'สภาพอากาศ',
  'ฝนตกหนัก',
  'รถไฟฟ้า',
  'ชาวนา',
  'ผู้ว่าราชการจังหวัด',
  'นักท่องเที่ยว',
  'ค่าเงินบาท',
  'โรงพยาบาล',
  'มหาวิทยาลัย',
  'ผลผลิต',
  'ส่งออก',
];
const VIET = [
  'Tin tức',
  'kinh tế',
  'giá gạo',
  'tăng mạnh',
  'chính phủ',
  'người dân',
  'Hà Nội',
  'lũ lụt',
  'giáo dục',
  'trường học',
  'lễ hội',
  'Tết Nguyên Đán',
  'thị trường',
  'chứng khoán',
  'du lịch',
  'Đà Nẵng',
  'Huế',
  'thời tiết',
  'mưa lớn',
  'đường sắt',
  'cao tốc Bắc Nam',
  'nông dân',
  'xuất khẩu',
  'bệnh viện',
  'đại học',
  'tỷ giá',
  'Thành phố Hồ Chí Minh',
];
const ENTITIES = ['&nbsp;', '&amp;', '&quot;', '&#8220;', '&#8221;', '&ndash;', '&#x2014;', '&hellip;'];

const pick = (r, list) => list[Math.floor(r() * list.length)];

/** A headline or sentence: Thai runs words together (no spaces between words), Vietnamese does not. */
export function sentence(r, lang, words) {
  const list = lang === 'th' ? THAI : VIET;
  const parts = [];
  for (let i = 0; i < words; i++) parts.push(pick(r, list));
  return lang === 'th' ? joinThai(parts, r) : parts.join(' ');
}

function joinThai(parts, r) {
  // Thai phrases are separated by a space now and then, words within a phrase are not.
  let out = '';
  for (let i = 0; i < parts.length; i++) out += (i > 0 && r() < 0.3 ? ' ' : '') + parts[i];
  return out;
}

/** An HTML description of about `chars` characters: paragraphs, emphasis, links, images, entities. */
export function descriptionHtml(r, lang, chars, n) {
  let html = '';
  let p = 0;
  while (html.length < chars) {
    p++;
    html +=
      `<p>${sentence(r, lang, 6)} <strong>${sentence(r, lang, 2)}</strong>${pick(r, ENTITIES)}${sentence(r, lang, 5)} ` +
      `<a href="https://news.example.${lang === 'th' ? 'th' : 'vn'}/${lang}/${n}/${p}?utm_source=rss&amp;ref=feed">${sentence(r, lang, 2)}</a>` +
      ` <em>${sentence(r, lang, 3)}</em>.</p>`;
    if (p % 3 === 1)
      html += `<p><img src="https://img.example.net/${n}-${p}.jpg" alt="${sentence(r, lang, 2)}" width="640" height="360"><br>${sentence(r, lang, 4)}</p>`;
  }
  return html;
}

const xmlEscape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const BASE_TIME = Date.UTC(2025, 0, 1, 0, 0, 0);

/** The news items every format is built from. `first` shifts the window (a feed that gained `first` new items). */
export function newsItems({ count, descChars, seed, first = 0, source = 'news' }) {
  const items = [];
  for (let k = 0; k < count; k++) {
    const n = first + k;
    const r = seeded(seed * 1_000_003 + n);
    const lang = n % 2 === 0 ? 'th' : 'vi';
    items.push({
      n,
      lang,
      id: `https://news.example.net/${source}/story-${n}`,
      link: `https://news.example.net/${source}/story-${n}?utm_source=rss&utm_medium=feed`,
      title: `${sentence(r, lang, 4)} ${n}`,
      description: descriptionHtml(r, lang, descChars, n),
      date: new Date(BASE_TIME + n * 600_000), // ten minutes apart; a higher n is newer
      author: lang === 'th' ? 'กองบรรณาธิการ' : 'Phóng viên',
      categories: [sentence(r, lang, 1), sentence(r, lang, 1)],
    });
  }
  return items.reverse(); // newest first, as feeds list them
}

/** `hub`: a WebSub hub the feed names (`<atom:link rel="hub">`), so a subscriber asks it for pushes. */
export function rssDocument(items, { title = 'ข่าวรวม / Tin tổng hợp', link = 'https://news.example.net/', cdataEvery = 2, hub } = {}) {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n',
    `<title>${xmlEscape(title)}</title>\n<link>${link}</link>\n<description>Thai and Vietnamese news</description>\n<language>th</language>\n<ttl>15</ttl>\n`,
    `<atom:link rel="self" type="application/rss+xml" href="${link}feed.xml"/>\n`,
    hub ? `<atom:link rel="hub" href="${xmlEscape(hub)}"/>\n` : '',
  ];
  items.forEach((it, i) => {
    // Half the descriptions as CDATA, half entity-escaped: both are common in the wild.
    const desc = i % cdataEvery === 0 ? `<![CDATA[${it.description}]]>` : xmlEscape(it.description);
    out.push(
      `<item>\n<title>${xmlEscape(it.title)}</title>\n<link>${xmlEscape(it.link)}</link>\n<guid isPermaLink="false">${it.id}</guid>\n` +
        `<pubDate>${it.date.toUTCString().replace('GMT', '+0000')}</pubDate>\n<dc:creator>${it.author}</dc:creator>\n` +
        it.categories.map((c) => `<category>${xmlEscape(c)}</category>\n`).join('') +
        `<description>${desc}</description>\n</item>\n`,
    );
  });
  out.push('</channel>\n</rss>\n');
  return out.join('');
}

export function atomDocument(items, { title = 'ข่าวรวม / Tin tổng hợp', link = 'https://news.example.net/' } = {}) {
  const out = [
    '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="th">\n',
    `<title>${xmlEscape(title)}</title>\n<id>${link}</id>\n<link href="${link}"/>\n<link rel="self" href="${link}atom.xml"/>\n`,
    `<updated>${items[0].date.toISOString()}</updated>\n<author><name>News desk</name></author>\n`,
  ];
  for (const it of items) {
    out.push(
      `<entry xml:lang="${it.lang}">\n<title>${xmlEscape(it.title)}</title>\n<id>${it.id}</id>\n<link href="${xmlEscape(it.link)}"/>\n` +
        `<published>${it.date.toISOString()}</published>\n<updated>${it.date.toISOString()}</updated>\n<author><name>${it.author}</name></author>\n` +
        it.categories.map((c) => `<category term="${xmlEscape(c)}"/>\n`).join('') +
        `<content type="html">${xmlEscape(it.description)}</content>\n</entry>\n`,
    );
  }
  out.push('</feed>\n');
  return out.join('');
}

export function jsonFeedDocument(items, { title = 'ข่าวรวม / Tin tổng hợp', link = 'https://news.example.net/' } = {}) {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title,
    home_page_url: link,
    feed_url: `${link}feed.json`,
    language: 'th',
    items: items.map((it) => ({
      id: it.id,
      url: it.link,
      title: it.title,
      content_html: it.description,
      date_published: it.date.toISOString(),
      authors: [{ name: it.author }],
      tags: it.categories,
      language: it.lang,
    })),
  });
}

/** The fewest items whose document reaches `bytes` (UTF-8), built by `render`. */
export function sizedDocument(bytes, render, { descChars, seed }) {
  const size = (count) => Buffer.byteLength(render(newsItems({ count, descChars, seed })), 'utf8');
  let lo = 1;
  let hi = Math.max(2, Math.ceil((bytes / size(8)) * 8 * 1.2));
  while (size(hi) < bytes) hi *= 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (size(mid) < bytes) lo = mid + 1;
    else hi = mid;
  }
  return { doc: render(newsItems({ count: lo, descChars, seed })), count: lo };
}

export function podcastDocument(episodes, seed = 7) {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:podcast="https://podcastindex.org/namespace/1.0">\n<channel>\n',
    '<title>Podcast Tin Tức Sáng</title>\n<link>https://pod.example.net/</link>\n<description>Bản tin buổi sáng</description>\n<language>vi</language>\n',
    '<itunes:author>Đài Phát Thanh</itunes:author>\n<itunes:image href="https://pod.example.net/cover.jpg"/>\n<itunes:category text="News"><itunes:category text="Daily News"/></itunes:category>\n<itunes:explicit>false</itunes:explicit>\n',
  ];
  for (let n = episodes; n >= 1; n--) {
    const r = seeded(seed * 7919 + n);
    const lang = n % 3 === 0 ? 'th' : 'vi';
    const date = new Date(BASE_TIME + n * 86_400_000);
    out.push(
      `<item>\n<title>Tập ${n}: ${xmlEscape(sentence(r, lang, 4))}</title>\n<guid isPermaLink="false">pod-ep-${n}</guid>\n<pubDate>${date.toUTCString()}</pubDate>\n` +
        `<enclosure url="https://cdn.example.net/audio/ep${n}.mp3" length="${20_000_000 + n * 1013}" type="audio/mpeg"/>\n` +
        `<itunes:duration>${20 + (n % 40)}:${String(n % 60).padStart(2, '0')}</itunes:duration>\n<itunes:episode>${n}</itunes:episode>\n<itunes:explicit>false</itunes:explicit>\n` +
        `<itunes:image href="https://pod.example.net/ep${n}.jpg"/>\n<itunes:summary>${xmlEscape(sentence(r, lang, 12))}</itunes:summary>\n` +
        `<description><![CDATA[${descriptionHtml(r, lang, 600, n)}]]></description>\n</item>\n`,
    );
  }
  out.push('</channel>\n</rss>\n');
  return out.join('');
}

/**
 * The feed of bench source `index` at generation `gen`: each generation adds one story on top and drops the oldest.
 * `hub`: the WebSub hub the feed names (none by default).
 */
export function sourceFeed(index, gen, { items = 20, descChars = 700 } = {}, { hub } = {}) {
  const list = newsItems({ count: items, descChars, seed: 1000 + index, first: gen, source: `src${index}` });
  return rssDocument(list, { title: `Nguồn ${index} / แหล่งข่าว ${index}`, link: `https://src${index}.example.net/`, hub });
}

/** The topic of bench source `index` (its feed's rel="self"): what a subscriber asks a hub for. */
export function sourceTopic(index) {
  return `https://src${index}.example.net/feed.xml`;
}

/** The newest story of bench source `index` at generation `gen`: its number (story-<n> in its id and link). */
export function newestStory(gen, { items = 20 } = {}) {
  return gen + items - 1;
}
