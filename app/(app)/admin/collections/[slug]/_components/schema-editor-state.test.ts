import { describe, expect, it } from "vitest";
import type { CollectionDetail } from "@/lib/collections";
import {
  initialEditorState,
  keyFrom,
  removableFields,
  type SchemaEditorState,
  schemaEditorReducer,
  schemaOf,
} from "./schema-editor-state";

function detail(version: number, over: Partial<CollectionDetail> = {}): CollectionDetail {
  return {
    slug: "rooms",
    name: "Rooms",
    editMode: "optimistic",
    capacityField: null,
    version,
    fields: [
      { key: "name", label: "Name", type: "text", required: true },
      { key: "seats", label: "Seats", type: "integer" },
    ],
    removedFields: [{ key: "floor", label: "Floor", type: "number" }],
    ...over,
  } as CollectionDetail;
}

const labels = (s: SchemaEditorState) => s.draft.rows.map((r) => r.field.label);

describe("schema editor state", () => {
  it("adds a field whose key follows its label until the key is edited", () => {
    let s = schemaEditorReducer(initialEditorState(detail(3)), { type: "add" });
    expect(s.announce).toBe("Field 3 added.");
    const uid = s.draft.rows[2]?.uid ?? "";
    s = schemaEditorReducer(s, { type: "setLabel", uid, label: "Has Projector?" });
    expect(s.draft.rows[2]?.field.key).toBe("has_projector");
    s = schemaEditorReducer(s, { type: "setKey", uid, key: "projector" });
    s = schemaEditorReducer(s, { type: "setLabel", uid, label: "Beamer" });
    expect(s.draft.rows[2]?.field).toMatchObject({ key: "projector", label: "Beamer" });
    expect(keyFrom("12 Größe")).toBe("gro_e");
  });

  it("moves fields within bounds and announces the new place", () => {
    const s0 = initialEditorState(detail(3));
    const s = schemaEditorReducer(s0, { type: "move", from: 1, to: 0 });
    expect(labels(s)).toEqual(["Seats", "Name"]);
    expect(s.announce).toBe("Seats is now field 1 of 2.");
    expect(schemaEditorReducer(s, { type: "move", from: 0, to: -1 })).toBe(s);
    expect(schemaEditorReducer(s, { type: "move", from: 1, to: 2 })).toBe(s);
  });

  it("removes a field and offers removed fields for restoring", () => {
    let s = initialEditorState(detail(3));
    expect(removableFields(s).map((f) => f.key)).toEqual(["floor"]);
    s = schemaEditorReducer(s, { type: "remove", uid: s.draft.rows[0]?.uid ?? "" });
    expect(labels(s)).toEqual(["Seats"]);
    expect(s.announce).toBe("Name removed. Its values are kept; you can restore it.");
    const floor = removableFields(s)[0];
    if (!floor) throw new Error("no removed field");
    s = schemaEditorReducer(s, { type: "restore", field: floor });
    expect(labels(s)).toEqual(["Seats", "Floor"]);
    expect(removableFields(s)).toEqual([]);
    expect(s.announce).toBe("Floor restored with its values.");
  });

  it("leaves out properties that do not apply to the type when saving", () => {
    let s = initialEditorState(detail(3));
    const uid = s.draft.rows[0]?.uid ?? "";
    s = schemaEditorReducer(s, { type: "setField", uid, patch: { maxLength: 20, min: 1 } });
    expect(schemaOf(s.draft).fields[0]).toEqual({
      key: "name",
      label: "Name",
      type: "text",
      required: true,
      maxLength: 20,
    });
  });

  it("handles the save outcomes: saved, impact, conflict, invalid, unreachable", () => {
    const s0 = schemaEditorReducer(initialEditorState(detail(3)), { type: "saveStarted" });
    expect(s0.status).toEqual({ kind: "saving" });
    const schema = schemaOf(s0.draft);

    const saved = schemaEditorReducer(s0, {
      type: "saveAnswered",
      answer: { ok: true, collection: detail(4) },
      against: 3,
      schema,
    });
    expect(saved.base.version).toBe(4);
    expect(saved.status).toEqual({ kind: "saved", message: "Saved: version 4." });

    const impact = schemaEditorReducer(s0, {
      type: "saveAnswered",
      answer: { ok: false, error: { code: "schema_impact", impact: [] } },
      against: 3,
      schema,
    });
    expect(impact.impact).toEqual({ items: [], against: 3, schema });
    expect(impact.status).toEqual({ kind: "idle" });
    expect(schemaEditorReducer(impact, { type: "cancelImpact" }).impact).toBeNull();

    const conflict = schemaEditorReducer(s0, {
      type: "saveAnswered",
      answer: { ok: false, error: { code: "schema_conflict", current: detail(5, { name: "Spaces" }), changes: [] } },
      against: 3,
      schema,
    });
    expect(conflict.conflict?.mine).toBe(schema);
    const discarded = schemaEditorReducer(conflict, { type: "discardMine" });
    expect(discarded.base.version).toBe(5);
    expect(discarded.draft.name).toBe("Spaces");
    expect(discarded.conflict).toBeNull();
    expect(discarded.status.message).toBe("Showing version 5; your edits were discarded.");

    const invalid = schemaEditorReducer(s0, {
      type: "saveAnswered",
      answer: { ok: false, error: { code: "invalid", fields: { name: "Too long" } } },
      against: 3,
      schema,
    });
    expect(invalid.errors).toEqual({ name: "Too long" });
    expect(invalid.status.kind).toBe("error");
    expect(schemaEditorReducer(invalid, { type: "saveStarted" }).errors).toEqual({});

    expect(schemaEditorReducer(s0, { type: "saveFailed" }).status.message).toBe(
      "The server could not be reached. Your edits are kept; try again.",
    );
  });
});
