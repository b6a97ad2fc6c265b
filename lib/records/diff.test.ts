import { describe, expect, it } from "vitest";
import { diffValues } from "./diff";

describe("diffValues", () => {
  it("is empty when nothing changed", () => {
    expect(diffValues({ a: 1, b: "x", c: false }, { c: false, b: "x", a: 1 })).toEqual({});
  });

  it("records each changed field as from → to", () => {
    expect(diffValues({ title: "Old", count: 1, done: false }, { title: "New", count: 1, done: true })).toEqual({
      title: { from: "Old", to: "New" },
      done: { from: false, to: true },
    });
  });

  it("treats an added field as from null and a removed one as to null", () => {
    expect(diffValues({ removed: "gone" }, { added: 3 })).toEqual({
      removed: { from: "gone", to: null },
      added: { from: null, to: 3 },
    });
  });

  it("treats absent, undefined and null alike", () => {
    expect(diffValues({ a: null, b: undefined }, { c: null })).toEqual({});
  });

  it("sees a change of type, and keeps 0, false and empty text as values", () => {
    expect(diffValues({ n: 1, f: false, z: 0, s: "" }, { n: "1" })).toEqual({
      n: { from: 1, to: "1" },
      f: { from: false, to: null },
      z: { from: 0, to: null },
      s: { from: "", to: null },
    });
  });

  it("diffs from nothing for a create", () => {
    expect(diffValues({}, { name: "Ada", vip: true })).toEqual({
      name: { from: null, to: "Ada" },
      vip: { from: null, to: true },
    });
  });
});
