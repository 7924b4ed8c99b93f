// The private-address rule: which URLs Tributary may fetch. Used when a source is registered and on every redirect hop.
// It judges the URL as the WHATWG parser normalizes it (decimal/octal/hex IPv4 forms, IPv6 compression), so
// "http://0x7f.1/" and "http://2130706433/" are the loopback address they mean. Host names are not resolved (a Worker
// cannot); on Cloudflare the platform itself refuses to connect to private ranges, this rule keeps the intent explicit
// and protects `wrangler dev` / other runtimes.
import { failed, type Result } from '../errors';
import type { Config } from '../model';

/** The URL as the WHATWG parser normalizes it, or why it may not be fetched (a fetch's `refused-url` too). */
export type UrlCheck = Result<{ url: string }, 'refused-url'>;

/** Why an address is not public, in words; undefined when it is. */
type Refusal = {
  what: 'private address' | 'non-http(s) URL' | 'URL with credentials' | 'invalid URL' | 'URL with a port';
  why: string;
};

/** Longest source URL accepted: longer ones are not feeds, and they bloat every stored row that names them. */
export const MAX_SOURCE_URL = 2048;

const DISPLAY_LIMIT = 120;

/** A URL shortened for messages, without credentials. */
export function displayUrl(url: string | URL): string {
  let text: string;
  try {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    text = u.href;
  } catch {
    text = String(url);
  }
  return text.length > DISPLAY_LIMIT ? text.slice(0, DISPLAY_LIMIT - 1) + '…' : text;
}

/**
 * Checks a source URL (or a redirect target) against the private-address rule.
 * Refused: non-http(s), credentials, loopback, private, CGNAT, link-local, unspecified, multicast, documentation ranges,
 * IPv4-mapped/-compatible IPv6, NAT64/6to4 wrapping a refused IPv4, metadata host names, local-only names —
 * unless the URL's origin is listed in config.privateSourceOrigins (PRIVATE_SOURCE_ORIGINS).
 * The ranges: https://www.rfc-editor.org/rfc/rfc6890 (special-purpose addresses).
 */
export function checkSourceUrl(url: string, config: Pick<Config, 'privateSourceOrigins'>): UrlCheck {
  const malformed = malformedReason(url);
  if (malformed) return failed('refused-url', `not a valid URL: ${malformed}`);
  const parsed = parseUrl(url);
  if (!parsed) return failed('refused-url', `not a valid URL: ${displayUrl(url.trim())}`);
  const refusal = refusalFor(parsed, config);
  if (refusal) return failed('refused-url', describeRefusal(refusal, parsed, false));
  return { ok: true, url: parsed.href };
}

/** The same rule for a redirect hop, worded as a redirect ("redirect to a private address refused: …"). */
export function checkRedirectUrl(url: URL, config: Pick<Config, 'privateSourceOrigins'>): UrlCheck {
  const refusal = refusalFor(url, config);
  if (refusal) return failed('refused-url', describeRefusal(refusal, url, true));
  return { ok: true, url: url.href };
}

/** What the raw text has that the WHATWG parser would silently drop or that no feed URL needs. */
function malformedReason(url: string): string | undefined {
  // The parser strips CR, LF and tab inside a URL; a stored URL must be the one the operator can see.
  if (/[\r\n\t]/.test(url)) return 'it contains a line break or tab';
  if (url.trim().length > MAX_SOURCE_URL) return `it is longer than ${MAX_SOURCE_URL} characters`;
  return undefined;
}

function parseUrl(url: string): URL | undefined {
  try {
    const u = new URL(url.trim());
    u.hash = ''; // the fragment never reaches the server; keep one spelling per feed
    return u;
  } catch {
    return undefined;
  }
}

function describeRefusal(r: Refusal, url: URL, redirect: boolean): string {
  const shown = displayUrl(url);
  if (redirect) {
    const article = r.what === 'invalid URL' ? 'an' : 'a';
    return `redirect to ${article} ${r.what} refused: ${shown} (${r.why})`;
  }
  const hint = r.what === 'private address' ? `; to poll it anyway, add ${url.origin} to PRIVATE_SOURCE_ORIGINS` : '';
  return `${r.what} refused: ${shown} (${r.why}${hint})`;
}

function refusalFor(url: URL, config: Pick<Config, 'privateSourceOrigins'>): Refusal | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { what: 'non-http(s) URL', why: `only http and https can be polled, not ${url.protocol}` };
  }
  if (url.username || url.password) {
    return { what: 'URL with credentials', why: 'a user name or password in the URL would be shown and stored' };
  }
  if (config.privateSourceOrigins.some((o) => sameOrigin(o, url))) return undefined;
  const why = privateHostReason(url.hostname);
  if (why) return { what: 'private address', why };
  // Published Workers fetch the scheme's default port whatever the URL says (cloudflare/workers-sdk#1320).
  if (url.port) return { what: 'URL with a port', why: portReason(url) };
  return undefined;
}

function portReason(url: URL): string {
  const scheme = url.protocol.slice(0, -1);
  return `a Worker on Cloudflare reaches ${scheme} only on port ${scheme === 'https' ? 443 : 80}, not ${url.port}`;
}

function sameOrigin(allowed: string, url: URL): boolean {
  try {
    return new URL(allowed).origin === url.origin;
  } catch {
    return allowed === url.origin;
  }
}

/** Why a host name, as the URL parser writes it (https://url.spec.whatwg.org/#concept-host-parser), is not a public internet host; undefined when it is. */
export function privateHostReason(hostname: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.+$/, ''); // "localhost." is localhost
  if (host === '') return 'empty host';
  if (host.startsWith('[')) return ipv6Reason(parseIpv6(host.slice(1, -1)));
  const v4 = parseIpv4(host);
  if (v4 !== undefined) return ipv4Reason(v4);
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback host name';
  if (METADATA_HOSTS.has(host)) return 'cloud metadata host';
  const local = LOCAL_SUFFIXES.find((s) => host.endsWith(s));
  if (local) return `local-only name (${local})`;
  if (!host.includes('.')) return 'single-label name, not a public host';
  return undefined;
}

const METADATA_HOSTS = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal', 'metadata.packet.net']);

const LOCAL_SUFFIXES = ['.internal', '.local', '.localdomain', '.home.arpa', '.lan', '.intranet'];

// ── IPv4 ──

function parseIpv4(host: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** [network, prefix length, words] — refused IPv4 ranges. */
const IPV4_REFUSED: [string, number, string][] = [
  ['0.0.0.0', 8, '"this network" 0.0.0.0/8'],
  ['10.0.0.0', 8, 'private network 10.0.0.0/8'],
  ['100.64.0.0', 10, 'carrier-grade NAT 100.64.0.0/10'],
  ['127.0.0.0', 8, 'loopback 127.0.0.0/8'],
  ['169.254.0.0', 16, 'link-local 169.254.0.0/16 (cloud metadata lives here)'],
  ['172.16.0.0', 12, 'private network 172.16.0.0/12'],
  ['192.0.0.0', 24, 'IETF protocol assignments 192.0.0.0/24'],
  ['192.0.2.0', 24, 'documentation range 192.0.2.0/24'],
  ['192.168.0.0', 16, 'private network 192.168.0.0/16'],
  ['198.18.0.0', 15, 'benchmarking range 198.18.0.0/15'],
  ['198.51.100.0', 24, 'documentation range 198.51.100.0/24'],
  ['203.0.113.0', 24, 'documentation range 203.0.113.0/24'],
  ['224.0.0.0', 4, 'multicast 224.0.0.0/4'],
  ['240.0.0.0', 4, 'reserved 240.0.0.0/4 (and broadcast)'],
];

function ipv4Reason(addr: number): string | undefined {
  for (const [net, bits, words] of IPV4_REFUSED) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if ((addr & mask) >>> 0 === parseIpv4(net)) return words;
  }
  return undefined;
}

// ── IPv6 ──

/** Eight 16-bit groups, or undefined when the text is not an IPv6 address. */
function parseIpv6(text: string): number[] | undefined {
  let head = text;
  const tail: number[] = [];
  const dotted = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(head);
  if (dotted) {
    const v4 = parseIpv4(dotted[1]);
    if (v4 === undefined) return undefined;
    tail.push(v4 >>> 16, v4 & 0xffff);
    head = head.slice(0, -dotted[1].length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN)));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const explicit = left.length + right.length + tail.length;
  if ([...left, ...right].some(Number.isNaN)) return undefined;
  if (halves.length === 1 && explicit !== 8) return undefined;
  if (halves.length === 2 && explicit > 7) return undefined;
  return [...left, ...new Array(8 - explicit).fill(0), ...right, ...tail];
}

function ipv6Reason(g: number[] | undefined): string | undefined {
  if (!g) return 'unparseable IPv6 address';
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  const embedded = (hi: number, lo: number) => ((g[hi] << 16) | g[lo]) >>> 0;
  if (zeroUpTo(8)) return 'unspecified address ::';
  if (zeroUpTo(7) && g[7] === 1) return 'loopback ::1';
  if (zeroUpTo(5) && g[5] === 0xffff) return 'IPv4-mapped IPv6 address';
  if (zeroUpTo(6)) return 'IPv4-compatible IPv6 address';
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    const inner = ipv4Reason(embedded(6, 7));
    return inner ? `NAT64 address wrapping ${inner}` : undefined;
  }
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'local-use NAT64 64:ff9b:1::/48';
  if (g[0] === 0x2002) {
    const inner = ipv4Reason(embedded(1, 2));
    return inner ? `6to4 address wrapping ${inner}` : undefined;
  }
  if (g[0] === 0x2001 && g[1] === 0) return 'Teredo tunnel 2001::/32';
  if (g[0] === 0x2001 && g[1] === 0xdb8) return 'documentation range 2001:db8::/32';
  if (g[0] === 0x100 && g.slice(1, 4).every((x) => x === 0)) return 'discard range 100::/64';
  if ((g[0] & 0xfe00) === 0xfc00) return 'unique local address fc00::/7';
  if ((g[0] & 0xffc0) === 0xfe80) return 'link-local fe80::/10';
  if ((g[0] & 0xffc0) === 0xfec0) return 'site-local fec0::/10';
  if ((g[0] & 0xff00) === 0xff00) return 'multicast ff00::/8';
  return undefined;
}
