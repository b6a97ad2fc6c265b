import { describe, expect, it } from "vitest";
import { summarizeChanges } from "./live-changes";

describe("summarizeChanges (the live list's banner)", () => {
  const listed = new Map([
    ["a", 3],
    ["b", 1],
    ["c", 7],
  ]);

  it("counts new matches and shown rows that no longer match apart; in-place changes are not counted", () => {
    const summary = summarizeChanges(listed, {
      a: { version: 4, matches: true }, // changed in place, still matches: only marked
      b: { version: 2, matches: false }, // no longer matches (or deleted)
      x: { version: 1, matches: true }, // a new match
      y: { version: 5, matches: true }, // changed into the list
      z: { version: 2, matches: false }, // elsewhere, not in this list: nothing
    });
    expect(summary).toEqual({
      added: 2,
      gone: 1,
      other: 0,
      total: 3,
      text: "2 new matches, 1 no longer matches or deleted",
    });
  });

  it("ignores writes the page already shows, and counts unmatched writes as other changes", () => {
    expect(summarizeChanges(listed, { c: { version: 7, matches: false }, q: { version: 1, matches: null } })).toEqual({
      added: 0,
      gone: 0,
      other: 1,
      total: 1,
      text: "1 other change",
    });
    expect(summarizeChanges(listed, {}).total).toBe(0);
  });

  it("says it in the singular and plural", () => {
    expect(summarizeChanges(listed, { x: { version: 1, matches: true }, a: { version: 9, matches: false } }).text).toBe(
      "1 new match, 1 no longer matches or deleted",
    );
    expect(
      summarizeChanges(listed, { a: { version: 9, matches: false }, b: { version: 9, matches: false } }).text,
    ).toBe("2 no longer match or deleted");
  });
});
