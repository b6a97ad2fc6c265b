import { describe, expect, it } from "vitest";
import type { FieldDefinition } from "@/lib/fields";
import {
  attributeChanges,
  carryDecisions,
  type FieldMerge,
  mergedValues,
  mergeField,
  mergeSet,
  mergeText,
  revertedByOverwrite,
  threeWayMerge,
} from "./merge";
import type { RevisionView } from "./record-view";

const text: FieldDefinition = { key: "title", label: "Title", type: "text" };
const long: FieldDefinition = { key: "notes", label: "Notes", type: "longtext" };
const num: FieldDefinition = { key: "count", label: "Count", type: "integer" };

describe("mergeField", () => {
  it.each([
    // [case, field, base, mine, theirs, status, proposed value]
    ["only mine changed", text, "a", "mine", "a", "mine", "mine"],
    ["only theirs changed", text, "a", "a", "theirs", "theirs", "theirs"],
    ["both made the same change", text, "a", "same", "same", "same", "same"],
    ["I cleared it, they did not touch it", text, "a", null, "a", "mine", null],
    ["they cleared it, I did not touch it", text, "a", "a", null, "theirs", null],
    ["both cleared it", text, "a", null, null, "same", null],
    ["a number only they changed", num, 1, 1, 2, "theirs", 2],
    ["a field that was empty, filled only by me", text, null, "new", null, "mine", "new"],
  ] as const)("%s", (_name, field, base, mine, theirs, status, value) => {
    const merge = mergeField(field, base, mine, theirs);
    expect(merge?.status).toBe(status);
    expect(merge?.proposal?.value).toBe(value);
  });

  it("lists nothing when nobody changed the field", () => {
    expect(mergeField(text, "a", "a", "a")).toBeNull();
    expect(mergeField(text, null, null, null)).toBeNull();
  });

  it("makes a real conflict when both changed a field differently, with no proposal", () => {
    const merge = mergeField(text, "a", "mine", "theirs");
    expect(merge).toMatchObject({ status: "conflict", proposal: null, base: "a", mine: "mine", theirs: "theirs" });
  });

  it("treats my clearing and their change of the same field as a conflict", () => {
    expect(mergeField(text, "a", null, "b")?.status).toBe("conflict");
  });

  it("proposes a clean line-level merge of long text edited in different places", () => {
    const base = "Line one\nLine two\nLine three";
    const mine = "Line one, edited by me\nLine two\nLine three";
    const theirs = "Line one\nLine two\nLine three, edited by them";
    const merge = mergeField(long, base, mine, theirs);
    expect(merge?.status).toBe("merged");
    expect(merge?.proposal).toEqual({
      source: "merged",
      value: "Line one, edited by me\nLine two\nLine three, edited by them",
    });
  });

  it("keeps long text that both edited on the same line as a conflict, showing each side of the overlap", () => {
    const merge = mergeField(long, "Intro\nPrice: 10\nEnd", "Intro\nPrice: 12\nEnd", "Intro\nPrice: 15\nEnd");
    expect(merge?.status).toBe("conflict");
    expect(merge?.proposal).toBeNull();
    expect(merge?.regions).toEqual([
      { ok: ["Intro"] },
      { conflict: { mine: ["Price: 12"], base: ["Price: 10"], theirs: ["Price: 15"] } },
      { ok: ["End"] },
    ]);
  });

  it("merges edits to neighbouring lines, and to different words of one line, word by word", () => {
    const base = "Customer reports 19% instead of 21%.\nCheck the tax table.";
    const mine = "Customer (Grace) reports 19% instead of 21%.\nCheck the tax table.";
    const theirs = "Customer reports 19% instead of 21%.\nCheck the tax table for Germany.";
    expect(mergeText(base, mine, theirs).merged).toBe(
      "Customer (Grace) reports 19% instead of 21%.\nCheck the tax table for Germany.",
    );
    expect(mergeText("the quick brown fox", "the slow brown fox", "the quick brown cat").merged).toBe(
      "the slow brown cat",
    );
  });

  it("merges long text where one side added lines at the end and the other edited the start", () => {
    const { merged } = mergeText("a\nb", "A\nb", "a\nb\nc\nd");
    expect(merged).toBe("A\nb\nc\nd");
  });
});

describe("threeWayMerge", () => {
  it("lists only the fields someone changed, in field order", () => {
    const merges = threeWayMerge(
      [text, long, num],
      { title: "t", notes: "n", count: 1 },
      { title: "mine", notes: "n", count: 1 },
      { title: "t", notes: "n", count: 5 },
    );
    expect(merges.map((m) => [m.key, m.status])).toEqual([
      ["title", "mine"],
      ["count", "theirs"],
    ]);
  });
});

describe("attributeChanges", () => {
  const revision = (version: number, name: string, changes: RevisionView["changes"]): RevisionView => ({
    version,
    action: "update",
    user: { id: name.toLowerCase(), name },
    at: `2026-11-23T10:0${version}:00.000Z`,
    changes,
  });

  it("names every person who changed each field between base and theirs, oldest first", () => {
    const byField = attributeChanges([
      revision(2, "Bob", { title: { from: "a", to: "b" } }),
      revision(3, "Carol", { title: { from: "b", to: "c" }, count: { from: 1, to: 2 } }),
      revision(4, "Dan", { notes: { from: null, to: "hi" } }),
    ]);
    expect(byField.title?.map((a) => [a.user.name, a.version, a.to])).toEqual([
      ["Bob", 2, "b"],
      ["Carol", 3, "c"],
    ]);
    expect(byField.count?.map((a) => a.user.name)).toEqual(["Carol"]);
    expect(byField.notes?.[0]).toMatchObject({ user: { name: "Dan" }, at: "2026-11-23T10:04:00.000Z" });
  });
});

describe("mergedValues", () => {
  const merges: FieldMerge[] = threeWayMerge(
    [text, num, long],
    { title: "t", count: 1, notes: "x" },
    { title: "mine", count: 3, notes: "x" },
    { title: "theirs", count: 1, notes: "y" },
  );

  it("is null while a real conflict is undecided", () => {
    expect(mergedValues({ title: "theirs", count: 1, notes: "y" }, merges, {})).toBeNull();
  });

  it("applies decisions over theirs, and proposals for the fields decided automatically", () => {
    const values = mergedValues({ title: "theirs", count: 1, notes: "y" }, merges, {
      title: { source: "edited", value: "both" },
    });
    expect(values).toEqual({ title: "both", count: 3, notes: "y" });
  });

  it("resolves mine and theirs against the values at merge time, not at decision time", () => {
    const later = threeWayMerge(
      [text, num, long],
      { title: "t", count: 1, notes: "x" },
      { title: "typed after deciding", count: 3, notes: "x" },
      { title: "theirs", count: 1, notes: "y" },
    );
    expect(mergedValues({ title: "theirs", count: 1, notes: "y" }, later, { title: { source: "mine" } })).toEqual({
      title: "typed after deciding",
      count: 3,
      notes: "y",
    });
  });

  it("treats a 'merged' decision as undecided once the text no longer merges cleanly", () => {
    const clashing = threeWayMerge([long], { notes: "a" }, { notes: "b" }, { notes: "c" });
    expect(mergedValues({ notes: "c" }, clashing, { notes: { source: "merged" } })).toBeNull();
  });
});

describe("carryDecisions", () => {
  it("keeps a decision where theirs did not change again, and drops it where it did", () => {
    const fields = [text, num];
    const before = threeWayMerge(fields, { title: "t", count: 1 }, { title: "m", count: 2 }, { title: "b", count: 5 });
    const after = threeWayMerge(fields, { title: "t", count: 1 }, { title: "m", count: 2 }, { title: "b", count: 9 });
    const kept = carryDecisions(before, after, { title: { source: "mine" }, count: { source: "theirs" } });
    expect(kept).toEqual({ title: { source: "mine" } });
  });
});

describe("revertedByOverwrite", () => {
  it("lists their changes that my form would undo, not fields where we agree or only I changed", () => {
    const merges = threeWayMerge(
      [text, num, long],
      { title: "t", count: 1, notes: "n" },
      { title: "mine", count: 1, notes: "same" },
      { title: "t", count: 7, notes: "same" },
    );
    expect(revertedByOverwrite(merges).map((m) => m.key)).toEqual(["count"]);
  });
});

describe("multi-select merges as a set", () => {
  const tags: FieldDefinition = { key: "tags", label: "Tags", type: "multiselect", options: ["a", "b", "c", "d"] };

  it("two people adding different tags never conflict: both additions are kept, in option order", () => {
    const merged = mergeField(tags, ["a"], ["a", "c"], ["a", "b"]);
    expect(merged?.status).toBe("merged");
    expect(merged?.proposal).toEqual({ value: ["a", "b", "c"], source: "merged" });
  });

  it("a tag removed on either side is removed; one added on the other side stays", () => {
    expect(mergeSet(tags, ["a", "b"], ["b"], ["a", "b", "d"])).toEqual(["b", "d"]);
    expect(mergeSet(tags, ["a", "b"], ["a", "b", "c"], ["a"])).toEqual(["a", "c"]);
  });

  it("both removing everything leaves no value; identical changes are the same, not a merge", () => {
    expect(mergeField(tags, ["a"], null, [])?.proposal?.value ?? null).toBeNull();
    expect(mergeField(tags, ["a"], ["a", "b"], ["a", "b"])?.status).toBe("same");
    expect(mergeField(tags, ["a", "b"], ["a", "b"], ["a", "b"])).toBeNull();
  });

  it("only one side changing takes that side, like any field", () => {
    expect(mergeField(tags, ["a"], ["a", "b"], ["a"])?.status).toBe("mine");
    expect(mergeField(tags, ["a"], ["a"], ["c"])?.status).toBe("theirs");
  });
});
