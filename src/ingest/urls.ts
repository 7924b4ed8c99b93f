// URL resolution for links and resources found in feeds.

export type UrlUse = 'link' | 'resource';

/** Schemes a reader may follow: links may also be mailto:, resources (img, media) only http(s). */
const ALLOWED: Record<UrlUse, Set<string>> = {
  link: new Set(['http:', 'https:', 'mailto:']),
  resource: new Set(['http:', 'https:']),
};

/**
 * Resolves `ref` against the first absolute base and returns it when its scheme is allowed for `use`;
 * undefined when it is empty, unparseable, or of a forbidden scheme (javascript:, data:, vbscript:, file:…).
 */
export function resolveUrl(ref: string | undefined, base: string | undefined, use: UrlUse = 'link'): string | undefined {
  if (ref === undefined) return undefined;
  const trimmed = ref.trim();
  if (trimmed === '') return undefined;
  let url: URL;
  try {
    url = base ? new URL(trimmed, base) : new URL(trimmed);
  } catch {
    return undefined;
  }
  if (!ALLOWED[use].has(url.protocol)) return undefined;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.hostname) return undefined;
  return url.href;
}

/** The first base that is an absolute http(s) URL. */
export function firstAbsolute(...bases: (string | undefined)[]): string | undefined {
  for (const b of bases) {
    if (!b) continue;
    try {
      const u = new URL(b.trim());
      if (u.protocol === 'http:' || u.protocol === 'https:') return u.href;
    } catch {
      // not absolute: try the next
    }
  }
  return undefined;
}
