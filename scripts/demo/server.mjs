// The demo's source websites on 127.0.0.1:8799: the bundled feeds with the headers real servers send
// (charset or none, ETag / Last-Modified with 304, gzip), generated pictures, and a small page per article.
// `npm start` runs it in-process; alone: `npx node scripts/demo/server.mjs` (then curl it).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DEMO_HOST, DEMO_ORIGIN, DEMO_PORT, SOURCES, feedUrl } from './catalog.mjs';
import { STORIES } from './stories.mjs';
import { renderPng } from './images.mjs';

const FEEDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'feeds');

/** Everything a feed response needs, computed once at start. */
function loadFeeds() {
  const byPath = new Map();
  for (const source of SOURCES) {
    const bytes = readFileSync(join(FEEDS_DIR, source.file));
    const hash = createHash('sha1').update(bytes).digest('hex').slice(0, 20);
    const newest = Math.max(...STORIES[source.id].map((item) => Date.parse(item.date)));
    byPath.set(source.path, {
      source,
      bytes,
      gzipped: source.gzip ? gzipSync(bytes) : null,
      etag: source.validators.etag ? (source.weakEtag ? `W/"${hash}"` : `"${hash}"`) : null,
      lastModified: source.validators.lastModified ? new Date(newest).toUTCString() : null,
    });
  }
  return byPath;
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

const html = (s) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function page(title, body, head = '') {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${html(title)}</title>${head}
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}img{max-width:100%}small{color:#666}</style>
</head><body>${body}
<hr><small>Invented content served by the Tributary demo (scripts/demo). Not a real news outlet.</small></body></html>`;
}

function sourceHome(source) {
  const alternate = `<link rel="alternate" type="${source.contentType.split(';')[0]}" title="${html(source.title)}" href="${feedUrl(source)}">`;
  const items = [...STORIES[source.id]]
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
  const image = item.image ? `<figure><img src="/img/${item.image.name}.png" alt="${html(item.image.caption)}"><figcaption>${html(item.image.caption)}</figcaption></figure>` : '';
  return page(
    item.title,
    `<p><a href="/${source.id}/">${html(source.title)}</a></p><h1>${html(item.title)}</h1>` +
      `<p><small>${html(item.author ?? item.credit ?? '')} · ${html(item.date)}</small></p>${item.summary}${item.content ?? ''}${image}`,
  );
}

function demoIndex() {
  const rows = SOURCES.map(
    (s) =>
      `<li><a href="/${s.id}/">${html(s.title)}</a> — <a href="${s.path}">${html(s.path)}</a> <small>${html(s.format)}, ${html(s.encoding)}; categories: ${s.categories.join(', ')}</small></li>`,
  ).join('\n');
  return page('Tributary demo sources', `<h1>Tributary demo sources</h1><ul>${rows}</ul>`);
}

/**
 * Starts the demo server. Resolves once listening; rejects (e.g. EADDRINUSE) when it cannot.
 * @param {{ host?: string, port?: number, log?: (line: string) => void }} options
 * @returns {Promise<{ origin: string, close: () => Promise<void> }>}
 */
export function startDemoServer({ host = DEMO_HOST, port = DEMO_PORT, log = console.log } = {}) {
  const feeds = loadFeeds();
  const articles = articlesByPath();

  const server = createServer((req, res) => {
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
    if (home) return send(200, htmlHeaders, sourceHome(home));
    return send(404, { 'content-type': 'text/plain; charset=utf-8' }, 'not found\n');
  });
  server.keepAliveTimeout = 5_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        origin: `http://${host}:${port}`,
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
  startDemoServer({ port, log: (line) => console.log(`[demo] ${line}`) }).then(
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
