// What a programmed route of the fixture server answers: written by tests (kv.ts fixtureRoute), served by
// fixture-server.ts. Types only, so both runtimes can import it (workerd for the tests, Node for the server).

export interface FixtureRoute {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  bodyBase64?: string;
  /** Answer 304 when If-None-Match / If-Modified-Since match the route's own ETag / Last-Modified. */
  conditional?: boolean;
  /** Location of a redirect: a path on the fixture server ("/r/…") or an absolute URL. */
  redirectTo?: string;
  /** Answer this much later (a slow origin, so a test can make two requests overlap for sure). */
  delayMs?: number;
}
