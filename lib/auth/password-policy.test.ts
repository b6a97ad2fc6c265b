import { describe, expect, it } from "vitest";
import { COMMON_PASSWORDS } from "./common-passwords";
import { PASSWORD_MIN_LENGTH, passwordProblem } from "./password-policy";

describe("passwordProblem", () => {
  it("accepts a long, uncommon password", () => {
    expect(passwordProblem("violet lantern orbit 42")).toBeNull();
  });

  it("refuses short ones, saying how long it must be", () => {
    expect(passwordProblem("abc123!")).toBe(`Use at least ${PASSWORD_MIN_LENGTH} characters (this one has 7).`);
  });

  it("refuses common passwords whatever their case, and one repeated character", () => {
    for (const common of ["password123", "Qwertyuiop", "1234567890", "TANDEM-DEMO", "iloveyou123"]) {
      expect(passwordProblem(common)).toMatch(/most common/);
    }
    expect(passwordProblem("zzzzzzzzzzzz")).toMatch(/most common/);
    expect(COMMON_PASSWORDS.size).toBeGreaterThan(300);
  });

  it("refuses the person's own email address", () => {
    expect(passwordProblem("someone.long@example.com", { email: "someone.long@example.com" })).toMatch(/email/);
    expect(passwordProblem("someone.long", { email: "someone.long@example.com" })).toMatch(/email/);
  });

  it("refuses more than 1000 characters", () => {
    expect(passwordProblem(`${"x".repeat(999)}yz`)).toMatch(/at most 1000/);
  });
});
