// Alerts: when a source starts failing, is paused, recovers or is resumed, one JSON event goes to ALERT_WEBHOOK_URL.
// The event is decided here, from the state before and after a check (pure); the Directory queues and delivers it.
import { done, errorText, failed, type Result } from '../errors';
import type { Config, Source, SourceState } from '../model';

export type AlertKind = 'failing' | 'paused' | 'recovered' | 'resumed';

export interface AlertEvent {
  event: AlertKind;
  source: { id: string; url: string; title: string };
  /** The last error in words; null for recovered/resumed. */
  error: string | null;
  /** The same error's machine-readable code (a FetchFailureCode or an ingest one); null with `error`. */
  errorCode: string | null;
  /** When the state began: the first failure of the run, the pause, the recovery. */
  since: string;
  /** Who paused it (paused only). */
  by?: 'operator' | 'failures';
  consecutiveFailures: number;
  statusUrl: string;
  /** The same in words: Slack's incoming webhooks read `text`, Discord's read `content`. */
  text: string;
  content: string;
}

/** Failures in a row after which a source is said to be failing: half the pause threshold, at least one. */
export function failingThreshold(config: Pick<Config, 'pauseAfterFailures'>): number {
  return Math.max(1, Math.ceil(config.pauseAfterFailures / 2));
}

/**
 * The alert a check's new state calls for, if any, and the mark to keep: a state is announced once when entered
 * (failing, then paused) and once when left (recovered), however many checks it lasts.
 */
export function alertAfterCheck(
  prev: SourceState | undefined,
  next: SourceState,
  config: Pick<Config, 'pauseAfterFailures'>,
): { kind?: AlertKind; alerted: SourceState['alerted'] } {
  const was = prev?.alerted;
  if (next.consecutiveFailures === 0) return was ? { kind: 'recovered', alerted: undefined } : { alerted: undefined };
  if (next.paused) return was === 'paused' ? { alerted: was } : { kind: 'paused', alerted: 'paused' };
  if (next.consecutiveFailures >= failingThreshold(config) && !was) return { kind: 'failing', alerted: 'failing' };
  return { alerted: was };
}

export interface AlertContext {
  source: Source;
  state: SourceState | undefined;
  /** The status page's address for this source (absolute when PUBLIC_BASE_URL is set). */
  statusUrl: string;
  at: string;
  by?: 'operator' | 'failures';
}

/** The event's body: the machine-readable fields, and one line in words for chat webhooks. */
export function alertEvent(kind: AlertKind, ctx: AlertContext): AlertEvent {
  const { source, state } = ctx;
  const title = source.title || state?.feedTitle || source.url;
  const failing = kind === 'failing' || kind === 'paused';
  const error = failing ? (state?.lastError ?? null) : null;
  const errorCode = failing ? (state?.lastErrorCode ?? null) : null;
  const since = kind === 'failing' ? (state?.failingSince ?? ctx.at) : ctx.at;
  const failures = state?.consecutiveFailures ?? 0;
  const words = sentence(kind, title, { error, since, failures, by: ctx.by });
  const text = `${words} ${ctx.statusUrl}`.slice(0, 1900);
  const event: AlertEvent = {
    event: kind,
    source: { id: source.id, url: source.url, title },
    error,
    errorCode,
    since,
    consecutiveFailures: failures,
    statusUrl: ctx.statusUrl,
    text,
    content: text,
  };
  if (kind === 'paused') event.by = ctx.by ?? 'failures';
  return event;
}

function sentence(kind: AlertKind, title: string, f: { error: string | null; since: string; failures: number; by?: string }): string {
  const name = `Tributary: “${title}”`;
  const reason = f.error ? `: ${f.error}` : '';
  switch (kind) {
    case 'failing':
      return `${name} is failing since ${f.since} (${f.failures} checks in a row)${reason}.`;
    case 'paused':
      return f.by === 'operator'
        ? `${name} was paused by an operator.`
        : `${name} is paused after ${f.failures} failures in a row; it is retried daily${reason}.`;
    case 'recovered':
      return `${name} has recovered: its last check worked.`;
    case 'resumed':
      return `${name} was resumed by an operator.`;
  }
}

/** The status page's address of a source. */
export function statusUrlOf(sourceId: string, config: Pick<Config, 'publicBaseUrl'>): string {
  return `${config.publicBaseUrl ?? ''}/status#source-${encodeURIComponent(sourceId)}`;
}

const DELIVERY_TIMEOUT_MS = 5_000;

/** POSTs one event; a failure is a value with the reason (the event stays queued). */
export async function deliverAlert(url: string, event: AlertEvent, fetcher: typeof fetch = fetch): Promise<Result<object, 'http' | 'network'>> {
  try {
    const res = await fetcher(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Tributary alerts' },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => {});
    return res.ok ? done : failed('http', `the webhook answered HTTP ${res.status}`);
  } catch (err) {
    return failed('network', `the webhook could not be reached: ${errorText(err)}`);
  }
}
