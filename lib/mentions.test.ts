import { describe, expect, it } from "vitest";
import { linkify, mentionedPeople, mentionQueryAt } from "./mentions";

const people = [
  { id: "1", name: "Al" },
  { id: "2", name: "Alice" },
  { id: "3", name: "Ann Lee" },
  { id: "4", name: "Ann" },
];

describe("mentionedPeople", () => {
  it("finds whole names after @, case-insensitively, each person once", () => {
    expect(mentionedPeople("Thanks @alice and @ALICE!", people).map((p) => p.id)).toEqual(["2"]);
  });
  it("does not take a prefix of a longer word for a shorter name", () => {
    expect(mentionedPeople("@Alicex", people)).toEqual([]);
    expect(mentionedPeople("@Al, see this", people).map((p) => p.id)).toEqual(["1"]);
  });
  it("prefers the longer name and still finds the shorter one elsewhere", () => {
    expect(mentionedPeople("@Ann Lee and @Ann", people).map((p) => p.id)).toEqual(["3", "4"]);
  });
  it("ignores an @ inside an email address", () => {
    expect(mentionedPeople("mail bob@alice.example", people)).toEqual([]);
  });
});

describe("mentionQueryAt", () => {
  it("returns the unfinished mention before the caret", () => {
    expect(mentionQueryAt("hi @Bo", 6)).toEqual({ start: 3, query: "Bo" });
    expect(mentionQueryAt("hi Bo", 5)).toBeNull();
  });
});

describe("linkify", () => {
  it("turns only http(s) URLs into links, without trailing punctuation", () => {
    expect(linkify("see https://example.com/a?b=1. and javascript:alert(1)")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", href: "https://example.com/a?b=1", text: "https://example.com/a?b=1" },
      { kind: "text", text: ". and javascript:alert(1)" },
    ]);
  });
  it("leaves markup as text", () => {
    expect(linkify("<img src=x onerror=alert(1)>")).toEqual([{ kind: "text", text: "<img src=x onerror=alert(1)>" }]);
  });
});
