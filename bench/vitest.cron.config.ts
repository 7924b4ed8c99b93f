// The cron-cycle part of `npm run bench`, in workerd (the production runtime) with real local KV.
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

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
        },
      },
    })),
  ],
  test: {
    globalSetup: [`${root}bench/cron-setup.mjs`],
    include: ['bench/cron.bench.test.ts'],
    testTimeout: 300_000,
  },
});
