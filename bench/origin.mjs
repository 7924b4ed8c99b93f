// The bench's local feed origin (Node): many generated sources, conditional GETs, and a switch to change them.
//   GET  /src/<i>.xml      source i at its current generation (ETag + Last-Modified; 304 when they match)
//   POST /__bump           {"ids":[...]} | {"every":k,"count":n} | {"all":true,"count":n}: those gain one story (new ETag)
//   GET  /__hits           {total, byStatus} of /src/ requests; POST /__hits/reset zeroes the tally
//   POST /__results/<name> stores a JSON body (how the workerd bench hands its figures back to Node)
import { createServer } from 'node:http';
import { sourceFeed } from './generate.mjs';

/** The bench's sources: each at a generation; answers a conditional GET the way a well-behaved origin does. */
export class SourceSet {
  generation = new Map(); // source index → generation
  bodies = new Map(); // `${i}@${gen}` → Buffer, generated once

  /** Status, headers and body for GET of source `i` with these request headers (lower-case names). */
  respond(i, reqHeaders) {
    const gen = this.generation.get(i) ?? 0;
    const etag = `"s${i}-g${gen}"`;
    const lastModified = new Date(Date.UTC(2025, 0, 1) + gen * 600_000).toUTCString();
    const headers = { etag, 'last-modified': lastModified, 'content-type': 'application/rss+xml; charset=utf-8', 'cache-control': 'max-age=60' };
    const inm = reqHeaders['if-none-match'];
    if (inm === etag || (!inm && reqHeaders['if-modified-since'] === lastModified)) return { status: 304, headers, body: null };
    const key = `${i}@${gen}`;
    let body = this.bodies.get(key);
    if (!body) {
      body = Buffer.from(sourceFeed(i, gen), 'utf8');
      this.bodies.set(key, body);
    }
    return { status: 200, headers, body };
  }

  /** Sources gain one story each: `{ids}`, or every k-th of `count` (`{every, count}`), or all `count` (`{all, count}`). */
  bump(spec) {
    const n = Number(spec.count ?? 0);
    const ids = spec.ids ?? (spec.all ? [...Array(n).keys()] : spec.every ? [...Array(n).keys()].filter((i) => i % spec.every === 0) : []);
    for (const i of ids) this.generation.set(i, (this.generation.get(i) ?? 0) + 1);
    return ids.length;
  }
}

export async function startOrigin({ host = '127.0.0.1', port = 0 } = {}) {
  const sources = new SourceSet();
  const results = new Map();
  let hits = { total: 0, byStatus: {} };
  const tally = (status) => {
    hits.total++;
    hits.byStatus[status] = (hits.byStatus[status] ?? 0) + 1;
  };
  const readJson = async (req) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? JSON.parse(text) : {};
  };

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://origin');
      const p = url.pathname;
      const m = /^\/src\/(\d+)\.xml$/.exec(p);
      if (m && req.method === 'GET') {
        const answer = sources.respond(Number(m[1]), req.headers);
        tally(answer.status);
        res.writeHead(answer.status, answer.headers).end(answer.body ?? undefined);
      } else if (p === '/__bump' && req.method === 'POST') {
        const bumped = sources.bump(await readJson(req));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bumped }));
      } else if (p === '/__hits' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hits));
      } else if (p === '/__hits/reset' && req.method === 'POST') {
        hits = { total: 0, byStatus: {} };
        res.writeHead(204).end();
      } else if (p.startsWith('/__results/') && req.method === 'POST') {
        results.set(decodeURIComponent(p.slice('/__results/'.length)), await readJson(req));
        res.writeHead(204).end();
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const origin = `http://${host}:${server.address().port}`;
  return {
    origin,
    sources,
    results,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
