// vitest globalSetup for the cron bench: the feed origin runs in Node; the test in workerd posts its figures
// back to it, and they land in $TRIBUTARY_BENCH_DIR/cron.json (bench/run.mjs reads them).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOrigin } from './origin.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(process.env.TRIBUTARY_BENCH_DIR ?? join(ROOT, 'node_modules', '.cache', 'tributary-bench'), 'cron.json');

export default async function setup(project) {
  const origin = await startOrigin();
  project.provide('benchOrigin', origin.origin);
  return async () => {
    mkdirSync(dirname(OUT), { recursive: true });
    writeFileSync(OUT, JSON.stringify(Object.fromEntries(origin.results), null, 2));
    await origin.close();
  };
}
