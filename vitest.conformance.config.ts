// `npm run conformance`: our ingest over the public corpus, inside workerd (the production runtime).
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: { bindings: { CORPUS_ORIGIN: inject<string>('corpusOrigin') } },
    })),
  ],
  test: {
    globalSetup: ['./scripts/conformance-server.ts'],
    include: ['scripts/conformance.test.ts'],
    testTimeout: 600_000,
  },
});
