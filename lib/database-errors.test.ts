import { describe, expect, it } from "vitest";
import { findCause, isConstraintViolation, isDatabaseUnavailable } from "./database-errors";

/** An error wrapped the way drizzle wraps a driver's failure. */
const wrapped = (cause: unknown, times = 1): Error =>
  times === 0 ? (cause as Error) : wrapped(new Error("Failed query", { cause }), times - 1);

const withCode = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`failed with ${code}`), { code, ...extra });

describe("findCause", () => {
  it("finds the error itself or one in its cause chain, and returns it", () => {
    const driver = withCode("23505");
    expect(findCause(driver, (e) => e === driver)).toBe(driver);
    expect(findCause(wrapped(driver, 3), (e) => (e as { code?: string }).code === "23505")).toBe(driver);
    expect(findCause(wrapped(withCode("42P01"), 2), (e) => (e as { code?: string }).code === "23505")).toBeUndefined();
    expect(findCause(null, () => true)).toBeUndefined();
  });

  it("looks inside an AggregateError (a connect that failed on every address)", () => {
    const refused = withCode("ECONNREFUSED");
    const aggregate = new AggregateError([new Error("v6"), refused], "connect failed");
    expect(findCause(wrapped(aggregate), (e) => e === refused)).toBe(refused);
  });

  it("stops after a few levels, so a cyclic cause chain cannot hang it", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(findCause(a, () => false)).toBeUndefined();
    expect(findCause(wrapped(withCode("23505"), 10), (e) => (e as { code?: string }).code === "23505")).toBeUndefined();
  });
});

describe("the checks built on it", () => {
  it("isConstraintViolation matches the SQLSTATE and, if named, the constraint (either driver's field)", () => {
    const postgresJs = wrapped(withCode("23505", { constraint_name: "revisions_user_save_id_idx" }));
    const pglite = wrapped(withCode("23505", { constraint: "revisions_user_save_id_idx" }));
    for (const error of [postgresJs, pglite]) {
      expect(isConstraintViolation(error, "23505")).toBe(true);
      expect(isConstraintViolation(error, "23505", "revisions_user_save_id_idx")).toBe(true);
      expect(isConstraintViolation(error, "23505", "revisions_record_version_idx")).toBe(false);
      expect(isConstraintViolation(error, "23514")).toBe(false);
    }
  });

  it("isDatabaseUnavailable knows connection failures and rolled-back victims, not bugs", () => {
    expect(isDatabaseUnavailable(wrapped(withCode("ECONNREFUSED")))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(withCode("08006")))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(withCode("57P01")))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([withCode("ETIMEDOUT")]))).toBe(true);
    // Rolled back as a deadlock's or a serialization conflict's victim: safe to send again.
    expect(isDatabaseUnavailable(wrapped(withCode("40P01")))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(withCode("40001")))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(withCode("42P01")))).toBe(false);
    expect(isDatabaseUnavailable(new Error("plain"))).toBe(false);
  });
});
