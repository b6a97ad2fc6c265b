import { describe, expect, it } from "vitest";
import { safeNext } from "./safe-next";

describe("safeNext (where sign-in redirects to)", () => {
  it("keeps a path on this site, with its query and fragment", () => {
    for (const path of ["/", "/records/5", "/collections/tickets?q=printer&sort=title#top", "/a\\b"]) {
      expect(safeNext(path)).toBe(path);
    }
  });

  it("refuses anything that leaves the site: protocol-relative, backslash tricks, absolute URLs", () => {
    for (const value of [
      "//evil.com",
      "/\\evil.com",
      "/\\/evil.com",
      "\\\\evil.com",
      "https://evil.com",
      "javascript:alert(1)",
      "evil.com",
      "",
    ]) {
      expect({ value, next: safeNext(value) }).toEqual({ value, next: "/" });
    }
  });

  it("refuses control characters, which URL parsing drops (/<tab>/evil.com becomes //evil.com)", () => {
    for (const value of ["/\t/evil.com", "/\n/evil.com", "/records\r\n", "/x\u0000", "/x\u007f"]) {
      expect({ value, next: safeNext(value) }).toEqual({ value, next: "/" });
    }
  });

  it("refuses values that are not strings (a missing or file form field)", () => {
    expect(safeNext(null)).toBe("/");
    expect(safeNext(undefined)).toBe("/");
    expect(safeNext(new Blob(["/records"]))).toBe("/");
  });
});
