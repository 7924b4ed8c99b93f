// Errors the routes throw on purpose; the app's one error handler turns them into answers.

/** The request is wrong: 400 with `{ error }`, and nothing was stored. */
export class BadRequest extends Error {}

export function badRequest(message: string): never {
  throw new BadRequest(message);
}
