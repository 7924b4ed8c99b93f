// A local origin for the tests' source feeds (vitest globalSetup, runs in Node, never the internet).
// Tests program it over HTTP from inside workerd:
//   PUT  /__route/<name>  {status?, headers?, body?, bodyBase64?, behaviour?}  → later GET /r/<name> answers it
//   GET  /__hits/<name>   → {hits, lastHeaders, bodies} (bodies: what POSTs to the route carried, e.g. WebSub pings)
// Fixed routes for the hostile cases: /hang, /drip, /gzip-bomb, /bad-gzip, /loop/a, /to-private, /chunked?bytes=N.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { FixtureRoute } from './fixture-route';

const routes = new Map<string, FixtureRoute>();
interface Hits {
  hits: number;
  lastHeaders: Record<string, string | string[] | undefined>;
  bodies: string[];
}
const hits = new Map<string, Hits>();

function record(name: string, req: IncomingMessage): void {
  const h = hits.get(name) ?? { hits: 0, lastHeaders: {}, bodies: [] };
  h.hits += 1;
  h.lastHeaders = req.headers;
  hits.set(name, h);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function serveProgrammed(name: string, req: IncomingMessage, res: ServerResponse, origin: string): void {
  const r = routes.get(name);
  record(name, req);
  if (!r) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('no such fixture route');
    return;
  }
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  if (r.redirectTo) headers.location = r.redirectTo.startsWith('/') ? origin + r.redirectTo : r.redirectTo;
  if (r.conditional) {
    const etag = headers.etag ?? headers.ETag;
    const lm = headers['last-modified'] ?? headers['Last-Modified'];
    if ((etag && req.headers['if-none-match'] === etag) || (lm && req.headers['if-modified-since'] === lm)) {
      res.writeHead(304, headers).end();
      return;
    }
  }
  const body = r.bodyBase64 ? Buffer.from(r.bodyBase64, 'base64') : Buffer.from(r.body ?? '', 'utf8');
  const answer = () => res.writeHead(r.status ?? 200, headers).end(body);
  if (r.delayMs) setTimeout(answer, r.delayMs);
  else answer();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fixtureDir = join(process.cwd(), 'test', 'fixtures');
  let origin = '';
  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', origin);
      const p = url.pathname;
      if (p.startsWith('/__route/') && req.method === 'PUT') {
        routes.set(decodeURIComponent(p.slice(9)), JSON.parse(await readBody(req)) as FixtureRoute);
        hits.delete(decodeURIComponent(p.slice(9)));
        res.writeHead(204).end();
      } else if (p.startsWith('/__hits/')) {
        const h = hits.get(decodeURIComponent(p.slice(8))) ?? { hits: 0, lastHeaders: {}, bodies: [] };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(h));
      } else if (p.startsWith('/r/')) {
        const name = decodeURIComponent(p.slice(3));
        const body = req.method === 'POST' || req.method === 'PUT' ? await readBody(req) : undefined;
        serveProgrammed(name, req, res, origin);
        if (body !== undefined) hits.get(name)?.bodies.push(body);
      } else if (p.startsWith('/files/')) {
        // Static fixture files from test/fixtures (content type from the query, raw bytes).
        const name = p.slice(7).replace(/\.\./g, '');
        const data = await readFile(join(fixtureDir, name));
        res.writeHead(200, { 'content-type': url.searchParams.get('type') ?? 'application/xml' }).end(data);
      } else if (p === '/hang') {
        record('hang', req); // never answers; the client's deadline must end it
      } else if (p === '/drip') {
        record('drip', req);
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.write('<?xml version="1.0"?><rss version="2.0"><channel>');
        const timer = setInterval(() => {
          if (res.destroyed) return clearInterval(timer);
          res.write('<!-- drip -->');
        }, 200);
        req.on('close', () => clearInterval(timer));
      } else if (p === '/gzip-bomb') {
        record('gzip-bomb', req);
        // 64 MiB of zeros in ~64 KiB of gzip: the decompressed-size cap must stop it.
        const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' }).end(bomb);
      } else if (p === '/bad-gzip') {
        record('bad-gzip', req);
        res
          .writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' })
          .end('<rss version="2.0"><channel><title>not gzip</title></channel></rss>');
      } else if (p === '/loop/a' || p === '/loop/b') {
        record(p.slice(1), req);
        res.writeHead(302, { location: p === '/loop/a' ? '/loop/b' : '/loop/a' }).end();
      } else if (p === '/chunked') {
        // ?bytes=N of feed-looking text in 16 KiB chunks with no Content-Length: only a streaming cap can stop it.
        record('chunked', req);
        let left = Number(url.searchParams.get('bytes') ?? '0');
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        const chunk = Buffer.alloc(16 * 1024, 0x20);
        const pump = (): void => {
          while (left > 0 && !res.destroyed) {
            const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
            left -= part.length;
            if (!res.write(part)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end();
        };
        pump();
      } else if (p === '/to-private') {
        record('to-private', req);
        res.writeHead(302, { location: 'http://10.0.0.1/feed.xml' }).end();
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('fixture server did not bind');
  origin = `http://127.0.0.1:${addr.port}`;
  project.provide('fixtureOrigin', origin);
  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    fixtureOrigin: string;
  }
}
