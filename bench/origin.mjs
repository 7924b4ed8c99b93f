// The bench's local feed origin (Node): many generated sources, conditional GETs, and a switch to change them.
// Feeds are sized as real news feeds: by default every source serves ~100 KB of RSS (45 stories with Thai/Vietnamese
// HTML bodies, the shape of generate.mjs sizedDocument(100_000)); /__shape gives index ranges a smaller shape (the
// 10,000-source queue bench keeps most of its quiet sources small, so filling the rivers takes seconds, not minutes).
//   GET  /src/<i>.xml      source i at its current generation (ETag + Last-Modified; 304 when they match)
//   POST /__bump           {"ids":[...]} | {"every":k,"count":n} | {"all":true,"count":n}: those gain one story (new ETag);
//                          "by": n instead of one story: n stories (n ≥ items: a whole new window of stories)
//   POST /__shape          {"rules":[{"from":i,"to":j,"items":n,"descChars":c}]}: sources i..j-1 serve that shape
//   GET  /__hits           {total, byStatus} of /src/ requests; POST /__hits/reset zeroes the tally
//   POST /__log           {"line"}: printed on stderr (progress of the workerd bench)
//   POST /__results/<name> stores a JSON body (how the workerd bench hands its figures back to Node)
import { createServer } from 'node:http';
import { sourceFeed } from './generate.mjs';

/** A real news feed's size: 45 stories of ~900 characters of HTML each, about 100 KB of RSS. */
export const NEWS_100K = Object.freeze({ items: 45, descChars: 900 });
/** A quiet source in the 10,000-source bench: three short stories (~3 KB). */
export const SMALL = Object.freeze({ items: 3, descChars: 300 });

/** The bench's sources: each at a generation; answers a conditional GET the way a well-behaved origin does. */
export class SourceSet {
  generation = new Map(); // source index → generation
  bodies = new Map(); // i → { gen, body }: the body of the generation last served, generated once
  rules = []; // [{from, to, items, descChars}], first match wins; default NEWS_100K
  /** Served 200 / 304 since the last reset (the Node bench reads it; the HTTP origin keeps its own tally). */
  served = { 200: 0, 304: 0, bytes: 0 };
  /** Fetches (200 or 304) by source index since the last reset. */
  servedBy = new Map();

  /** `hub`: `{ url, pushing(i) }`: the feeds of the sources `pushing` picks name that WebSub hub. */
  constructor({ rules = [], hub } = {}) {
    this.rules = rules;
    this.hub = hub;
  }

  /** The hub source `i`'s feed names, if any. */
  hubOf(i) {
    return this.hub?.pushing(i) ? this.hub.url : undefined;
  }

  shapeOf(i) {
    const r = this.rules.find((x) => i >= x.from && i < x.to);
    return r ? { items: r.items, descChars: r.descChars } : NEWS_100K;
  }

  /** The body of source `i` at generation `gen` (default: its current one). */
  body(i, gen = this.generation.get(i) ?? 0) {
    const hit = this.bodies.get(i);
    if (hit && hit.gen === gen) return hit.body;
    // Only the current generation is served again: one body per source stays in memory.
    const body = Buffer.from(sourceFeed(i, gen, this.shapeOf(i), { hub: this.hubOf(i) }), 'utf8');
    this.bodies.set(i, { gen, body });
    return body;
  }

  /** Status, headers and body for GET of source `i` with these request headers (lower-case names). */
  respond(i, reqHeaders) {
    const gen = this.generation.get(i) ?? 0;
    const etag = `"s${i}-g${gen}"`;
    const lastModified = new Date(Date.UTC(2025, 0, 1) + gen * 600_000).toUTCString();
    const headers = { etag, 'last-modified': lastModified, 'content-type': 'application/rss+xml; charset=utf-8', 'cache-control': 'max-age=60' };
    const inm = reqHeaders['if-none-match'];
    this.servedBy.set(i, (this.servedBy.get(i) ?? 0) + 1);
    if (inm === etag || (!inm && reqHeaders['if-modified-since'] === lastModified)) {
      this.served[304]++;
      return { status: 304, headers, body: null };
    }
    const body = this.body(i, gen);
    this.served[200]++;
    this.served.bytes += body.length;
    return { status: 200, headers, body };
  }

  resetServed() {
    this.served = { 200: 0, 304: 0, bytes: 0 };
    this.servedBy = new Map();
  }

  /** Sources gain one story each: `{ids}`, or every k-th of `count` (`{every, count}`), or all `count` (`{all, count}`). */
  bump(spec) {
    const n = Number(spec.count ?? 0);
    const ids = spec.ids ?? (spec.all ? [...Array(n).keys()] : spec.every ? [...Array(n).keys()].filter((i) => i % spec.every === 0) : []);
    const by = Math.max(1, Number(spec.by ?? 1));
    for (const i of ids) this.generation.set(i, (this.generation.get(i) ?? 0) + by);
    return ids.length;
  }
}

export async function startOrigin({ host = '127.0.0.1', port = 0, rules = [], hub } = {}) {
  const sources = new SourceSet({ rules, hub });
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
      } else if (p === '/__log' && req.method === 'POST') {
        const { line } = await readJson(req);
        process.stderr.write(`[bench] workerd: ${line}\n`);
        res.writeHead(204).end();
      } else if (p === '/__shape' && req.method === 'POST') {
        const { rules = [] } = await readJson(req);
        sources.rules.push(...rules);
        res.writeHead(204).end();
      } else if (p === '/__generation' && req.method === 'GET') {
        const i = Number(url.searchParams.get('i'));
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ generation: sources.generation.get(i) ?? 0, bytes: sources.body(i).length }));
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
