// Errors the routes throw on purpose, and the one error handler that turns any error into an answer.
import type { Context } from 'hono';

/** The request is wrong: 400 with `{ error }`, and nothing was stored. */
export class BadRequest extends Error {}

export function badRequest(message: string): never {
  throw new BadRequest(message);
}

/** A BadRequest as 400 with its reason; anything else is our bug: 500 with words for the operator, details in the log. */
export function answerError(err: Error, c: Context): Response {
  if (err instanceof BadRequest) return c.json({ error: err.message }, 400);
  console.error('unhandled error', err);
  return c.json({ error: 'internal error: the operator can find details in the Worker logs' }, 500);
}
