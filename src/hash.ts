// Small synchronous hashes for identities, content fingerprints and ETags.
// Not cryptographic: keys derived from feed data are hashed so a guid can never name another key.
// Two 32-bit lanes (FNV-1a and a murmur-style mix) give 64 bits; the loops are written out twice on purpose:
// a shared loop calling an accessor per character cost a third of ingest time.

function hex(h1: number, h2: number): string {
  h1 ^= h2 >>> 13;
  h2 = Math.imul(h2 ^ (h1 >>> 11), 0x85ebca6b);
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** Fingerprint of a string's UTF-16 code units, as 16 hex digits. */
export function hash64(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return hex(h1, h2);
}

/** Fingerprint of raw bytes (response bodies), as 16 hex digits. */
export function hashBytes(bytes: Uint8Array): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return hex(h1, h2);
}

/** Fingerprint of a response body by the runtime's native SHA-1 (a 100 KB body costs a JS loop ~0.2 ms), 16 hex digits. */
export async function digestBytes(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-1', bytes));
  let out = '';
  for (let i = 0; i < 8; i++) out += d[i].toString(16).padStart(2, '0');
  return out;
}
