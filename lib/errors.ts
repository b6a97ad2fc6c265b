/**
 * The one vocabulary of error codes. Domain functions return them in their results
 * (`lib/result.ts`), server actions add the failures every action can have
 * (`ActionFailure`, `app/_lib/action.ts`), the HTTP API maps each to a status
 * (`app/api/_lib/http-errors.ts`), and the browser turns any of them into a message
 * (`components/call-action.ts`). A leaf: it imports nothing, so every layer may import it.
 */
export const ERROR_CODES = [
  "unauthenticated",
  "forbidden",
  "not_found",
  "conflict",
  "invalid",
  "idempotency_mismatch",
  "locked",
  "not_leased",
  "insufficient_capacity",
  "malformed_json",
  "too_large",
  "bad_query",
  "bad_request",
  "precondition_required",
  "invalid_credentials",
  "rate_limited",
  "unavailable",
  "internal",
  "schema_conflict",
  "schema_impact",
  "slug_taken",
  "email_taken",
  "last_admin",
  "user_conflict",
  "version_mismatch",
  "not_deleted",
  "invalid_file",
  "method_not_allowed",
  "too_many_streams",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Any error whose code is in the vocabulary (a type-level check for adapters' unions). */
export type KnownError = { code: ErrorCode };

/** What every server action can answer besides its own outcomes. */
export type ActionFailure =
  | { code: "unauthenticated"; message: string }
  | { code: "forbidden"; message: string }
  | { code: "invalid"; fields: Record<string, string> }
  | { code: "unavailable"; message: string }
  | { code: "internal"; message: string };

export type ActionFailed = { ok: false; error: ActionFailure };

/** The browser got no answer at all: the network, or a server that is down or restarting. */
export type Unreachable = { code: "unreachable"; message: string };

/** The words the user sees for the failures any request can have; each written once. */
export const FAILURE_MESSAGES = {
  unreachable: "The server could not be reached. What you entered is kept; try again.",
  unauthenticated: "Your session has ended. Sign in again in another tab; your edits here are kept.",
  unavailable: "The database is busy or unreachable right now. Your edits are kept; try again.",
  internal: "Something went wrong on our side. Your edits are kept; try again.",
  invalid: "Check the highlighted fields.",
  not_found: "This record no longer exists.",
} as const;

/** Failures worth the same request again (nothing was decided on the server). */
export function isRetryable(error: { code: string }): boolean {
  return error.code === "unreachable" || error.code === "unavailable" || error.code === "internal";
}

/** A message for any failure: its own message if it has one, else the vocabulary's words for its code. */
export function failureMessage(
  error: { code: string; message?: unknown; fields?: unknown },
  fallback?: string,
): string {
  if (typeof error.message === "string" && error.message) return error.message;
  if (error.code === "invalid" && typeof error.fields === "object" && error.fields !== null) {
    const messages = Object.values(error.fields).filter((value): value is string => typeof value === "string");
    if (messages.length > 0) return messages.join(" ");
  }
  if (fallback) return fallback;
  return error.code in FAILURE_MESSAGES
    ? FAILURE_MESSAGES[error.code as keyof typeof FAILURE_MESSAGES]
    : "That did not work. Try again.";
}
