import { describe, expect, it } from "vitest";
import {
  applyMergePatch,
  displayValue,
  type FieldDefinition,
  fieldDefinitionSchema,
  fitValue,
  presentValues,
  searchTextOf,
  validateChanges,
  validateRecord,
} from "./fields";

const field = (definition: Partial<FieldDefinition> & Pick<FieldDefinition, "type">): FieldDefinition => ({
  key: "value",
  label: "Value",
  ...definition,
});

/** The error for one value of one field, or null when it is accepted. */
function errorFor(definition: FieldDefinition, value: unknown): string | null {
  const result = validateRecord([definition], { [definition.key]: value });
  return result.ok ? null : (result.fields[definition.key] ?? null);
}

function accepted(definition: FieldDefinition, value: unknown): unknown {
  const result = validateRecord([definition], { [definition.key]: value });
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.fields)}`);
  return result.values[definition.key];
}

describe("validateRecord, per field type", () => {
  it("text: a string, trimmed, within its length limit", () => {
    const text = field({ type: "text", maxLength: 5 });
    expect(accepted(text, "  hello ")).toBe("hello");
    expect(errorFor(text, 5)).toBe("Must be text");
    expect(errorFor(text, true)).toBe("Must be text");
    expect(errorFor(text, "toolong")).toBe("At most 5 characters");
    expect(errorFor(field({ type: "text" }), "x".repeat(501))).toBe("At most 500 characters");
    expect(accepted(field({ type: "text" }), "x".repeat(500))).toHaveLength(500);
  });

  it("text and long text refuse NUL characters, which PostgreSQL cannot store", () => {
    expect(errorFor(field({ type: "text" }), "a\u0000b")).toBe("Must not contain NUL characters");
    expect(errorFor(field({ type: "longtext" }), "a\u0000b")).toBe("Must not contain NUL characters");
  });

  it("text and long text refuse a lone UTF-16 surrogate (jsonb cannot store it), but accept real pairs", () => {
    const cannot = "Contains characters that cannot be stored";
    for (const type of ["text", "longtext"] as const) {
      expect(errorFor(field({ type }), "x\ud800")).toBe(cannot);
      expect(errorFor(field({ type }), "\udc00x")).toBe(cannot);
      expect(errorFor(field({ type }), "a\ude00\ud83db")).toBe(cannot);
      expect(accepted(field({ type }), "smile \ud83d\ude00")).toBe("smile 😀");
    }
  });

  it("longtext: kept exactly as typed (no trimming), up to 50,000 characters", () => {
    const notes = field({ type: "longtext" });
    expect(accepted(notes, "  line one\n  line two  \n")).toBe("  line one\n  line two  \n");
    expect(errorFor(notes, "x".repeat(50_001))).toBe("At most 50000 characters");
    expect(errorFor(notes, ["a"])).toBe("Must be text");
  });

  it("number: any finite number within min and max, never a numeric string", () => {
    const price = field({ type: "number", min: 0, max: 10 });
    expect(accepted(price, 2.5)).toBe(2.5);
    expect(accepted(price, 0)).toBe(0);
    expect(errorFor(price, "2.5")).toBe("Must be a number");
    expect(errorFor(price, -0.01)).toBe("Must be at least 0");
    expect(errorFor(price, 10.5)).toBe("Must be at most 10");
  });

  it("integer: whole numbers only, within min and max", () => {
    const seats = field({ type: "integer", min: 1, max: 100 });
    expect(accepted(seats, 42)).toBe(42);
    expect(errorFor(seats, 4.5)).toBe("Must be a whole number");
    expect(errorFor(seats, "4")).toBe("Must be a number");
    expect(errorFor(seats, 0)).toBe("Must be at least 1");
    expect(errorFor(seats, 101)).toBe("Must be at most 100");
    expect(accepted(field({ type: "integer" }), 0)).toBe(0);
  });

  it("boolean: true or false (false is a value, not an empty field)", () => {
    const active = field({ type: "boolean", required: true });
    expect(accepted(active, true)).toBe(true);
    expect(accepted(active, false)).toBe(false);
    expect(errorFor(active, "true")).toBe("Must be true or false");
    expect(errorFor(active, 1)).toBe("Must be true or false");
  });

  it("date: a real calendar date written YYYY-MM-DD", () => {
    const due = field({ type: "date" });
    expect(accepted(due, "2024-02-29")).toBe("2024-02-29");
    expect(accepted(due, " 2026-12-01 ")).toBe("2026-12-01");
    for (const bad of ["2026-02-29", "2026-02-30", "2026-13-01", "2026-2-3", "01/02/2026", "2026-01-01T00:00:00Z"]) {
      expect({ bad, error: errorFor(due, bad) }).toEqual({ bad, error: "Must be a date (YYYY-MM-DD)" });
    }
    expect(errorFor(due, 20260101)).toBe("Must be a date");
  });

  it("select: one of the options, exactly", () => {
    const tier = field({ type: "select", options: ["Gold", "Silver"] });
    expect(accepted(tier, "Gold")).toBe("Gold");
    expect(errorFor(tier, "gold")).toBe("Must be one of: Gold, Silver");
    expect(errorFor(tier, "Bronze")).toBe("Must be one of: Gold, Silver");
    expect(errorFor(tier, 1)).toBe("Must be one of the options");
  });

  it("email: an address like name@example.com", () => {
    const email = field({ type: "email" });
    expect(accepted(email, " ada@engines.example ")).toBe("ada@engines.example");
    for (const bad of ["ada", "ada@", "@engines.example", "ada engines@example.com", "a\u0000@example.com"]) {
      expect({ bad, error: errorFor(email, bad) }).toEqual({
        bad,
        error: "Must be an email address like name@example.com",
      });
    }
  });
});

describe("validateRecord, the record as a whole", () => {
  const fields: FieldDefinition[] = [
    { key: "name", label: "Name", type: "text", required: true },
    { key: "age", label: "Age", type: "integer" },
    { key: "vip", label: "VIP", type: "boolean" },
    { key: "notes", label: "Notes", type: "longtext" },
  ];

  it("requires required fields: missing, null, empty and blank all count as absent", () => {
    for (const name of [undefined, null, "", "   "]) {
      const input = name === undefined ? {} : { name };
      expect(validateRecord(fields, input)).toEqual({ ok: false, fields: { name: "Name is required" } });
    }
  });

  it("leaves empty optional fields out of the values instead of storing empties", () => {
    expect(validateRecord(fields, { name: "Ada", age: null, notes: "", vip: undefined })).toEqual({
      ok: true,
      values: { name: "Ada" },
    });
  });

  it("keeps 0 and false, which are values", () => {
    expect(validateRecord(fields, { name: "Ada", age: 0, vip: false })).toEqual({
      ok: true,
      values: { name: "Ada", age: 0, vip: false },
    });
  });

  it("reports unknown keys, never drops them silently, even when their value is empty", () => {
    expect(validateRecord(fields, { name: "Ada", colour: "red", size: null })).toEqual({
      ok: false,
      fields: { colour: "Unknown field", size: "Unknown field" },
    });
  });

  it("reports a `__proto__` key (as JSON.parse makes it) like any other unknown key", () => {
    const input = JSON.parse('{"name":"Ada","__proto__":{"age":"x"}}');
    const result = validateRecord(fields, applyMergePatch({ name: "Ada" }, input));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.entries(result.fields)).toEqual([["__proto__", "Unknown field"]]);
  });

  it("reports every problem at once, each under its field's key", () => {
    expect(validateRecord(fields, { age: "old", vip: "yes", extra: 1 })).toEqual({
      ok: false,
      fields: {
        name: "Name is required",
        age: "Must be a number",
        vip: "Must be true or false",
        extra: "Unknown field",
      },
    });
  });

  it("refuses anything but an object of values", () => {
    for (const input of [null, undefined, "name", 5, ["Ada"]]) {
      expect(validateRecord(fields, input)).toEqual({ ok: false, fields: { _: "Must be an object of field values" } });
    }
  });
});

describe("applyMergePatch (RFC 7396 over flat data)", () => {
  const fields: FieldDefinition[] = [
    { key: "name", label: "Name", type: "text", required: true },
    { key: "city", label: "City", type: "text" },
    { key: "age", label: "Age", type: "integer" },
  ];

  it("keeps what the patch does not name, replaces what it does, and clears what it sets to null", () => {
    const current = { name: "Ada", city: "London", age: 36 };
    const merged = applyMergePatch(current, { city: null, age: 37 });
    expect(validateRecord(fields, merged)).toEqual({ ok: true, values: { name: "Ada", age: 37 } });
    expect(current).toEqual({ name: "Ada", city: "London", age: 36 });
  });

  it("lets validation see a cleared required field and a cleared unknown key", () => {
    expect(validateRecord(fields, applyMergePatch({ name: "Ada" }, { name: null }))).toEqual({
      ok: false,
      fields: { name: "Name is required" },
    });
    expect(validateRecord(fields, applyMergePatch({ name: "Ada" }, { colour: null }))).toEqual({
      ok: false,
      fields: { colour: "Unknown field" },
    });
  });
});

describe("searchTextOf", () => {
  it("joins the lower-cased text of text, long text, email and select fields only", () => {
    const fields: FieldDefinition[] = [
      { key: "name", label: "Name", type: "text" },
      { key: "email", label: "Email", type: "email" },
      { key: "tier", label: "Tier", type: "select", options: ["Gold"] },
      { key: "notes", label: "Notes", type: "longtext" },
      { key: "age", label: "Age", type: "integer" },
      { key: "vip", label: "VIP", type: "boolean" },
      { key: "since", label: "Since", type: "date" },
    ];
    const text = searchTextOf(fields, {
      name: "Ada LOVELACE",
      email: "Ada@Engines.example",
      tier: "Gold",
      age: 36,
      vip: true,
      since: "1843-01-01",
    });
    expect(text).toBe("ada lovelace • ada@engines.example • gold");
  });
});

describe("displayValue", () => {
  it("shows empties as a dash, booleans as Yes/No, everything else as text", () => {
    const vip = field({ type: "boolean" });
    expect([undefined, null, ""].map((v) => displayValue(vip, v))).toEqual(["—", "—", "—"]);
    expect(displayValue(vip, true)).toBe("Yes");
    expect(displayValue(vip, false)).toBe("No");
    expect(displayValue(field({ type: "integer" }), 0)).toBe("0");
    expect(displayValue(undefined, "text")).toBe("text");
  });
});

describe("fieldDefinitionSchema", () => {
  it("accepts lower-case snake_case keys only", () => {
    const definition = { label: "X", type: "text" };
    expect(fieldDefinitionSchema.safeParse({ ...definition, key: "estimate_hours" }).success).toBe(true);
    for (const key of ["Estimate", "1st", "_x", "with-dash", "", "x".repeat(64)]) {
      expect({ key, ok: fieldDefinitionSchema.safeParse({ ...definition, key }).success }).toEqual({ key, ok: false });
    }
  });

  it("refuses unknown field types", () => {
    expect(fieldDefinitionSchema.safeParse({ key: "x", label: "X", type: "color" }).success).toBe(false);
  });
});

describe("validateChanges: a save is validated for the fields it changes (guarantee 11)", () => {
  const fields: FieldDefinition[] = [
    { key: "title", label: "Title", type: "text", required: true },
    { key: "status", label: "Status", type: "select", options: ["Open", "Closed"] },
    { key: "count", label: "Count", type: "integer", max: 10 },
    { key: "owner", label: "Owner", type: "text", required: true },
  ];
  const removed: FieldDefinition[] = [{ key: "notes", label: "Notes", type: "longtext" }];
  const stored = { title: "Old", status: "Waiting", count: 42, notes: "hidden" };

  it("untouched values that no longer fit are kept, flagged and do not block the save", () => {
    const result = validateChanges(fields, stored, { ...stored, title: " New " }, removed);
    expect(result).toEqual({
      ok: true,
      values: { title: "New", status: "Waiting", count: 42, notes: "hidden" },
      invalid: {
        status: "'Waiting' is no longer an option",
        count: "Must be at most 10",
        owner: "Owner is required",
      },
    });
  });

  it("a changed value must fit; a removed field named with a new value is refused with a clear message", () => {
    expect(validateChanges(fields, stored, { ...stored, status: "Pending", notes: "new" }, removed)).toEqual({
      ok: false,
      fields: { status: "Must be one of: Open, Closed", notes: "This field was removed from the collection" },
    });
    expect(validateChanges(fields, stored, { title: "T", colour: "red" })).toEqual({
      ok: false,
      fields: { colour: "Unknown field" },
    });
  });

  it("a form without the removed field, or sending it back unchanged, keeps its value", () => {
    const form = { title: "Old", status: "Waiting", count: 42 };
    const kept = validateChanges(fields, stored, form, removed);
    expect(kept.ok && kept.values.notes).toBe("hidden");
    const sentBack = validateChanges(fields, stored, { ...form, notes: "hidden" }, removed);
    expect(sentBack.ok && sentBack.values.notes).toBe("hidden");
  });

  it("clearing a flagged value, or fixing it, is a change like any other", () => {
    const fixed = validateChanges(fields, stored, { ...stored, status: "Open", count: null, owner: "Ann" }, removed);
    expect(fixed).toEqual({
      ok: true,
      values: { title: "Old", status: "Open", owner: "Ann", notes: "hidden" },
      invalid: {},
    });
  });
});

describe("fitValue: whether a stored value fits a field after a schema change", () => {
  const integer: FieldDefinition = { key: "n", label: "N", type: "integer" };
  it("converts without loss, or says why not", () => {
    expect(fitValue(integer, "42")).toEqual({ ok: true, value: 42 });
    expect(fitValue(integer, "4.5")).toEqual({ ok: false, message: "Must be a whole number" });
    expect(fitValue(integer, "abc")).toEqual({ ok: false, message: "Must be a number" });
    expect(fitValue({ key: "t", label: "T", type: "text" }, 12)).toEqual({ ok: true, value: "12" });
    expect(fitValue({ key: "m", label: "M", type: "multiselect", options: ["a", "b"] }, "a")).toEqual({
      ok: true,
      value: ["a"],
    });
    expect(fitValue({ key: "m", label: "M", type: "multiselect", options: ["a"] }, ["a", "x", "y"])).toEqual({
      ok: false,
      message: "'x', 'y' are no longer options",
    });
    expect(fitValue({ key: "s", label: "S", type: "select", options: ["a"] }, ["a"])).toEqual({ ok: true, value: "a" });
  });

  it("presentValues hides removed fields and flags misfits", () => {
    expect(presentValues([integer], { n: "42", gone: "x" })).toEqual({ data: { n: 42 }, invalid: {} });
    expect(presentValues([integer], { n: "x" })).toEqual({ data: { n: "x" }, invalid: { n: "Must be a number" } });
  });
});
