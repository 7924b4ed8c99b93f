import type { Env as TributaryEnv } from '../src/model';

declare global {
  namespace Cloudflare {
    interface Env extends TributaryEnv {
      /** Origin of test/support/fixture-server.ts, injected by vitest.config.ts. */
      FIXTURE_ORIGIN: string;
      /** A real Miniflare queue whose consumer is this Worker (vitest.config.ts). */
      TEST_POLL_QUEUE: Queue<import('../src/model').PollMessage>;
    }
    interface GlobalProps {
      mainModule: typeof import('../src/index');
    }
  }
}
