// vitest globalSetup for `npm run conformance` (runs in Node): serves the public corpus
// (../shared/corpus, read-only) to the runner inside workerd, and writes the report it posts back.
import { createServer, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join, normalize, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

export const CORPUS_DIR = resolve(process.env.CORPUS_DIR ?? join(process.cwd(), '..', 'shared', 'corpus'));
export const REPORT_FILE = join(process.cwd(), 'conformance-report.json');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname.startsWith('/corpus/')) {
        const rel = normalize(decodeURIComponent(url.pathname.slice(8))).replace(/^(\.\.[/\\])+/, '');
        const data = await readFile(join(CORPUS_DIR, rel));
        res.writeHead(200, { 'content-type': /\.jsonl?$/.test(rel) ? 'application/json' : 'application/octet-stream' }).end(data);
      } else if (url.pathname === '/report' && req.method === 'POST') {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        await writeFile(REPORT_FILE, Buffer.concat(chunks));
        res.writeHead(204).end();
      } else {
        res.writeHead(404).end();
      }
    } catch (err) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(String(err));
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('corpus server did not bind');
  project.provide('corpusOrigin', `http://127.0.0.1:${addr.port}`);
  return async () => {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  };
}
