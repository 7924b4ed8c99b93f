// The demo's source websites on 127.0.0.1:8799: the bundled feeds with the headers real servers send
// (charset or none, ETag / Last-Modified with 304, gzip), generated pictures, and a small page per article; and a
// WebSub hub at /hub (scripts/demo/hub.mjs) for the hub-backed source, whose new stories it pushes:
//   POST /hub            subscribe / unsubscribe (the Worker's Directory asks), verified against the callback
//   GET  /hub            the subscriptions (no secrets), as JSON
//   POST /hub/publish    a new story on top of the hub-backed feed (?title=… optional), pushed to every subscriber;
//                        answers what was pushed where (scripts/demo/push.mjs calls it and times the result)
// `npm start` runs it in-process; alone: `npx node scripts/demo/server.mjs` (then curl it).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DEMO_HOST, DEMO_ORIGIN, DEMO_PORT, HUB_URL, SOURCES, feedUrl } from './catalog.mjs';
import { PUSH_STORIES, STORIES } from './stories.mjs';
import { renderPng } from './images.mjs';
import { buildFeed } from './generate.mjs';
import { createHub } from './hub.mjs';

const FEEDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'feeds');
const HUB_PATH = new URL(HUB_URL).pathname;

/** Everything a feed response needs: the bytes, their validators and their gzip form. */
function feedEntry(source, bytes, stories) {
  const hash = createHash('sha1').update(bytes).digest('hex').slice(0, 20);
  const newest = Math.max(...stories.map((item) => Date.parse(item.date)));
  return {
    source,
    bytes,
    gzipped: source.gzip ? gzipSync(bytes) : null,
    etag: source.validators.etag ? (source.weakEtag ? `W/"${hash}"` : `"${hash}"`) : null,
    lastModified: source.validators.lastModified ? new Date(newest).toUTCString() : null,
  };
}

/** The committed feeds, read once at start. */
function loadFeeds() {
  const byPath = new Map();
  for (const source of SOURCES) byPath.set(source.path, feedEntry(source, readFileSync(join(FEEDS_DIR, source.file)), STORIES[source.id]));
  return byPath;
}

/** ISO 8601 in the demo newsrooms' offset (+07:00), to the second. */
function ictIso(ms) {
  return `${new Date(ms + 7 * 3600_000).toISOString().slice(0, 19)}+07:00`;
}

/** The `n`th pushed story (PUSH_STORIES in turn), stamped with the time it was pushed. */
function pushedStory(source, n, title, now = Date.now()) {
  const t = PUSH_STORIES[(n - 1) % PUSH_STORIES.length];
  const date = ictIso(now);
  const clock = date.slice(11, 19);
  return {
    id: `${source.id}-push-${now}-${n}`,
    path: `/${source.id}/tin-nong/${t.slug}-${now.toString(36)}.html`,
    title: title || `${t.title} (tin nóng ${clock})`,
    date,
    author: t.author,
    tags: t.tags,
    summary: t.summary,
  };
}

function articlesByPath() {
  const byPath = new Map();
  for (const source of SOURCES) {
    for (const item of STORIES[source.id]) {
      if (item.path && !byPath.has(item.path)) byPath.set(item.path, { source, item });
    }
  }
  return byPath;
}

/** RFC 9110 conditional GET: If-None-Match wins over If-Modified-Since; ETags compare weakly. */
export function isNotModified(requestHeaders, etag, lastModified) {
  const ifNoneMatch = requestHeaders['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (!etag) return false;
    const opaque = (tag) => tag.trim().replace(/^W\//, '');
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
  }
  const ifModifiedSince = requestHeaders['if-modified-since'];
  if (ifModifiedSince !== undefined && lastModified) {
    const since = Date.parse(ifModifiedSince);
    return Number.isFinite(since) && Date.parse(lastModified) <= since;
  }
  return false;
}

/** Accept-Encoding names gzip (or *) with a non-zero quality. */
function acceptsGzip(header) {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

const html = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function page(title, body, head = '') {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${html(title)}</title>${head}
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}img{max-width:100%}small{color:#666}</style>
</head><body>${body}
<hr><small>Invented content served by the Tributary demo (scripts/demo). Not a real news outlet.</small></body></html>`;
}

function sourceHome(source, extra = []) {
  const alternate = `<link rel="alternate" type="${source.contentType.split(';')[0]}" title="${html(source.title)}" href="${feedUrl(source)}">`;
  const items = [...STORIES[source.id], ...extra]
    .sort((a, b) => Date.parse(b.date) - Date.parse(a.date))
    .map((item) => `<li><a href="${html(item.link ?? item.path)}">${html(item.title)}</a> <small>${html(item.date)}</small></li>`)
    .join('\n');
  return page(
    source.title,
    `<h1>${html(source.title)}</h1><p>Feed: <a href="${source.path}">${html(source.path)}</a> (${html(source.format)}, ${html(source.encoding)})</p><ul>${items}</ul>`,
    alternate,
  );
}

function articlePage({ source, item }) {
  const image = item.image
    ? `<figure><img src="/img/${item.image.name}.png" alt="${html(item.image.caption)}"><figcaption>${html(item.image.caption)}</figcaption></figure>`
    : '';
  return page(
    item.title,
    `<p><a href="/${source.id}/">${html(source.title)}</a></p><h1>${html(item.title)}</h1>` +
      `<p><small>${html(item.author ?? item.credit ?? '')} · ${html(item.date)}</small></p>${item.summary}${item.content ?? ''}${image}`,
  );
}

function demoIndex() {
  const rows = SOURCES.map(
    (s) =>
      `<li><a href="/${s.id}/">${html(s.title)}</a> — <a href="${s.path}">${html(s.path)}</a> <small>${html(s.format)}, ${html(s.encoding)}; categories: ${s.categories.join(', ')}${s.hub ? `; pushed by the WebSub hub <a href="${HUB_PATH}">${HUB_PATH}</a>` : ''}</small></li>`,
  ).join('\n');
  return page('Tributary demo sources', `<h1>Tributary demo sources</h1><ul>${rows}</ul>`);
}

/**
 * Starts the demo server. Resolves once listening; rejects (e.g. EADDRINUSE) when it cannot.
 * @param {{ host?: string, port?: number, log?: (line: string) => void, hubStateFile?: string }} options
 *   `hubStateFile`: where the hub keeps its subscriptions between runs (the Worker's local state outlives a run too).
 * @returns {Promise<{ origin: string, hub: ReturnType<typeof createHub>, close: () => Promise<void> }>}
 */
export function startDemoServer({ host = DEMO_HOST, port = DEMO_PORT, log = console.log, hubStateFile } = {}) {
  const feeds = loadFeeds();
  const articles = articlesByPath();
  const hubSources = SOURCES.filter((s) => s.hub);
  const hub = createHub({ url: HUB_URL, topics: (topic) => hubSources.some((s) => feedUrl(s) === topic), stateFile: hubStateFile, log });
  const pushed = new Map(hubSources.map((s) => [s.id, []])); // source id → stories published through the hub

  /** A new story on top of the hub-backed feed, served from now on, and pushed to the feed's subscribers. */
  async function publish(source, title) {
    const list = pushed.get(source.id);
    const story = pushedStory(source, list.length + 1, title);
    list.push(story);
    const stories = [...STORIES[source.id], ...list];
    const entry = feedEntry(source, buildFeed(source, stories), stories);
    feeds.set(source.path, entry);
    articles.set(story.path, { source, item: story });
    const topic = feedUrl(source);
    const deliveries = await hub.publish(topic, entry.bytes, source.contentType);
    return { source: source.id, topic, story: { title: story.title, link: DEMO_ORIGIN + story.path, date: story.date }, deliveries };
  }

  async function route(req, res) {
    const url = new URL(req.url ?? '/', DEMO_ORIGIN);
    const path = decodeURIComponent(url.pathname);
    let note = '';
    const send = (status, headers, body) => {
      const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
      if (bytes) headers['content-length'] = String(bytes.length);
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' || status === 304 ? undefined : bytes);
      log(`${req.method} ${req.url} → ${status}${note}`);
    };

    if (path === HUB_PATH && req.method === 'POST') {
      log(`${req.method} ${req.url} (hub)`);
      return hub.handle(req, res);
    }
    if (path === HUB_PATH && req.method === 'GET') {
      return send(
        200,
        { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        `${JSON.stringify({ hub: HUB_URL, topics: hubSources.map(feedUrl), subscriptions: hub.list() }, null, 2)}\n`,
      );
    }
    if (path === `${HUB_PATH}/publish` && req.method === 'POST') {
      req.resume();
      const source = hubSources.find((s) => s.id === (url.searchParams.get('source') ?? hubSources[0]?.id));
      if (!source) return send(404, { 'content-type': 'text/plain; charset=utf-8' }, 'no hub-backed source of that id\n');
      const result = await publish(source, url.searchParams.get('title')?.trim().slice(0, 200));
      note = ` (${result.deliveries.length} subscriber(s))`;
      return send(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, `${JSON.stringify(result, null, 2)}\n`);
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, 'method not allowed\n');
    }

    const feed = feeds.get(path);
    if (feed) {
      const headers = { 'content-type': feed.source.contentType, 'cache-control': 'public, max-age=300' };
      if (feed.etag) headers.etag = feed.etag;
      if (feed.lastModified) headers['last-modified'] = feed.lastModified;
      if (feed.gzipped) headers.vary = 'Accept-Encoding';
      if (isNotModified(req.headers, feed.etag, feed.lastModified)) return send(304, headers);
      if (feed.gzipped && acceptsGzip(req.headers['accept-encoding'])) {
        headers['content-encoding'] = 'gzip';
        note = ' (gzip)';
        return send(200, headers, feed.gzipped);
      }
      return send(200, headers, feed.bytes);
    }

    const img = /^\/img\/([a-z0-9-]{1,80})\.png$/.exec(path);
    if (img) {
      const png = renderPng(img[1]);
      const etag = `"${createHash('sha1').update(png).digest('hex').slice(0, 16)}"`;
      const headers = { 'content-type': 'image/png', 'cache-control': 'public, max-age=86400', etag };
      return send(isNotModified(req.headers, etag, null) ? 304 : 200, headers, png);
    }

    const htmlHeaders = { 'content-type': 'text/html; charset=utf-8' };
    if (path === '/') return send(200, htmlHeaders, demoIndex());
    const article = articles.get(path);
    if (article) return send(200, htmlHeaders, articlePage(article));
    const home = SOURCES.find((s) => path.startsWith(`/${s.id}/`) && path.endsWith('/'));
    if (home) return send(200, htmlHeaders, sourceHome(home, pushed.get(home.id)));
    return send(404, { 'content-type': 'text/plain; charset=utf-8' }, 'not found\n');
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error) => {
      log(`${req.method} ${req.url} failed: ${error.stack ?? error}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('demo server error\n');
    });
  });
  server.keepAliveTimeout = 5_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        origin: `http://${host}:${port}`,
        hub,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const portArg = process.argv.indexOf('--port');
  const port = portArg > 0 ? Number(process.argv[portArg + 1]) : DEMO_PORT;
  const hubStateFile = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.wrangler', 'demo', 'hub.json');
  startDemoServer({ port, hubStateFile, log: (line) => console.log(`[demo] ${line}`) }).then(
    ({ origin, close }) => {
      console.log(`[demo] serving ${SOURCES.length} demo feeds on ${origin}/ (Ctrl-C to stop)`);
      for (const s of SOURCES) console.log(`[demo]   ${origin}${s.path}`);
      const stop = () => close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error) => {
      console.error(`[demo] cannot listen on ${DEMO_HOST}:${port}: ${error.message}`);
      process.exit(1);
    },
  );
}
