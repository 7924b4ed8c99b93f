// Per-source request controls: a User-Agent override and extra headers from an allowlist. The secret ones (credentials)
// are stored for the fetch and never shown back: the admin API sees their names only.
import { failed, type Result } from '../errors';
import type { Source, SourceView } from '../model';

/** The headers an operator may add, by their canonical names; `secret` ones are credentials. */
const ALLOWED = new Map<string, { name: string; secret: boolean }>(
  Object.entries({
    'accept-language': { name: 'Accept-Language', secret: false },
    cookie: { name: 'Cookie', secret: true },
    authorization: { name: 'Authorization', secret: true },
  }),
);

export const ALLOWED_HEADERS = [...ALLOWED.values()].map((h) => h.name);
const MAX_VALUE = 4096;
const MAX_USER_AGENT = 300;
// Visible ASCII, spaces and tabs: what an HTTP field value may hold without a charset guess at either end.
const FIELD_VALUE = /^[\x20-\x7e\t]*$/;

/** A checked control: its value as stored, or why the admin body is refused. */
export type Checked<T> = Result<{ value: T }, 'invalid'>;

/** A User-Agent override: one line of visible ASCII, at most 300 characters. */
export function checkUserAgent(value: unknown): Checked<string> {
  if (typeof value !== 'string' || !value.trim()) return failed('invalid', '"userAgent" must be a non-empty string');
  const v = value.trim();
  if (v.length > MAX_USER_AGENT) return failed('invalid', `"userAgent" is longer than ${MAX_USER_AGENT} characters`);
  if (!FIELD_VALUE.test(v)) return failed('invalid', '"userAgent" may hold visible ASCII characters and spaces only');
  return { ok: true, value: v };
}

/** A change to a source's headers: canonical name → new value, or null to remove it; null alone removes them all. */
export type HeaderChange = Record<string, string | null> | null;

/** An admin body's headers change, checked: allowlisted names (any case), values HTTP can carry (https://www.rfc-editor.org/rfc/rfc9110#section-5.5). */
export function checkHeaderChange(change: unknown): Checked<HeaderChange> {
  if (change === null) return { ok: true, value: null };
  if (typeof change !== 'object' || Array.isArray(change))
    return failed('invalid', `"headers" must be an object of header names to values (allowed: ${ALLOWED_HEADERS.join(', ')})`);
  const out: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(change as Record<string, unknown>)) {
    const known = ALLOWED.get(key.toLowerCase());
    if (!known) return failed('invalid', `header "${key.slice(0, 60)}" is not allowed (allowed: ${ALLOWED_HEADERS.join(', ')})`);
    if (value === null) {
      out[known.name] = null;
      continue;
    }
    if (typeof value !== 'string' || !value.trim()) return failed('invalid', `header "${known.name}" must be a non-empty string, or null to remove it`);
    if (value.length > MAX_VALUE) return failed('invalid', `header "${known.name}" is longer than ${MAX_VALUE} characters`);
    if (!FIELD_VALUE.test(value)) return failed('invalid', `header "${known.name}" may hold visible ASCII characters and spaces only (no line breaks)`);
    out[known.name] = value.trim();
  }
  return { ok: true, value: out };
}

/** The headers after a checked change: the others stay; none left is undefined. */
export function applyHeaderChange(stored: Record<string, string> | undefined, change: HeaderChange): Record<string, string> | undefined {
  if (change === null) return undefined;
  const next = { ...stored };
  for (const [name, value] of Object.entries(change)) {
    if (value === null) delete next[name];
    else next[name] = value;
  }
  return Object.keys(next).length ? next : undefined;
}

/** A source as the admin API shows it: plain headers with their values, secret ones by name only. */
export function viewOf(source: Source): SourceView {
  const { headers, ...rest } = source;
  if (!headers) return rest;
  const view: SourceView = { ...rest };
  const shown: Record<string, string> = {};
  const secret: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    // A name the allowlist does not know (it never stores one) would be shown as a secret, not as a value.
    if (ALLOWED.get(name.toLowerCase())?.secret !== false) secret.push(name);
    else shown[name] = value;
  }
  if (Object.keys(shown).length) view.headers = shown;
  if (secret.length) view.secretHeaders = secret.sort();
  return view;
}

/** Whether a header carries a credential, which a fetch must not take to another origin. */
export function isSecretHeader(name: string): boolean {
  return ALLOWED.get(name.toLowerCase())?.secret === true;
}

/** The headers a fetch may take to another origin: the plain ones. */
export function withoutSecrets(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const plain = Object.entries(headers).filter(([name]) => ALLOWED.get(name.toLowerCase())?.secret === false);
  return plain.length ? Object.fromEntries(plain) : undefined;
}

/** The source's headers for a fetch of `url`: all of them on the source's own origin, elsewhere the plain ones. */
export function headersFor(url: string, sourceUrl: string, headers: Record<string, string> | undefined): Record<string, string> | undefined {
  return URL.parse(url)?.origin === URL.parse(sourceUrl)?.origin ? headers : withoutSecrets(headers);
}
