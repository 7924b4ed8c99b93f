// Small synchronous hashes for identities, content fingerprints and ETags.
// Not cryptographic: keys derived from feed data are hashed so a guid can never name another key.

/** 64-bit fingerprint (two 32-bit lanes: FNV-1a and a murmur-style mix) as 16 hex digits. */
function fingerprint(length: number, unitAt: (i: number) => number): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ length;
  for (let i = 0; i < length; i++) {
    const c = unitAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= h2 >>> 13;
  h2 = Math.imul(h2 ^ (h1 >>> 11), 0x85ebca6b);
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** Fingerprint of a string's UTF-16 code units. */
export function hash64(text: string): string {
  return fingerprint(text.length, (i) => text.charCodeAt(i));
}

/** Fingerprint of raw bytes (response bodies). */
export function hashBytes(bytes: Uint8Array): string {
  return fingerprint(bytes.length, (i) => bytes[i]);
}
