// The operator console's pages: sign-in, sources with their health, categories, OPML. Server-rendered, no script;
// every form posts to /admin/console/<action> with the session's CSRF token, and those go through the admin API.
import type { Category, CheckEntry, SourceState, SourceStatus, SourceView } from '../model';
import { SLUG_PATTERN } from '../patterns';
import { PAGE_STYLE } from './html';
import { escapeAttr, escapeXml } from './xml';

/** Console additions to the public pages' style; phones first, a wider grid from 50rem. */
export const CONSOLE_STYLE = `
body{max-width:72rem}
form.inline{display:inline}
header nav{display:flex;flex-wrap:wrap;gap:.3rem 1rem}header nav a{white-space:nowrap;margin:0}
label{display:block;margin:.4rem 0 .1rem;font-weight:600;font-size:.9rem}
input[type=text],input[type=url],input[type=password],input[type=number],input[type=search],textarea,select{width:100%;max-width:40rem;padding:.45rem .5rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--line);border-radius:4px}
button{font:inherit;padding:.35rem .8rem;margin:.2rem .3rem .2rem 0;border:1px solid var(--line);border-radius:4px;background:transparent;color:var(--link);cursor:pointer}
button.danger{color:var(--bad)}
.flash{padding:.6rem .8rem;border:1px solid var(--line);border-left:4px solid var(--link);margin:1rem 0;overflow-wrap:anywhere}
.flash.bad{border-left-color:var(--bad)}
.health{display:inline-block;width:.7rem;height:.7rem;border-radius:50%;margin-right:.35rem;background:var(--muted)}
.health.ok{background:#2e8540}.health.bad{background:var(--bad)}.health.paused{background:var(--warn)}
section{margin:1.5rem 0}
details{margin:.3rem 0}
.sources td{overflow-wrap:break-word}.sources a.url{overflow-wrap:anywhere}
@media (max-width:49.99rem){table.sources thead{display:none}table.sources tr{display:block;padding:.6rem 0;border-bottom:1px solid var(--line)}table.sources td{display:block;border:0;padding:.15rem 0;text-align:left}table.sources td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:var(--muted)}table.sources td.num{text-align:left}}
label.check{font-weight:400}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0}dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
@media (min-width:50rem){.cols{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}}
`;

export interface ConsoleView {
  csrf: string;
  sources: SourceView[];
  statuses: SourceStatus[];
  /** The state of the source being edited: its latest checks, what its feed declared. */
  selectedState?: SourceState;
  categories: Category[];
  query?: string;
  selected?: string;
  flash?: { ok: boolean; text: string };
}

function shell(title: string, body: string): string {
  return [
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="robots" content="noindex">\n',
    `<title>${escapeXml(title)}</title>\n<style>${PAGE_STYLE}</style>\n<style>${CONSOLE_STYLE}</style>\n</head>\n<body>\n`,
    body,
    '</body>\n</html>\n',
  ].join('');
}

/** The console's sign-in form, with why the last try failed (or the console is off) or a notice (signed out). */
export function renderSignIn(opts: { failed?: string; notice?: string } = {}): string {
  const failed = opts.failed
    ? `<p class="flash bad" role="alert">${escapeXml(opts.failed)}</p>\n`
    : opts.notice
      ? `<p class="flash" role="status">${escapeXml(opts.notice)}</p>\n`
      : '';
  return shell(
    'Sign in · Tributary',
    `<header><h1>Tributary console</h1></header>\n<main>\n${failed}<form method="post" action="/admin/login">\n` +
      '<label for="token">Admin token</label>\n<input type="password" id="token" name="token" autocomplete="current-password" required>\n' +
      '<p><button type="submit">Sign in</button></p>\n</form>\n</main>\n',
  );
}

function hidden(csrf: string): string {
  return `<input type="hidden" name="csrf" value="${escapeAttr(csrf)}">`;
}

function action(csrf: string, path: string, fields: Record<string, string>, label: string, cls = ''): string {
  const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${escapeAttr(k)}" value="${escapeAttr(v)}">`);
  const button = `<button type="submit"${cls ? ` class="${cls}"` : ''}>${escapeXml(label)}</button>`;
  return `<form class="inline" method="post" action="${path}">${hidden(csrf)}${inputs.join('')}${button}</form>`;
}

function healthOf(s: SourceStatus | undefined): { cls: string; words: string } {
  if (!s) return { cls: '', words: 'not checked yet' };
  if (s.paused) return { cls: 'paused', words: 'paused' };
  if (s.consecutiveFailures > 0) return { cls: 'bad', words: `failing (${s.consecutiveFailures})` };
  return s.lastCheckedAt ? { cls: 'ok', words: 'healthy' } : { cls: '', words: 'not checked yet' };
}

function matches(source: SourceView, query: string | undefined): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  return [source.id, source.url, source.title ?? '', ...source.categories].some((f) => f.toLowerCase().includes(q));
}

function sourceRow(v: ConsoleView, source: SourceView, status: SourceStatus | undefined): string {
  const health = healthOf(status);
  // Before its first poll a source has no feed title, and its URL is shown just below: name it by its id.
  const title = escapeXml(source.title ?? (status && status.title !== source.url ? status.title : source.id));
  const problem = status?.lastError ? `<br><span class="muted">${escapeXml(status.lastError)}</span>` : '';
  const checked = status?.lastCheckedAt ? escapeXml(status.lastCheckedAt.slice(0, 16).replace('T', ' ')) + ' UTC' : '–';
  const actions = [
    `<a href="/admin?source=${encodeURIComponent(source.id)}#edit">Edit</a> `,
    action(v.csrf, '/admin/console/poll', { id: source.id }, 'Poll now'),
    action(v.csrf, '/admin/console/pause', { id: source.id, paused: source.paused ? 'false' : 'true' }, source.paused ? 'Resume' : 'Pause'),
    action(v.csrf, '/admin/console/remove', { id: source.id }, 'Remove', 'danger'),
  ].join('');
  return (
    `<tr id="source-${escapeAttr(source.id)}"><td><span class="health ${health.cls}" aria-hidden="true"></span>${escapeXml(health.words)}</td>` +
    `<td><strong>${title}</strong><br><a class="url" href="${escapeAttr(source.url)}" rel="noopener noreferrer">${escapeXml(source.url)}</a>${problem}</td>` +
    `<td data-label="Categories">${escapeXml(source.categories.join(', '))}</td><td data-label="Last check">${checked}</td>` +
    `<td class="num" data-label="Items">${status?.itemCount ?? 0}</td><td>${actions}</td></tr>`
  );
}

function sourcesSection(v: ConsoleView): string {
  const byId = new Map(v.statuses.map((s) => [s.id, s]));
  const shown = v.sources.filter((s) => matches(s, v.query));
  const rows = shown.map((s) => sourceRow(v, s, byId.get(s.id))).join('\n');
  const search =
    `<form method="get" action="/admin" role="search"><label for="q">Search sources</label>` +
    `<input type="search" id="q" name="q" value="${escapeAttr(v.query ?? '')}"> <button type="submit">Search</button></form>`;
  return (
    `<section id="sources"><h2>Sources (${shown.length} of ${v.sources.length})</h2>\n${search}\n` +
    '<div class="table"><table class="sources"><thead><tr><th>Health</th><th>Source</th><th>Categories</th><th>Last check</th><th>Items</th><th></th></tr></thead>\n' +
    `<tbody>\n${rows || '<tr><td colspan="6" class="muted">No sources.</td></tr>'}\n</tbody></table></div></section>`
  );
}

interface Field {
  name: string;
  label: string;
  /** Element id when the name repeats on the page (one form per category). */
  id?: string;
  value?: string;
  type?: string;
  extra?: string;
}

function field(f: Field): string {
  const id = f.id ?? f.name;
  return (
    `<label for="${escapeAttr(id)}">${escapeXml(f.label)}</label>` +
    `<input type="${f.type ?? 'text'}" id="${escapeAttr(id)}" name="${f.name}" value="${escapeAttr(f.value ?? '')}"${f.extra ?? ''}>`
  );
}

function addSourceForm(v: ConsoleView): string {
  return (
    `<section id="add"><h2>Add a source</h2><form method="post" action="/admin/console/add">${hidden(v.csrf)}` +
    field({ name: 'url', label: 'Feed or site URL', type: 'url', extra: ' required' }) +
    field({ name: 'categories', label: 'Categories (comma-separated slugs)', extra: ' required' }) +
    field({ name: 'title', label: 'Title (optional)' }) +
    '<p><button type="submit">Add source</button></p></form></section>'
  );
}

function secretField(source: SourceView, name: string, key: string): string {
  const set = source.secretHeaders?.includes(name);
  const hint = set ? ' placeholder="set (hidden): leave empty to keep it"' : '';
  const remove = set ? `<label class="check"><input type="checkbox" name="${key}-remove"> remove the stored ${escapeXml(name)}</label>` : '';
  return field({ name: key, label: `${name} header (secret: never shown back)`, type: 'password', extra: `${hint} autocomplete="off"` }) + remove;
}

function checksTable(checks: CheckEntry[] | undefined): string {
  if (!checks?.length) return '<p class="muted">No checks yet.</p>';
  const rows = checks.map(
    (k) =>
      `<tr><td>${escapeXml(k.at.slice(0, 19).replace('T', ' '))} UTC</td><td>${k.status ?? '–'}</td><td>${escapeXml(k.outcome)}</td>` +
      `<td class="num">${k.items ?? '–'}</td><td>${k.error ? escapeXml(k.error) : ''}</td></tr>`,
  );
  return `<div class="table"><table><thead><tr><th>Time</th><th>HTTP</th><th>Outcome</th><th>Items</th><th>Error</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function subscriptionWords(status: SourceStatus | undefined): string | undefined {
  const sub = status?.subscription;
  if (!sub) return undefined;
  const until = sub.leaseExpiresAt ? `, lease until ${sub.leaseExpiresAt.slice(0, 16).replace('T', ' ')} UTC` : '';
  const pushed = sub.lastPushAt ? `, last push ${sub.lastPushAt.slice(0, 16).replace('T', ' ')} UTC` : '';
  return `${sub.state}${until}${pushed}${sub.error ? ` — ${sub.error}` : ''}`;
}

function declaredList(state: SourceState | undefined, status: SourceStatus | undefined): string {
  const facts: [string, string | undefined][] = [
    ['Title', state?.feedTitle],
    ['Link', state?.feedLink],
    ['WebSub hub', state?.feedHub],
    ['Our subscription', subscriptionWords(status)],
    ['TTL', state?.feedTtlMinutes ? `${state.feedTtlMinutes} minutes` : undefined],
    ['Charset', state?.charset ? `${state.charset.name} (${state.charset.reason})` : undefined],
  ];
  const items = facts.map(([k, value]) => `<dt>${k}</dt><dd>${value ? escapeXml(value) : '<span class="muted">none</span>'}</dd>`);
  return `<dl class="facts">${items.join('')}</dl>`;
}

function sourceDetail(v: ConsoleView): string {
  const state = v.selectedState;
  const status = v.statuses.find((s) => s.id === v.selected);
  return `<div class="cols"><div><h3>Recent checks</h3>${checksTable(state?.checks)}</div><div><h3>What the feed declares</h3>${declaredList(state, status)}</div></div>`;
}

function editSourceForm(v: ConsoleView): string {
  const source = v.sources.find((s) => s.id === v.selected);
  if (!source) return '';
  return (
    `<section id="edit"><h2>Edit ${escapeXml(source.title ?? source.id)}</h2><form method="post" action="/admin/console/edit">${hidden(v.csrf)}` +
    `<input type="hidden" name="id" value="${escapeAttr(source.id)}">` +
    field({ name: 'title', id: 'edit-title', label: 'Title', value: source.title }) +
    field({ name: 'categories', id: 'edit-categories', label: 'Categories (comma-separated slugs)', value: source.categories.join(', '), extra: ' required' }) +
    field({
      name: 'intervalMinutes',
      id: 'edit-interval',
      label: 'Interval in minutes (empty: the default)',
      value: source.intervalMinutes ? String(source.intervalMinutes) : '',
      type: 'number',
      extra: ' min="5" max="10080"',
    }) +
    `<label class="check"><input type="checkbox" id="edit-paused" name="paused"${source.paused ? ' checked' : ''}> Paused (not polled until resumed)</label>` +
    field({ name: 'userAgent', id: 'edit-user-agent', label: 'User-Agent (empty: Tributary’s own)', value: source.userAgent }) +
    field({ name: 'header-accept-language', label: 'Accept-Language header', value: source.headers?.['Accept-Language'] }) +
    secretField(source, 'Cookie', 'header-cookie') +
    secretField(source, 'Authorization', 'header-authorization') +
    '<p><button type="submit">Save</button></p></form>' +
    sourceDetail(v) +
    '</section>'
  );
}

function categoryForm(v: ConsoleView, c: Category | undefined): string {
  const id = c ? `cat-${c.slug}` : 'cat-new';
  const named = (name: string, label: string, value?: string, extra?: string) => field({ name, id: `${id}-${name}`, label, value, extra });
  const slug = c ? `<input type="hidden" name="slug" value="${escapeAttr(c.slug)}">` : named('slug', 'Slug', '', ` required pattern="${SLUG_PATTERN}"`);
  return (
    `<details${c ? '' : ' open'}><summary>${escapeXml(c ? `${c.title} (${c.slug})` : 'New category')}</summary>` +
    `<form method="post" action="/admin/console/category">${hidden(v.csrf)}${slug}` +
    named('title', 'Title', c?.title, ' required') +
    named('description', 'Description', c?.description) +
    named('language', 'Language (BCP 47, e.g. th, vi)', c?.language) +
    named('include', 'Include keywords (comma-separated)', c?.include?.join(', ')) +
    named('exclude', 'Exclude keywords (comma-separated)', c?.exclude?.join(', ')) +
    '<p><button type="submit">Save category</button></p></form></details>'
  );
}

function categoriesSection(v: ConsoleView): string {
  const forms = v.categories.map((c) => categoryForm(v, c)).join('\n');
  return `<section id="categories"><h2>Categories</h2>\n${forms}\n${categoryForm(v, undefined)}</section>`;
}

function opmlSection(v: ConsoleView): string {
  return (
    `<section id="opml"><h2>OPML</h2><form method="post" action="/admin/console/opml" enctype="multipart/form-data">${hidden(v.csrf)}` +
    '<label for="opml-file">Import an OPML file (Miniflux, FreshRSS, ours)</label><input type="file" id="opml-file" name="file" accept=".opml,.xml,text/xml,text/x-opml" required>' +
    '<p><button type="submit">Import</button> <a href="/feeds.opml">Export OPML</a></p></form></section>'
  );
}

/** The console: sources with their health, the source being edited, the add and OPML forms, and the categories. */
export function renderConsole(v: ConsoleView): string {
  const flash = v.flash ? `<p class="flash${v.flash.ok ? '' : ' bad'}" role="status">${escapeXml(v.flash.text)}</p>\n` : '';
  const nav =
    '<nav><a href="/admin#sources">Sources</a><a href="/admin#add">Add</a><a href="/admin#categories">Categories</a><a href="/admin#opml">OPML</a><a href="/status">Status</a><a href="/">Public site</a></nav>';
  const signOut = action(v.csrf, '/admin/logout', {}, 'Sign out');
  return shell(
    'Console · Tributary',
    `<header><h1>Tributary console</h1>${nav}\n${signOut}</header>\n<main>\n${flash}${sourcesSection(v)}\n${editSourceForm(v)}\n` +
      `<div class="cols">${addSourceForm(v)}\n${opmlSection(v)}</div>\n${categoriesSection(v)}\n</main>\n`,
  );
}
