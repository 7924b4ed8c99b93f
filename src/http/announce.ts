// After a run: cache purge and WebSub (W3C) pings, so subscribers get pushes instead of polling us.
import { purgeCached } from './caching';
import { forgetRemembered } from './memo';
import { forgetPointers } from './versions';
import { done, errorText, failed, type Result } from '../errors';

/** The topic URLs of a river: each feed format, as advertised in rel="self". */
export function topicsOf(baseUrl: string, slug: string): string[] {
  return ['rss', 'atom', 'json'].map((ext) => `${baseUrl}/feeds/${slug}.${ext}`);
}

/**
 * Pings the hub once (hub.mode=publish) with every topic of every changed river: one subrequest per run, whatever
 * changed. Failures are logged, never thrown.
 */
export async function notifyHub(hub: string, baseUrl: string, slugs: string[]): Promise<Result<object, 'http' | 'network'>> {
  const body = new URLSearchParams([['hub.mode', 'publish'], ...slugs.flatMap((s) => topicsOf(baseUrl, s)).map((t) => ['hub.url', t])]);
  const sent = await publish(hub, body);
  if (!sent.ok) console.warn(`WebSub publish for ${slugs.join(', ')} failed: ${sent.reason}`);
  return sent;
}

async function publish(hub: string, body: URLSearchParams): Promise<Result<object, 'http' | 'network'>> {
  try {
    const res = await fetch(hub, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await res.body?.cancel();
    return res.ok ? done : failed('http', `HTTP ${res.status} from hub`);
  } catch (err) {
    return failed('network', errorText(err));
  }
}

/** A deployment as the serve path caches it: its public base and its key prefix. */
export interface CacheScope {
  base: string;
  prefix: string;
}

/**
 * After a change: this colo forgets the changed rivers' versions (every cached view of them is keyed by version, so
 * none is found again) and its cached index page, and this isolate what it remembered of the registry.
 */
export async function purgeRivers(scope: CacheScope, slugs: string[]): Promise<void> {
  forgetRemembered(scope.prefix);
  await Promise.all([forgetPointers(scope.base, slugs), purgeCached([`${scope.base}/`])]);
}

/** After a run: drop this colo's cached copies of what changed, then tell the WebSub hub. */
export async function announceChanges(scope: CacheScope, hub: string | undefined, slugs: string[]): Promise<void> {
  await purgeRivers(scope, slugs);
  if (hub && slugs.length) await notifyHub(hub, scope.base, slugs);
}
