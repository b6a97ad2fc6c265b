import { describe, expect, it } from "vitest";
import type { FieldDefinition } from "@/lib/fields";
import { applySchemaMerge, mergeSchemas, schemaChanges } from "./schema-diff";
import { checkSchema, type SchemaState, slugProblem } from "./schema-input";

const title: FieldDefinition = { key: "title", label: "Title", type: "text", required: true };
const status: FieldDefinition = { key: "status", label: "Status", type: "select", options: ["Open", "Closed"] };
const due: FieldDefinition = { key: "due", label: "Due", type: "date" };
const base: SchemaState = {
  name: "Tickets",
  editMode: "optimistic",
  capacityField: null,
  fields: [title, status, due],
};

describe("checkSchema and slugs", () => {
  it("refuses slugs the routes use, and malformed ones", () => {
    for (const slug of ["new", "trash", "import", "export", "views", "bulk", "records", "revisions"]) {
      expect(slugProblem(slug)).toMatch(/word the app's pages use/);
    }
    for (const slug of ["", "1a", "A", "a_b", "a".repeat(64), "-a"]) expect(slugProblem(slug)).not.toBeNull();
    expect(slugProblem("help-desk2")).toBeNull();
  });

  it("names each bad path: meta keys, duplicates, options, limits, links, capacity", () => {
    const errors = checkSchema(
      {
        ...base,
        capacityField: "title",
        fields: [
          title,
          { key: "invalid", label: "X", type: "text" },
          { key: "createdat", label: "X", type: "date" },
          { key: "title", label: "X", type: "text" },
          { key: "s", label: "S", type: "select", options: [] },
          { key: "m", label: "M", type: "multiselect", options: ["a", "a"] },
          { key: "n", label: "N", type: "number", min: 3, max: 1 },
          { key: "t", label: "T", type: "text", options: ["a"], maxLength: 900 },
          { key: "l", label: "L", type: "link" },
          { key: "l2", label: "L", type: "link", collection: "nowhere" },
          { key: "d", label: "D", type: "date", min: 1 },
        ],
      },
      new Set(["tickets"]),
    );
    expect(errors).toEqual({
      capacityField: "The capacity field must be a whole-number field",
      "fields.1.key": expect.stringMatching(/reserved/),
      "fields.2.key": expect.stringMatching(/reserved/),
      "fields.3.key": "Field 1 already has the key 'title'",
      "fields.4.options": "Give at least one option",
      "fields.5.options": "'a' is listed more than once",
      "fields.6.max": "The maximum is below the minimum",
      "fields.7.options": "Only select and multi-select fields have options",
      "fields.7.maxLength": expect.stringMatching(/at most 500/),
      "fields.8.collection": "Choose the collection this field links to",
      "fields.9.collection": "No collection 'nowhere'",
      "fields.10.min": "Only number fields have a minimum and maximum",
    });
    expect(checkSchema(base, new Set())).toEqual({});
  });
});

describe("schemaChanges", () => {
  it("lists name, each field added, removed or changed, and the order", () => {
    const next: SchemaState = { ...base, name: "Helpdesk", fields: [{ ...status, options: ["Open"] }, title] };
    expect(schemaChanges(base, next)).toEqual({
      name: { from: "Tickets", to: "Helpdesk" },
      "fields.status": { from: status, to: { ...status, options: ["Open"] } },
      "fields.due": { from: due, to: null },
      fieldOrder: { from: ["title", "status", "due"], to: ["status", "title"] },
    });
    // Key order inside a definition (jsonb reorders keys) is no change.
    expect(
      schemaChanges(base, {
        ...base,
        fields: [{ type: "text", required: true, label: "Title", key: "title" }, status, due],
      }),
    ).toEqual({});
  });
});

describe("mergeSchemas: the schema editor's three-way dialog", () => {
  it("changes to different parts merge; the same part changed differently is a conflict", () => {
    const mine: SchemaState = {
      ...base,
      fields: [
        title,
        { ...status, label: "State" },
        due,
        { key: "tags", label: "Tags", type: "multiselect", options: ["x"] },
      ],
    };
    const theirs: SchemaState = { ...base, name: "Helpdesk", fields: [title, { ...status, label: "Phase" }, due] };
    const merge = mergeSchemas(base, mine, theirs);
    expect(merge.clean.map((p) => p.path).sort()).toEqual(["fields.tags", "name"]);
    expect(merge.conflicts.map((p) => p.path)).toEqual(["fields.status"]);

    const mineWins = applySchemaMerge(base, mine, theirs, { "fields.status": "mine" });
    expect(mineWins.name).toBe("Helpdesk");
    expect(mineWins.fields.map((f) => [f.key, f.label])).toEqual([
      ["title", "Title"],
      ["status", "State"],
      ["due", "Due"],
      ["tags", "Tags"],
    ]);
    const theirsWin = applySchemaMerge(base, mine, theirs, {});
    expect(theirsWin.fields.find((f) => f.key === "status")?.label).toBe("Phase");
  });

  it("a field removed on one side and untouched on the other is removed; my reorder is kept, theirs added after its neighbour", () => {
    const mine: SchemaState = { ...base, fields: [due, title, status] };
    const theirs: SchemaState = { ...base, fields: [title, status] };
    expect(mergeSchemas(base, mine, theirs).conflicts).toEqual([]);
    expect(applySchemaMerge(base, mine, theirs, {}).fields.map((f) => f.key)).toEqual(["title", "status"]);
    const added: SchemaState = { ...base, fields: [title, status, due, { key: "x", label: "X", type: "text" }] };
    expect(applySchemaMerge(base, mine, added, {}).fields.map((f) => f.key)).toEqual(["due", "x", "title", "status"]);
  });
});
