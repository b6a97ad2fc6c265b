/**
 * Failures that mean "the database cannot do this now; the same request will succeed when sent
 * again", as opposed to a bug: it is unreachable, restarting, out of connections, read-only or
 * out of disk, or it chose this transaction as a deadlock's or a serialization conflict's
 * victim and rolled it back.
 */
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
  "40P01", // deadlock_detected: this transaction was rolled back, nothing of it landed
  "40001", // serialization_failure: likewise
  "25006", // read_only_sql_transaction: a read-only database (a replica, default_transaction_read_only)
  "53100", // disk_full
]);

/** How deep `findCause` looks: drizzle wraps driver errors once or twice; a cycle must not hang. */
const MAX_DEPTH = 5;

/**
 * The first error in `error`'s cause chain (itself included, and the members of an
 * AggregateError, as a failed connect to several addresses throws) that satisfies the
 * predicate; undefined when none does within a few levels.
 */
export function findCause(error: unknown, predicate: (cause: unknown) => boolean, depth = 0): unknown {
  for (let e: unknown = error; e && depth < MAX_DEPTH; e = (e as { cause?: unknown }).cause, depth++) {
    if (predicate(e)) return e;
    if (e instanceof AggregateError) {
      for (const member of e.errors) {
        const found = findCause(member, predicate, depth + 1);
        if (found !== undefined) return found;
      }
    }
  }
  return undefined;
}

/** The SQLSTATE or driver code of an error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  return (
    findCause(error, (e) => {
      const code = errorCode(e);
      return code !== undefined && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"));
    }) !== undefined
  );
}

/**
 * True when a statement failed with this SQLSTATE (and, if given, on this constraint), looking
 * through drizzle's wrapping. postgres.js names the constraint `constraint_name`, PGlite `constraint`.
 */
export function isConstraintViolation(error: unknown, sqlState: string, constraint?: string): boolean {
  return (
    findCause(error, (e) => {
      if (errorCode(e) !== sqlState) return false;
      const failure = e as { constraint_name?: unknown; constraint?: unknown };
      return constraint === undefined || failure.constraint_name === constraint || failure.constraint === constraint;
    }) !== undefined
  );
}
