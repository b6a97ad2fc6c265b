import { describe, expect, it } from "vitest";
import { etagFor, ifNoneMatchHits, parseIfMatch } from "./etag";

describe("etagFor", () => {
  it("makes a strong ETag from the version", () => {
    expect(etagFor(7)).toBe('"7"');
  });
});

describe("parseIfMatch", () => {
  it("is missing when the header is absent or blank", () => {
    expect(parseIfMatch(null)).toEqual({ kind: "missing" });
    expect(parseIfMatch("")).toEqual({ kind: "missing" });
    expect(parseIfMatch("   ")).toEqual({ kind: "missing" });
  });

  it("recognises * (which the API refuses with 428)", () => {
    expect(parseIfMatch("*")).toEqual({ kind: "any" });
    expect(parseIfMatch(" * ")).toEqual({ kind: "any" });
  });

  it("reads the version of a strong tag", () => {
    expect(parseIfMatch('"3"')).toEqual({ kind: "versions", versions: [3] });
    expect(parseIfMatch('  "42"  ')).toEqual({ kind: "versions", versions: [42] });
  });

  it("reads every version of a list", () => {
    expect(parseIfMatch('"1", "2","3"')).toEqual({ kind: "versions", versions: [1, 2, 3] });
  });

  it("ignores weak tags: If-Match compares strongly, so they can never match", () => {
    expect(parseIfMatch('W/"3"')).toEqual({ kind: "versions", versions: [] });
    expect(parseIfMatch('W/"3", "4"')).toEqual({ kind: "versions", versions: [4] });
  });

  it("ignores well-formed tags that name no version", () => {
    for (const header of ['"0"', '"01"', '"-1"', '"1.5"', '"abc"', '""', '"12345678901"']) {
      expect({ header, parsed: parseIfMatch(header) }).toEqual({ header, parsed: { kind: "versions", versions: [] } });
    }
  });

  it("names no version above 2147483647, the largest PostgreSQL integer (so it never reaches SQL)", () => {
    expect(parseIfMatch('"2147483647"')).toEqual({ kind: "versions", versions: [2_147_483_647] });
    for (const header of ['"2147483648"', '"9999999999"']) {
      expect({ header, parsed: parseIfMatch(header) }).toEqual({ header, parsed: { kind: "versions", versions: [] } });
    }
    expect(ifNoneMatchHits('"4294967297"', 1)).toBe(false);
  });

  it("is null (malformed) for anything that is not an entity-tag list", () => {
    for (const header of ["3", "abc", '"3', '3"', '"3" "4"', "W/3", '*, "3"', '"3";']) {
      expect({ header, parsed: parseIfMatch(header) }).toEqual({ header, parsed: null });
    }
  });
});

describe("ifNoneMatchHits", () => {
  it("never hits without the header or with a blank one", () => {
    expect(ifNoneMatchHits(null, 1)).toBe(false);
    expect(ifNoneMatchHits("", 1)).toBe(false);
  });

  it("hits for * whatever the version", () => {
    expect(ifNoneMatchHits("*", 99)).toBe(true);
  });

  it("compares weakly: strong and weak tags of the version both hit", () => {
    expect(ifNoneMatchHits('"5"', 5)).toBe(true);
    expect(ifNoneMatchHits('W/"5"', 5)).toBe(true);
  });

  it("hits when any tag of a list names the version", () => {
    expect(ifNoneMatchHits('"1", W/"2", "5"', 5)).toBe(true);
    expect(ifNoneMatchHits('"1", "2"', 5)).toBe(false);
  });

  it("misses for other versions and for garbage", () => {
    expect(ifNoneMatchHits('"4"', 5)).toBe(false);
    expect(ifNoneMatchHits('"05"', 5)).toBe(false);
    expect(ifNoneMatchHits("5", 5)).toBe(false);
    expect(ifNoneMatchHits('"5" garbage', 5)).toBe(false);
  });
});
