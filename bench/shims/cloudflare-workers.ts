// `cloudflare:workers` for the Node half of the bench (bench/run.mjs aliases the import to this file when it bundles
// bench/cpu.ts): the Durable Object base class the objects extend. The bench's runtime (bench/runtime.ts) hands each
// object its `ctx` (SQLite storage on node:sqlite, alarms) and `env` (the namespaces, an in-memory KV).
export class DurableObject<E = unknown> {
  protected ctx: DurableObjectState;
  protected env: E;
  constructor(ctx: DurableObjectState, env: E) {
    this.ctx = ctx;
    this.env = env;
  }
}

/** Not used by the code under test in Node: the bench passes `env` to every handler explicitly. */
export const env = {};
