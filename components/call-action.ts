import { FAILURE_MESSAGES, failureMessage, isRetryable, type Unreachable } from "@/lib/errors";

/**
 * The one client error path: call a server action and turn every way it can fail — no
 * answer at all (network, server restarting), `unavailable`, `internal`, `invalid`,
 * `unauthenticated`, `forbidden`, or the action's own error codes — into the same typed
 * outcome with a message a person can read. Server actions are passed in (components never
 * import from `app/`).
 */
export type Failed<E> = { ok: false; error: E | Unreachable; message: string; retryable: boolean };

type ErrorOf<R> = R extends { ok: false; error: infer E } ? E : never;
export type Outcome<R> = Extract<R, { ok: true }> | Failed<ErrorOf<R>>;

export async function callAction<I, R extends { ok: boolean }>(
  run: (input: I) => Promise<R>,
  input: I,
): Promise<Outcome<R>> {
  let result: R;
  try {
    result = await run(input);
  } catch {
    const error: Unreachable = { code: "unreachable", message: FAILURE_MESSAGES.unreachable };
    return { ok: false, error, message: error.message, retryable: true };
  }
  if (result.ok) return result as Extract<R, { ok: true }>;
  const error = (result as unknown as { error: ErrorOf<R> & { code: string } }).error;
  return { ok: false, error, message: failureMessage(error), retryable: isRetryable(error) };
}

/** For `useMutation`: resolve with the success, throw the `Failed` so `mutation.error` holds it. */
export async function mutateAction<I, R extends { ok: boolean }>(
  run: (input: I) => Promise<R>,
  input: I,
): Promise<Extract<R, { ok: true }>> {
  const outcome = await callAction(run, input);
  if (outcome.ok) return outcome as Extract<R, { ok: true }>;
  throw new ActionError(outcome as Failed<ErrorOf<R>>);
}

/** A failed action as an Error, for TanStack Query's `error`; `failed` keeps the typed outcome. */
export class ActionError<E = unknown> extends Error {
  constructor(readonly failed: Failed<E>) {
    super(failed.message);
    this.name = "ActionError";
  }
}
