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
        },
      },
    })),
  ],
  test: {
    globalSetup: ['./test/support/fixture-server.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
