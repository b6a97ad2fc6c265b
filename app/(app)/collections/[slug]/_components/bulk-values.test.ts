import { describe, expect, it } from "vitest";
import type { FieldDefinition } from "@/lib/fields";
import { BULK_SETTABLE, bulkPatchValue, bulkValueText, selectMatchingLabel } from "./bulk-values";

const field = (type: FieldDefinition["type"], extra: Partial<FieldDefinition> = {}): FieldDefinition =>
  ({ key: "k", label: "K", type, ...extra }) as FieldDefinition;

describe("bulk bar values", () => {
  it("can set every field type, multiselect, user and link included", () => {
    for (const type of ["multiselect", "user", "link", "text", "boolean", "select"]) {
      expect(BULK_SETTABLE.has(type)).toBe(true);
    }
  });

  it("turns the inputs' values into the merge patch's values", () => {
    expect(bulkPatchValue(field("multiselect", { options: ["a", "b", "c"] }), "a\nc")).toEqual(["a", "c"]);
    expect(bulkPatchValue(field("multiselect", { options: ["a"] }), "")).toBeNull();
    const id = "6f1c2a52-0c39-4d0e-9a51-2d0f3f1b7c11";
    expect(bulkPatchValue(field("user"), id)).toBe(id);
    expect(bulkPatchValue(field("link", { collection: "customers" }), id)).toBe(id);
    expect(bulkPatchValue(field("link", { collection: "customers" }), "")).toBeNull();
    expect(bulkPatchValue(field("boolean"), false)).toBe(false);
    expect(bulkPatchValue(field("integer"), " 4 ")).toBe(4);
    expect(bulkPatchValue(field("integer"), "four")).toBe("four");
    expect(bulkPatchValue(field("text"), "  ")).toBeNull();
  });

  it("shows people and records by name in the confirmation", () => {
    const labels = new Map([["u1", "Alice"]]);
    expect(bulkValueText("u1", labels)).toBe("Alice");
    expect(bulkValueText(["bug", "billing"], labels)).toBe("bug, billing");
    expect(bulkValueText(null, labels)).toBe("(empty)");
    expect(bulkValueText(false, labels)).toBe("No");
    expect(bulkValueText(3, labels)).toBe("3");
  });

  it("names the number of matching records on the select-all button", () => {
    expect(selectMatchingLabel({ total: 1234 }, 5000)).toBe("Select all 1,234 matching");
    expect(selectMatchingLabel({ total: 1 }, 5000)).toBe("Select all 1 matching");
    expect(selectMatchingLabel({ total: 7000 }, 5000)).toBe("Select the first 5,000 of 7,000 matching");
    expect(selectMatchingLabel({ total: 25000, estimate: true }, 5000)).toBe(
      "Select the first 5,000 of about 25,000 matching",
    );
    expect(selectMatchingLabel(undefined, 5000)).toBe("Select all matching");
  });
});
