// Where each Durable Object lives (its name), and the deployment every call carries.
import { readConfig } from '../config';
import type { Deployment, Env, Source } from '../model';

const deployments = new WeakMap<Env, Deployment>();

/** The deployment of an Env: its key prefix and its parsed settings (parsed once per Env). */
export function deploymentOf(env: Env): Deployment {
  let d = deployments.get(env);
  if (!d) {
    d = { prefix: env.STORE_PREFIX ?? '', config: readConfig(env) };
    deployments.set(env, d);
  }
  return d;
}

/** The one Directory of a deployment. */
export function directoryOf(env: Env, d: Deployment) {
  return env.DIRECTORY.get(env.DIRECTORY.idFromName(`${d.prefix}directory`));
}

/** A category's River (and the "all" river's). */
export function riverOf(env: Env, d: Deployment, slug: string) {
  return env.RIVER.get(env.RIVER.idFromName(`${d.prefix}river:${slug}`));
}

/** The sign-in gate of a deployment: console sessions and failed sign-ins. */
export function gateOf(env: Env, d: Deployment) {
  return env.GATE.get(env.GATE.idFromName(`${d.prefix}gate`));
}

/** A source's Feed. Named by its id and creation time: a source removed and added again starts with a fresh memory. */
export function feedOf(env: Env, d: Deployment, source: Pick<Source, 'id' | 'createdAt'>) {
  return env.FEED.get(env.FEED.idFromName(`${d.prefix}feed:${source.id}@${source.createdAt}`));
}

/** Requests each kind of object received in this isolate, per deployment prefix (the bench and tests read them). */
export interface ObjectRequests {
  directory: number;
  feed: number;
  river: number;
}

const requests = new Map<string, ObjectRequests>();

/** This isolate's request counts for a prefix (zero on first use). */
export function objectRequests(prefix: string): ObjectRequests {
  let r = requests.get(prefix);
  if (!r) {
    r = { directory: 0, feed: 0, river: 0 };
    requests.set(prefix, r);
  }
  return r;
}

/** Counts one request to an object of this kind (each is billed: https://developers.cloudflare.com/durable-objects/platform/pricing/). */
export function countRequest(prefix: string, kind: keyof ObjectRequests): void {
  objectRequests(prefix)[kind]++;
}

/** Sets a prefix's request counts back to zero, before a measured run. */
export function resetObjectRequests(prefix: string): void {
  requests.delete(prefix);
}
