import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          ADMIN_TOKEN: 'test-admin-token',
          PUBLIC_BASE_URL: 'https://tributary.test',
          FIXTURE_ORIGIN: inject<string>('fixtureOrigin'),
          PRIVATE_SOURCE_ORIGINS: inject<string>('fixtureOrigin'),
          // Every fixture source lives on one host; tests that check pacing set their own spacing.
          HOST_SPACING_MS: '0',
        },
        // A real Miniflare queue for the queue-mode test: producer binding, consumer = this Worker's queue().
        queueProducers: { TEST_POLL_QUEUE: { queueName: 'tributary-poll-test' } },
        queueConsumers: { 'tributary-poll-test': { maxBatchSize: 6, maxBatchTimeout: 1, maxRetries: 2 } },
      },
    })),
  ],
  test: {
    globalSetup: ['./test/support/fixture-server.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
