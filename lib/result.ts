/**
 * Expected outcomes are results, not exceptions. Adapters (server actions, route handlers)
 * map the codes to what their callers understand; see app/api/_lib/http-errors.ts.
 */
export type Ok<T> = { ok: true } & T;
export type Err<E extends { code: string }> = { ok: false; error: E };
export type Result<T, E extends { code: string }> = Ok<T> | Err<E>;

export function err<E extends { code: string }>(error: E): Err<E> {
  return { ok: false, error };
}
