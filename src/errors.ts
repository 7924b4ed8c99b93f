// Failures as values (design.md): one shape for every fallible step in src/, and the text of anything thrown.

/**
 * Why something did not work: `code` for machines (tests, alerts, the status page's grouping), `reason` for the
 * person who acts on it — as Miniflux pairs an error key with its text. The one failure shape in src/.
 */
export interface Failure<C extends string = string> {
  ok: false;
  code: C;
  reason: string;
}

/** A success carries its fields beside `ok: true`; anything else is a Failure of one of the codes `C`. */
export type Result<T extends object = object, C extends string = string> = ({ ok: true } & T) | Failure<C>;

/** A Failure of `code` with `reason`, plus any facts a caller acts on (a Retry-After instant, a redirect target). */
export function failed<C extends string, X extends object = object>(code: C, reason: string, extra?: X): Failure<C> & X {
  return { ok: false, code, reason, ...extra } as Failure<C> & X;
}

/** The success with no fields of its own. */
export const done = { ok: true } as const;

/** The message of anything thrown, for reasons a person reads. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
