/** The message of anything thrown, for reasons a person reads. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
