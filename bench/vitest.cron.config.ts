// The workerd part of `npm run bench` (bench/cron.bench.test.ts): the production runtime with real local KV and real
// Durable Objects, the feed origin in Node (bench/cron-setup.mjs).
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { consumerBatchOf } from './layout';

const root = fileURLToPath(new URL('..', import.meta.url));
// Queue consumers take wrangler.toml's max_batch_size messages per invocation: the bench does the same.
const consumerBatch = consumerBatchOf(readFileSync(`${root}wrangler.toml`, 'utf8'));

export default defineConfig({
  root,
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: `${root}wrangler.toml` },
      miniflare: {
        bindings: {
          BENCH_ORIGIN: inject<string>('benchOrigin'),
          PRIVATE_SOURCE_ORIGINS: inject<string>('benchOrigin'),
          ADMIN_TOKEN: 'bench-admin-token',
          // Every bench source lives on one local host: no per-host spacing, or 500 fetches would take 500 s.
          HOST_SPACING_MS: '0',
          BENCH_QUICK: process.env.TRIBUTARY_BENCH_QUICK === '1' ? '1' : '0',
          BENCH_QUEUE_10K: process.env.TRIBUTARY_BENCH_QUEUE_10K === '0' ? '0' : '1',
          BENCH_CONSUMER_BATCH: String(consumerBatch),
        },
      },
    })),
  ],
  test: {
    globalSetup: [`${root}bench/cron-setup.mjs`],
    include: ['bench/cron.bench.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    // One file, tests in order: each posts its figures as it finishes.
    fileParallelism: false,
  },
});
