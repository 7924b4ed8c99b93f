// After a run: cache purge and WebSub (W3C) pings, so subscribers get pushes instead of polling us.
import { purgeCached } from './caching';
import { forgetPointers } from './versions';
import { errorText } from '../errors';

/** The topic URLs of a river: each feed format, as advertised in rel="self". */
export function topicsOf(baseUrl: string, slug: string): string[] {
  return ['rss', 'atom', 'json'].map((ext) => `${baseUrl}/feeds/${slug}.${ext}`);
}

/**
 * Pings the hub once (hub.mode=publish) with every topic of every changed river: one subrequest per run, whatever
 * changed. Failures are logged, never thrown.
 */
export async function notifyHub(hub: string, baseUrl: string, slugs: string[]): Promise<{ ok: boolean; error?: string }> {
  const body = new URLSearchParams([['hub.mode', 'publish'], ...slugs.flatMap((s) => topicsOf(baseUrl, s)).map((t) => ['hub.url', t])]);
  let error: string | undefined;
  try {
    const res = await fetch(hub, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) error = `HTTP ${res.status} from hub`;
    await res.body?.cancel();
  } catch (err) {
    error = errorText(err);
  }
  if (error) console.warn(`WebSub publish for ${slugs.join(', ')} failed: ${error}`);
  return error ? { ok: false, error } : { ok: true };
}

/**
 * After rivers changed: this colo forgets their versions (every cached view of them is keyed by version, so none is
 * found again) and its cached index page.
 */
export async function purgeRivers(baseUrl: string, slugs: string[]): Promise<void> {
  await Promise.all([forgetPointers(baseUrl, slugs), purgeCached([`${baseUrl}/`])]);
}

/** After a run changed rivers: drop this colo's cached copies, then tell the WebSub hub. */
export async function announceChanges(baseUrl: string, hub: string | undefined, slugs: string[]): Promise<void> {
  if (slugs.length === 0) return;
  await purgeRivers(baseUrl, slugs);
  if (hub) await notifyHub(hub, baseUrl, slugs);
}
