// After a run: cache purge and WebSub (W3C) pings, so subscribers get pushes instead of polling us.
import { purgeRivers } from './caching';
import { errorText } from '../poll/run';

/** The topic URLs of a river: each feed format, as advertised in rel="self". */
export function topicsOf(baseUrl: string, slug: string): string[] {
  return ['rss', 'atom', 'json'].map((ext) => `${baseUrl}/feeds/${slug}.${ext}`);
}

/** Pings the hub (hub.mode=publish) for every changed river; failures are logged, never thrown. */
export async function notifyHub(hub: string, baseUrl: string, slugs: string[]): Promise<{ ok: number; failed: string[] }> {
  const failed: string[] = [];
  let ok = 0;
  for (const slug of slugs) {
    const body = new URLSearchParams([['hub.mode', 'publish'], ...topicsOf(baseUrl, slug).map((t) => ['hub.url', t])]);
    try {
      const res = await fetch(hub, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) ok++;
      else failed.push(`${slug}: HTTP ${res.status} from hub`);
      await res.body?.cancel();
    } catch (err) {
      failed.push(`${slug}: ${errorText(err)}`);
    }
  }
  if (failed.length) console.warn(`WebSub publish failed for ${failed.join('; ')}`);
  return { ok, failed };
}

/** After a run changed rivers: drop this colo's cached copies, then tell the WebSub hub. */
export async function announceChanges(baseUrl: string, hub: string | undefined, slugs: string[]): Promise<void> {
  if (slugs.length === 0) return;
  await purgeRivers(baseUrl, slugs);
  if (hub) await notifyHub(hub, baseUrl, slugs);
}
