// Console sessions: a signed, expiring cookie naming a session the Gate keeps live, and a CSRF token bound to it.
// The signing key is derived from ADMIN_TOKEN, so rotating the token ends every session.

export const SESSION_COOKIE = 'tributary_session';
export const SESSION_TTL_S = 12 * 60 * 60;
export const CSRF_HEADER = 'x-csrf-token';

export interface SessionClaim {
  sid: string;
  /** Expiry, epoch ms. */
  exp: number;
}

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

/** HMAC-SHA-256 key for cookies and CSRF tokens, from the admin token by HKDF (one per token per isolate). */
function sessionKey(adminToken: string): Promise<CryptoKey> {
  let key = keys.get(adminToken);
  if (!key) {
    key = crypto.subtle
      .importKey('raw', encoder.encode(adminToken), 'HKDF', false, ['deriveKey'])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode('tributary-console'), info: encoder.encode('session v1') },
          base,
          { name: 'HMAC', hash: 'SHA-256', length: 256 },
          false,
          ['sign', 'verify'],
        ),
      );
    keys.set(adminToken, key);
  }
  return key;
}

function base64url(bytes: ArrayBuffer): string {
  let text = '';
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const raw = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

async function sign(adminToken: string, text: string): Promise<string> {
  return base64url(await crypto.subtle.sign('HMAC', await sessionKey(adminToken), encoder.encode(text)));
}

/** HMAC verification is constant-time in the runtime. */
async function verify(adminToken: string, text: string, signature: string): Promise<boolean> {
  const bytes = fromBase64url(signature);
  return bytes !== undefined && crypto.subtle.verify('HMAC', await sessionKey(adminToken), bytes, encoder.encode(text));
}

/** The cookie's value: `sid.exp.signature`. */
export async function sealSession(adminToken: string, claim: SessionClaim): Promise<string> {
  const body = `${claim.sid}.${claim.exp}`;
  return `${body}.${await sign(adminToken, body)}`;
}

/** The claim of a cookie value that is ours, untampered and unexpired; else undefined. */
export async function openSession(adminToken: string, value: string | undefined, now: number): Promise<SessionClaim | undefined> {
  const m = /^([0-9a-f-]{36})\.(\d{13})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
  if (!m || !(await verify(adminToken, `${m[1]}.${m[2]}`, m[3]))) return undefined;
  const exp = Number(m[2]);
  return exp > now ? { sid: m[1], exp } : undefined;
}

/** The CSRF token of a session: forms and scripts of the console send it back. */
export function csrfToken(adminToken: string, sid: string): Promise<string> {
  return sign(adminToken, `csrf:${sid}`);
}

export async function csrfValid(adminToken: string, sid: string, token: string | undefined): Promise<boolean> {
  return token !== undefined && verify(adminToken, `csrf:${sid}`, token);
}

/** Loopback origins get no `Secure` flag: a browser would not send it back over plain http://127.0.0.1. */
export function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

export function sessionCookie(value: string, url: URL, maxAge = SESSION_TTL_S): string {
  const secure = isLoopback(url) ? '' : '; Secure';
  return `${SESSION_COOKIE}=${value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
}

export function clearedCookie(url: URL): string {
  return sessionCookie('', url, 0);
}

/** The requesting client, for counting failed sign-ins (Cloudflare sets the header; local runs share one bucket). */
export function clientOf(req: Request): string {
  return req.headers.get('cf-connecting-ip') ?? 'local';
}
