// Shapes the contract fixes for identifiers and language tags: one home for the routes, the admin API, ingest and render.

/** Source ids and category slugs, as the contract writes them; also a route's path pattern. */
export const SLUG_PATTERN = '[a-z0-9][a-z0-9-]{0,62}';
export const SLUG = new RegExp(`^${SLUG_PATTERN}$`);

/**
 * A language tag of RFC 3066's shape, as the Atom schema wants it for xml:lang ("th", "vi-VN", "i-klingon",
 * "x-pig-latin"): what ingest stores, what render writes, what `?lang=` and a category's language accept.
 */
export const LANGUAGE_TAG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

/** A feed's or a person's language value as a tag (https://www.rfc-editor.org/rfc/rfc3066#section-2.1): "th_TH" → "th-TH", trimmed; else undefined. */
export function languageTag(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const tag = value.trim().replaceAll('_', '-');
  return LANGUAGE_TAG.test(tag) ? tag : undefined;
}
