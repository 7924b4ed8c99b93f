// The admin API's JSON bodies as valibot schemas: each field's rule and its 400 message in one place.
// Checks run in the order the fields are listed and stop at the first failure, whose message is the answer.
import type { Context } from 'hono';
import * as v from 'valibot';
import type { Checked } from '../poll/controls';
import { checkHeaderChange, checkUserAgent } from '../poll/controls';
import { LANGUAGE_TAG, SLUG, SLUG_PATTERN } from '../patterns';
import { ALL_SLUG } from '../store/kv';
import { badRequest } from './errors';

/** The first failure of `schema` on `value` as a BadRequest (400), else the parsed output. */
export function valid<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (!result.success) badRequest(result.issues[0].message);
  return result.output;
}

/** The request's body as JSON, parsed by `schema`. */
export async function readBody<S extends v.GenericSchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  let value: unknown;
  try {
    value = JSON.parse(await c.req.text());
  } catch {
    badRequest('body is not valid JSON');
  }
  return valid(schema, value);
}

/**
 * A JSON object with these fields and no others (the first unknown one is refused, with the allowed list). Every field
 * is read, an absent one as undefined, so a required field that is missing gets its own message, not a generic one.
 */
function jsonObject<E extends v.ObjectEntries>(entries: E) {
  const allowed = Object.keys(entries);
  return v.pipe(
    v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), 'body must be a JSON object'),
    v.rawCheck(({ dataset, addIssue }) => {
      const unknown = dataset.typed && Object.keys(dataset.value).find((k) => !allowed.includes(k));
      if (unknown) addIssue({ message: `unknown field "${unknown}" (allowed: ${allowed.join(', ')})` });
    }),
    v.transform((body) => ({ ...Object.fromEntries(allowed.map((k) => [k, undefined])), ...body })),
    v.object(entries),
  );
}

/** A check of poll/controls (which the OPML import shares) as a schema: its value, or its message. */
function checkedBy<T>(check: (value: unknown) => Checked<T>) {
  return v.pipe(
    v.unknown(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const checked = check(dataset.value);
      if (checked.ok) return checked.value;
      addIssue({ message: checked.reason });
      return NEVER;
    }),
  );
}

const isSlug = (x: unknown): x is string => typeof x === 'string' && SLUG.test(x) && x !== ALL_SLUG;
const slugMessage = (field: string, given: unknown): string =>
  given === ALL_SLUG ? `"${ALL_SLUG}" is reserved (it is every category merged)` : `"${field}" must match ^${SLUG_PATTERN}$`;

/** A source id or a category slug; "all" names every category merged, so nothing else may take it. */
export const slugOf = (field: string) =>
  v.pipe(
    v.unknown(),
    v.check(isSlug, (issue) => slugMessage(field, issue.input)),
    v.transform((x) => x as string),
  );

const NOT_CATEGORIES = '"categories" must be a non-empty array of category slugs';
/** Each entry a slug, named by its index when it is not one; repeats dropped. */
const categories = v.pipe(
  v.array(v.unknown(), NOT_CATEGORIES),
  v.nonEmpty(NOT_CATEGORIES),
  v.maxLength(50, '"categories" has more than 50 entries'),
  v.checkItems(isSlug, (issue) => slugMessage(`categories[${issue.path?.[0].key}]`, issue.input)),
  v.transform((list) => [...new Set(list as string[])]),
);

/** Text trimmed and at most `max` characters: absent is undefined; null or empty is null (in a PATCH: cleared). */
const text = (field: string, max = 500) =>
  v.nullish(
    v.pipe(
      v.string(`"${field}" must be a string`),
      v.trim(),
      v.maxLength(max, `"${field}" is longer than ${max} characters`),
      v.transform((t) => t || null),
    ),
  );

const yesNo = (field: string) => v.optional(v.boolean(`"${field}" must be true or false`));

const NOT_URL = '"url" must be an absolute http(s) URL';
/** The URL's text; the address policy (schemes, ports, private hosts) is `checkSourceUrl`'s, with the config. */
export const urlText = v.pipe(v.string(NOT_URL), v.trim(), v.nonEmpty(NOT_URL));

const NOT_INTERVAL = '"intervalMinutes" must be a whole number of minutes from 5 to 10080';
const interval = v.nullish(v.pipe(v.number(NOT_INTERVAL), v.integer(NOT_INTERVAL), v.minValue(5, NOT_INTERVAL), v.maxValue(7 * 24 * 60, NOT_INTERVAL)));

/** Per-source request controls: paused, a User-Agent override (null: the default), headers changed one by one. */
const controls = {
  paused: yesNo('paused'),
  userAgent: v.optional(v.nullable(checkedBy(checkUserAgent))),
  headers: v.optional(checkedBy(checkHeaderChange)),
};

/** POST /admin/sources. */
export const newSourceBody = jsonObject({
  discover: yesNo('discover'),
  url: urlText,
  categories,
  title: text('title'),
  intervalMinutes: interval,
  id: v.optional(slugOf('id')),
  ...controls,
});

/** PATCH /admin/sources/:id: absent is unchanged, null clears. */
export const sourcePatchBody = jsonObject({
  ...controls,
  url: v.optional(urlText),
  categories: v.optional(categories),
  title: text('title'),
  intervalMinutes: interval,
});

const keywords = (field: string) => {
  const words = `"${field}" must be an array of up to 50 keywords (non-empty strings of at most 100 characters)`;
  return v.nullish(
    v.pipe(
      v.array(v.string(words), words),
      v.maxLength(50, words),
      v.checkItems((k) => k.trim() !== '' && k.length <= 100, words),
      v.transform((list) => [...new Set(list.map((k) => k.trim().normalize('NFC')))]),
    ),
  );
};

/** PUT /admin/categories/:slug: the whole category (title required); empty fields are left out. */
export const categoryBody = jsonObject({
  // v.unknown() first: a pipe takes its first schema's kind, and an object takes a nullish kind's field as optional.
  title: v.pipe(v.unknown(), text('title', 200), v.string('"title" is required')),
  description: text('description', 2000),
  language: v.pipe(
    text('language', 35),
    v.check((tag) => tag == null || LANGUAGE_TAG.test(tag), '"language" must be a BCP 47 tag such as "th" or "vi-VN"'),
  ),
  include: keywords('include'),
  exclude: keywords('exclude'),
});
