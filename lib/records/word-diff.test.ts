import { describe, expect, it } from "vitest";
import { wordDiff } from "./word-diff";

describe("wordDiff", () => {
  it("shows a rewritten sentence as the old one struck through and the new one, never glued together", () => {
    const view = wordDiff("Add a phone field to the signup form", "Bob title change");
    expect(view).toEqual({ mode: "replaced", from: "Add a phone field to the signup form", to: "Bob title change" });
  });

  it("marks a changed word as one deletion followed by one insertion, inside the unchanged words", () => {
    expect(wordDiff("Add a phone field to the signup form", "Add an email field to the signup form")).toEqual({
      mode: "inline",
      segments: [
        { kind: "same", text: "Add " },
        { kind: "removed", text: "a phone" },
        { kind: "added", text: "an email" },
        { kind: "same", text: " field to the signup form" },
      ],
    });
  });

  it("keeps pure insertions and deletions as they are", () => {
    expect(wordDiff("Call back", "Call back today")).toEqual({
      mode: "inline",
      segments: [
        { kind: "same", text: "Call back" },
        { kind: "added", text: " today" },
      ],
    });
    expect(wordDiff("Call back today", "Call back")).toEqual({
      mode: "inline",
      segments: [
        { kind: "same", text: "Call back" },
        { kind: "removed", text: " today" },
      ],
    });
  });

  it("reads both sentences back from the segments", () => {
    const view = wordDiff("the quick brown fox jumps over the lazy dog", "the quick red fox leaps over the lazy dog");
    if (view.mode !== "inline") throw new Error("expected inline");
    const before = view.segments
      .filter((s) => s.kind !== "added")
      .map((s) => s.text)
      .join("");
    const after = view.segments
      .filter((s) => s.kind !== "removed")
      .map((s) => s.text)
      .join("");
    expect(before).toBe("the quick brown fox jumps over the lazy dog");
    expect(after).toBe("the quick red fox leaps over the lazy dog");
  });

  it("an empty side is an insertion or a deletion of everything", () => {
    expect(wordDiff("", "New text")).toEqual({ mode: "inline", segments: [{ kind: "added", text: "New text" }] });
    expect(wordDiff("Old", "")).toEqual({ mode: "inline", segments: [{ kind: "removed", text: "Old" }] });
  });
});
