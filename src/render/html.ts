// The pages people read: the index, a category's river, and the source status table.
// Plain server-rendered HTML, no script, one <style> block (its hash goes in the CSP), text escaped once.

import type { CategorySummary, RenderContext, River, RiverItem, SourceRef, SourceStatus } from '../model';
import { languageTag } from '../patterns';
import { firstDate, itemLink, publishedDate } from './fields';
import { escapeAttr, escapeXml, stripInvalidXmlChars } from './xml';

/**
 * The only CSS, inlined. Thai needs fonts that carry it and room for stacked vowels and tone marks
 * (line-height); Vietnamese needs room for stacked diacritics too.
 */
export const PAGE_STYLE = `
:root{color-scheme:light dark;--fg:#1d2327;--muted:#5c6670;--bg:#fdfdfc;--line:#dde1e4;--link:#0b57a4;--bad:#a4260b;--warn:#7a5b00}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8ea;--muted:#a3acb4;--bg:#15181b;--line:#2d3338;--link:#7ab4f5;--bad:#ff8a70;--warn:#e3c15a}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;max-width:46rem;padding:1rem;background:var(--bg);color:var(--fg);line-height:1.6;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Thai","Noto Sans Thai UI","Leelawadee UI",Tahoma,Thonburi,"Sukhumvit Set","Helvetica Neue",Arial,sans-serif}
:lang(th){line-height:1.8;font-family:"Noto Sans Thai","Noto Sans Thai UI","Leelawadee UI",Thonburi,"Sukhumvit Set",Tahoma,system-ui,sans-serif}
:lang(vi){line-height:1.7}
a{color:var(--link)}
h1{font-size:1.5rem;margin:.5rem 0}
h2{font-size:1.15rem;margin:0 0 .25rem}
header,footer{border-bottom:1px solid var(--line);padding-bottom:.5rem;margin-bottom:1rem}
footer{border-bottom:0;border-top:1px solid var(--line);padding-top:.5rem;margin-top:1.5rem}
nav a{margin-right:1rem}
.meta,.muted{color:var(--muted);font-size:.9rem}
ul.list{list-style:none;padding:0;margin:0}
ul.list>li,article{border-bottom:1px solid var(--line);padding:.9rem 0;overflow-wrap:anywhere}
article::after{content:"";display:table;clear:both}
.thumb{float:right;width:6.5rem;height:auto;max-height:6.5rem;object-fit:cover;margin:0 0 .5rem .75rem;border-radius:4px}
.summary{overflow-wrap:anywhere}
.summary img,.summary video,.summary iframe{max-width:100%;height:auto}
.summary pre{overflow-x:auto}
.feeds a{display:inline-block;margin-right:.75rem}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid var(--line)}
td.num{text-align:right}
tr.bad td.problem{color:var(--bad)}
tr.paused td.problem{color:var(--warn)}
.flag{font-weight:600}
.older{font-size:1.05rem}
`;

/** CSP source for PAGE_STYLE (`style-src 'sha256-…'`); a test checks it against the style's real digest. */
export const PAGE_STYLE_CSP_HASH = "'sha256-XCzYWyjlkNabcEr3dGrKoehXnxaAiBuSNH6niQqpv00='";

const FEED_FORMATS = [
  { ext: 'rss', type: 'application/rss+xml', label: 'RSS' },
  { ext: 'atom', type: 'application/atom+xml', label: 'Atom' },
  { ext: 'json', type: 'application/feed+json', label: 'JSON Feed' },
] as const;

function page(opts: { lang: string; title: string; head?: string; body: string; generator?: string }): string {
  return [
    `<!doctype html>\n<html lang="${escapeAttr(opts.lang)}">\n<head>\n<meta charset="utf-8">\n`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
    '<meta name="referrer" content="strict-origin-when-cross-origin">\n',
    `<title>${escapeXml(opts.title)}</title>\n`,
    opts.generator ? `<meta name="generator" content="${escapeAttr(opts.generator)}">\n` : '',
    opts.head ?? '',
    `<style>${PAGE_STYLE}</style>\n</head>\n<body>\n`,
    opts.body,
    '</body>\n</html>\n',
  ].join('');
}

/** A date as people read it anywhere: "2025-03-01 09:30 UTC" (a cached page cannot know the reader's zone). */
function humanTime(date: Date): string {
  return `<time datetime="${date.toISOString()}">${date.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>`;
}

function optionalTime(value: string | null | undefined): string {
  if (!value) return '<span class="muted">never</span>';
  const date = firstDate(value);
  return date.getTime() === 0 ? escapeXml(value) : humanTime(date);
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** lang="…" for content in a language other than the surrounding one. */
function langAttr(language: string | undefined, around: string): string {
  const tag = languageTag(language);
  return tag && tag.toLowerCase() !== around.toLowerCase() ? ` lang="${escapeAttr(tag)}"` : '';
}

function feedLinks(baseUrl: string, slug: string): string {
  return FEED_FORMATS.map((f) => `<a href="${escapeAttr(`${baseUrl}/feeds/${slug}.${f.ext}`)}" type="${f.type}">${f.label}</a>`).join(' ');
}

function autodiscovery(baseUrl: string, slug: string, title: string): string {
  return FEED_FORMATS.map(
    (f) => `<link rel="alternate" type="${f.type}" title="${escapeAttr(`${title} (${f.label})`)}" href="${escapeAttr(`${baseUrl}/feeds/${slug}.${f.ext}`)}">\n`,
  ).join('');
}

// ───────────────────────────── index ─────────────────────────────

/** The index page: every category with its figures and feeds, each feed announced for autodiscovery (https://www.rssboard.org/rss-autodiscovery). */
export function renderIndexPage(rows: CategorySummary[], ctx: { baseUrl: string; generator: string; title?: string }): string {
  const title = ctx.title ?? 'Tributary';
  const lang = 'en';
  const head: string[] = [];
  const body: string[] = [
    `<header>\n<h1>${escapeXml(title)}</h1>\n`,
    `<nav><a href="${escapeAttr(`${ctx.baseUrl}/status`)}">Source status</a> <a href="${escapeAttr(`${ctx.baseUrl}/feeds.opml`)}" type="text/x-opml">All sources (OPML)</a></nav>\n</header>\n<main>\n`,
  ];
  if (rows.length === 0) {
    body.push('<p>No categories yet. Add sources through the admin API (<code>POST /admin/sources</code>) or import an OPML file.</p>\n');
  } else {
    body.push('<ul class="list">\n');
    for (const row of rows) {
      const { category } = row;
      head.push(autodiscovery(ctx.baseUrl, category.slug, category.title));
      const contentLang = langAttr(category.language, lang);
      body.push(
        '<li>\n',
        `<h2${contentLang}><a href="${escapeAttr(`${ctx.baseUrl}/c/${category.slug}`)}">${escapeXml(category.title)}</a></h2>\n`,
        category.description ? `<p${contentLang}>${escapeXml(category.description)}</p>\n` : '',
        `<p class="meta">${plural(row.itemCount, 'item', 'items')}`,
        row.updatedAt ? ` · updated ${humanTime(firstDate(row.updatedAt))}` : '',
        '</p>\n',
        `<p class="feeds">${feedLinks(ctx.baseUrl, category.slug)}</p>\n`,
        '</li>\n',
      );
    }
    body.push('</ul>\n');
    head.push(autodiscovery(ctx.baseUrl, 'all', 'Everything'));
    body.push(`<p>Every category merged: <span class="feeds">${feedLinks(ctx.baseUrl, 'all')}</span></p>\n`);
  }
  body.push(`</main>\n<footer class="muted">${escapeXml(ctx.generator)}</footer>\n`);
  return page({ lang, title, head: head.join(''), body: body.join(''), generator: ctx.generator });
}

// ───────────────────────────── river ─────────────────────────────

/** A river page as HTML for people: its items with their sources, its feeds for autodiscovery, rel="next" to older items. */
export function renderRiverPage(river: River, items: RiverItem[], ctx: RenderContext): string {
  const lang = languageTag(river.language) ?? 'en';
  // The page's own words are English; when the river is in another language they say so.
  const ui = lang.toLowerCase().startsWith('en') ? '' : ' lang="en"';
  const head = [autodiscovery(ctx.baseUrl, river.slug, river.title)];
  if (ctx.nextUrl) head.push(`<link rel="next" href="${escapeAttr(ctx.nextUrl)}">\n`);

  const body: string[] = [
    '<header>\n',
    `<nav${ui}><a href="${escapeAttr(`${ctx.baseUrl}/`)}">All categories</a></nav>\n`,
    `<h1><a href="${escapeAttr(ctx.htmlUrl)}">${escapeXml(river.title)}</a></h1>\n`,
    river.description ? `<p>${escapeXml(river.description)}</p>\n` : '',
    `<p class="feeds"${ui}>${feedLinks(ctx.baseUrl, river.slug)}</p>\n`,
    '</header>\n<main>\n',
  ];
  if (items.length === 0) body.push(`<p${ui}>No items here yet.</p>\n`);
  for (const item of items) renderArticle(body, river, item, lang, ui);
  body.push('</main>\n<footer>\n');
  if (ctx.nextUrl) body.push(`<p class="older"${ui}><a href="${escapeAttr(ctx.nextUrl)}" rel="next">Older items →</a></p>\n`);
  body.push(`<p class="muted"${ui}>Updated ${humanTime(firstDate(river.updatedAt))} · ${escapeXml(ctx.generator)}</p>\n</footer>\n`);
  return page({ lang, title: river.title, head: head.join(''), body: body.join(''), generator: ctx.generator });
}

function sourceLink(source: SourceRef, preferItem: boolean): string {
  const href = (preferItem && source.itemUrl) || source.siteUrl || source.itemUrl || source.feedUrl;
  return `<a href="${escapeAttr(href)}">${escapeXml(source.title)}</a>`;
}

function renderArticle(out: string[], river: River, item: RiverItem, pageLang: string, ui: string): void {
  const link = itemLink(item);
  const title = item.title.trim() ? escapeXml(item.title) : '<span class="muted">(untitled)</span>';
  const [primary, ...others] = item.sources;
  out.push(
    `<article${langAttr(item.language, pageLang)}>\n`,
    link ? `<h2><a href="${escapeAttr(link)}">${title}</a></h2>\n` : `<h2>${title}</h2>\n`,
    '<p class="meta">',
  );
  if (primary) out.push(sourceLink(primary, false));
  if (others.length > 0) out.push(`<span${ui}> · also in </span>`, others.map((s) => sourceLink(s, true)).join(', '));
  // A date the source never gave is shown as what it is: when the river first saw the item.
  out.push(item.dateGuessed ? ` · <span${ui}>seen </span>${humanTime(publishedDate(item, river))}` : ` · ${humanTime(publishedDate(item, river))}`);
  if (item.authors.length > 0) out.push(` · ${escapeXml(item.authors.join(', '))}`);
  out.push('</p>\n');
  if (item.image) out.push(`<img class="thumb" src="${escapeAttr(item.image)}" alt="" loading="lazy" decoding="async" referrerpolicy="no-referrer">\n`);
  // Already sanitized by ingest (allowlist); only characters HTML cannot carry are dropped here.
  const summary = item.summaryHtml || item.contentHtml;
  if (summary) out.push(`<div class="summary">${stripInvalidXmlChars(summary)}</div>\n`);
  out.push('</article>\n');
}

// ───────────────────────────── status ─────────────────────────────

const HTTP_REASONS: Record<number, string> = {
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  410: 'Gone',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function httpStatus(status: number | null): string {
  if (status === null) return '<span class="muted">—</span>';
  const reason = HTTP_REASONS[status];
  return reason ? `${status} ${reason}` : String(status);
}

function problem(row: SourceStatus): string {
  const parts: string[] = [];
  if (row.pausedBy === 'operator') parts.push('<span class="flag">Paused</span> by an operator');
  else if (row.paused) parts.push(`<span class="flag">Paused</span> after ${plural(row.consecutiveFailures, 'failure', 'failures')} in a row`);
  if (row.lastError) parts.push(escapeXml(row.lastError));
  else if (!row.paused && row.consecutiveFailures > 0) parts.push(`${plural(row.consecutiveFailures, 'failure', 'failures')} in a row`);
  if (row.failingSince && row.consecutiveFailures > 1) parts.push(`<span class="muted">failing since ${optionalTime(row.failingSince)}</span>`);
  if (row.permanentRedirect) {
    parts.push(
      `Moved permanently to <a href="${escapeAttr(row.permanentRedirect)}">${escapeXml(row.permanentRedirect)}</a> <span class="muted">(polled there)</span>`,
    );
  }
  if (parts.length === 0) return row.lastSuccessAt ? 'OK' : '<span class="muted">not polled yet</span>';
  return parts.join('<br>');
}

// How the source's items are told apart (river/dedup): guid when the feed's ids are trustworthy, else fallbacks.
function identityPolicyLabel(policy: SourceStatus['identityPolicy']): string {
  if (policy === 'guid') return 'guid';
  if (policy === 'link') return '<span title="ids empty or repeated: items told apart by link">link</span>';
  if (policy === 'content') return '<span title="ids and links unusable: items told apart by content">content</span>';
  return '<span class="muted">–</span>';
}

const CHARSET_HOW: Record<NonNullable<SourceStatus['charset']>['how'], string> = {
  bom: 'byte order mark',
  http: 'Content-Type',
  declared: 'XML declaration',
  detected: 'detected',
  default: 'default',
};

// The charset the last body was read in; when the bytes overruled the source's label (or it gave none), why, in words.
function charsetCell(charset: SourceStatus['charset']): string {
  if (!charset) return '<span class="muted">–</span>';
  const head = `${escapeXml(charset.name)} <span class="muted">(${CHARSET_HOW[charset.how]})</span>`;
  if (charset.how === 'detected') return `${head}<br><span class="muted">${escapeXml(charset.reason)}</span>`;
  return `<span title="${escapeAttr(charset.reason)}">${head}</span>`;
}

// A source its hub pushes: the next check is only the safety net.
function websubNote(row: SourceStatus): string {
  const sub = row.subscription;
  if (!sub) return '';
  const words = { active: 'WebSub: pushed by its hub', pending: 'WebSub: subscribing', denied: 'WebSub: denied by the hub', expired: 'WebSub: lease ended' }[
    sub.state
  ];
  const title = sub.error ?? (sub.leaseExpiresAt ? `lease until ${sub.leaseExpiresAt}` : '');
  return `<br><span class="muted"${title ? ` title="${escapeAttr(title)}"` : ''}>${words}</span>`;
}

/** "3 failing (2 timeout, 1 http)": the failing sources, by their error codes, most common first. */
function failingSummary(rows: SourceStatus[]): string {
  const failing = rows.filter((r) => r.lastError !== null || r.consecutiveFailures > 0);
  const byCode = new Map<string, number>();
  for (const r of failing) if (r.lastErrorCode) byCode.set(r.lastErrorCode, (byCode.get(r.lastErrorCode) ?? 0) + 1);
  const codes = [...byCode].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([code, n]) => `${n} ${escapeXml(code)}`);
  return `${failing.length} failing${codes.length ? ` (${codes.join(', ')})` : ''}`;
}

/** The status page: every source's health, last check, next check, identity policy, charset and WebSub subscription. */
export function renderStatusPage(rows: SourceStatus[], ctx: { baseUrl: string; generatedAt: string }): string {
  const paused = rows.filter((r) => r.paused).length;
  const body: string[] = [
    '<header>\n',
    `<nav><a href="${escapeAttr(`${ctx.baseUrl}/`)}">All categories</a> <a href="${escapeAttr(`${ctx.baseUrl}/status.json`)}" type="application/json">status.json</a></nav>\n`,
    '<h1>Source status</h1>\n',
    `<p class="meta">${plural(rows.length, 'source', 'sources')} · ${failingSummary(rows)} · ${paused} paused · as of ${humanTime(firstDate(ctx.generatedAt))}</p>\n`,
    '</header>\n<main>\n',
  ];
  if (rows.length === 0) {
    body.push('<p>No sources registered.</p>\n');
  } else {
    body.push(
      '<div class="table"><table>\n<thead><tr><th scope="col">Source</th><th scope="col">Categories</th><th scope="col">Last check</th>',
      '<th scope="col">Last success</th><th scope="col">HTTP</th><th scope="col">Problem</th><th scope="col">Items</th><th scope="col">Identity</th><th scope="col">Charset</th><th scope="col">Next check</th></tr></thead>\n<tbody>\n',
    );
    for (const row of rows) {
      const classes = [row.paused ? 'paused' : '', row.lastError || row.consecutiveFailures > 0 ? 'bad' : ''].filter(Boolean).join(' ');
      body.push(
        `<tr${classes ? ` class="${classes}"` : ''} id="${escapeAttr(`source-${row.id}`)}">`,
        `<td><a href="${escapeAttr(row.url)}">${escapeXml(row.title || row.url)}</a><br><span class="muted">${escapeXml(row.id)}</span></td>`,
        `<td>${row.categories.map((slug) => `<a href="${escapeAttr(`${ctx.baseUrl}/c/${slug}`)}">${escapeXml(slug)}</a>`).join(', ')}</td>`,
        `<td>${optionalTime(row.lastCheckedAt)}${row.lastOutcome === 'pushed' ? '<br><span class="muted">pushed by the hub</span>' : ''}</td>`,
        `<td>${optionalTime(row.lastSuccessAt)}</td>`,
        `<td>${httpStatus(row.lastStatus)}</td>`,
        `<td class="problem">${problem(row)}</td>`,
        `<td class="num">${row.itemCount}</td>`,
        `<td>${identityPolicyLabel(row.identityPolicy)}</td>`,
        `<td>${charsetCell(row.charset)}</td>`,
        `<td>${row.paused ? '<span class="muted">paused</span>' : optionalTime(row.nextCheckAt)}${websubNote(row)}</td>`,
        '</tr>\n',
      );
    }
    body.push('</tbody>\n</table></div>\n');
  }
  body.push('</main>\n');
  return page({ lang: 'en', title: 'Source status', body: body.join('') });
}
