/** Failures that mean "the database is not reachable now", as opposed to a bug. */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"))) return true;
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
  }
  return false;
}

/**
 * True when a statement failed with this SQLSTATE (and, if given, on this constraint), looking
 * through drizzle's wrapping. postgres.js names the constraint `constraint_name`, PGlite `constraint`.
 */
export function isConstraintViolation(error: unknown, sqlState: string, constraint?: string): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const failure = e as { code?: unknown; constraint_name?: unknown; constraint?: unknown };
    if (failure.code !== sqlState) continue;
    if (constraint === undefined || failure.constraint_name === constraint || failure.constraint === constraint) {
      return true;
    }
  }
  return false;
}
