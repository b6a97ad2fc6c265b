import { describe, expect, it } from "vitest";
import type { FieldDefinition } from "@/lib/fields";
import { isReplayOf } from "./replay";

const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", required: true },
  { key: "count", label: "Count", type: "integer" },
  { key: "notes", label: "Notes", type: "longtext" },
];

const snapshot = { title: "Printer jams", count: 10 };
const saved = (action: "create" | "update" | "merge" | "overwrite" | "delete" | "restore") => ({ action, snapshot });

describe("isReplayOf", () => {
  it("replays only the kind of write that made the revision", () => {
    const values = { title: "Printer jams", count: 10 };
    expect(isReplayOf({ kind: "delete" }, saved("delete"), FIELDS)).toBe(true);
    expect(isReplayOf({ kind: "delete" }, saved("update"), FIELDS)).toBe(false);
    for (const action of ["update", "merge", "overwrite"] as const) {
      expect(isReplayOf({ kind: "save", values, patch: false }, saved(action), FIELDS)).toBe(true);
    }
    expect(isReplayOf({ kind: "save", values, patch: false }, saved("delete"), FIELDS)).toBe(false);
    expect(isReplayOf({ kind: "save", values, patch: false }, saved("create"), FIELDS)).toBe(false);
    expect(isReplayOf({ kind: "restore", values }, saved("restore"), FIELDS)).toBe(true);
    expect(isReplayOf({ kind: "restore", values }, saved("update"), FIELDS)).toBe(false);
    expect(isReplayOf({ kind: "create", values }, saved("create"), FIELDS)).toBe(true);
    expect(isReplayOf({ kind: "create", values }, saved("restore"), FIELDS)).toBe(false);
  });

  it("a patch replays when it changes nothing in the snapshot, normalised like a write (null and '' = absent)", () => {
    const patch = (values: Record<string, unknown>) =>
      isReplayOf({ kind: "save", values, patch: true }, saved("update"), FIELDS);
    expect(patch({ count: 10 })).toBe(true);
    expect(patch({ title: "  Printer jams ", notes: null })).toBe(true);
    expect(patch({ notes: "" })).toBe(true);
    expect(patch({ count: 11 })).toBe(false);
    expect(patch({ count: null })).toBe(false);
    expect(patch({ notes: "new" })).toBe(false);
    expect(patch({ colour: "red" })).toBe(false);
  });

  it("complete values replay only when they validate to exactly the snapshot", () => {
    const save = (values: Record<string, unknown>) =>
      isReplayOf({ kind: "save", values, patch: false }, saved("merge"), FIELDS);
    expect(save({ title: "Printer jams ", count: 10, notes: "" })).toBe(true);
    expect(save({ title: "Printer jams" })).toBe(false);
    expect(save({ title: "Printer jams", count: 10, notes: "more" })).toBe(false);
    expect(save({ title: "Printer jams", count: "10" })).toBe(false);
  });
});
