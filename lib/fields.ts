import { z } from "zod";
import { UUID_PATTERN } from "@/lib/ids";
import { LONE_SURROGATE } from "@/lib/storable-text";

/**
 * A collection's fields, and the zod schema they build at run time. Shared by the
 * browser (form validation) and the server (every write), so both say the same thing.
 */

export const FIELD_TYPES = [
  "text",
  "longtext",
  "number",
  "integer",
  "boolean",
  "date",
  "select",
  "email",
  "multiselect",
  "user",
  "link",
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** A field's key: its immutable id within the collection, and its name in record data. */
export const FIELD_KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Names a record's JSON uses beside its data, and words the filter and sort syntax reserve: a
 * field with one of these keys would be ambiguous (`sort=createdAt`, `filter={"id":…}`).
 */
export const META_FIELD_NAMES = [
  "id",
  "version",
  "createdAt",
  "updatedAt",
  "createdBy",
  "updatedBy",
  "deletedAt",
  "deletedBy",
  "collection",
  "data",
  "invalid",
] as const;
const META_LOWER = new Set<string>(META_FIELD_NAMES.map((n) => n.toLowerCase()));

/** True for a key that reads as a meta name (`id`, `createdat`, `created_at`, …). */
export function isMetaName(key: string): boolean {
  return META_LOWER.has(key.toLowerCase().replaceAll("_", ""));
}

export const fieldDefinitionSchema = z.object({
  key: z.string().regex(FIELD_KEY_PATTERN),
  label: z.string().min(1),
  type: z.enum(FIELD_TYPES),
  required: z.boolean().optional(),
  options: z.array(z.string().min(1)).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  maxLength: z.number().int().positive().optional(),
  /** Shown in the table. */
  listed: z.boolean().optional(),
  /** For `link`: the slug of the collection whose records it points to. */
  collection: z.string().optional(),
});
export type FieldDefinition = z.infer<typeof fieldDefinitionSchema>;

/** multiselect: an array of its options (a set, kept in option order); user, link: an id. */
export type FieldValue = string | number | boolean | string[];
export type RecordValues = Record<string, FieldValue>;
/** What a form or a merge patch sends: null (or absence) clears a field. */
export type RecordInput = Record<string, unknown>;

/**
 * A form's or a request's field values, passed through as they are: validation needs every
 * key the client sent, and `z.record` would drop some (`__proto__`) without a word.
 */
export const recordInputSchema = z.custom<RecordInput>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  { error: "Must be an object of field values" },
);

const TEXT_LIMIT = 500;
const LONGTEXT_LIMIT = 50_000;

/** A calendar date written YYYY-MM-DD that exists (no 2026-02-30). */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/**
 * Field definitions arrive from the database with every request; their schemas are pure
 * functions of them, so each distinct definition builds its schema once (bounded cache).
 */
const schemaCache = new Map<string, z.ZodType<FieldValue>>();
const SCHEMA_CACHE_LIMIT = 2_000;

function valueSchema(field: FieldDefinition): z.ZodType<FieldValue> {
  const key = JSON.stringify(field);
  let schema = schemaCache.get(key);
  if (!schema) {
    if (schemaCache.size >= SCHEMA_CACHE_LIMIT) schemaCache.clear();
    schema = buildValueSchema(field);
    schemaCache.set(key, schema);
  }
  return schema;
}

function buildValueSchema(field: FieldDefinition): z.ZodType<FieldValue> {
  switch (field.type) {
    case "text":
    case "longtext": {
      const limit = field.maxLength ?? (field.type === "text" ? TEXT_LIMIT : LONGTEXT_LIMIT);
      return z
        .string({ error: "Must be text" })
        .max(limit, { error: `At most ${limit} characters` })
        .refine((v) => !v.includes("\u0000"), { error: "Must not contain NUL characters" })
        .refine((v) => !LONE_SURROGATE.test(v), { error: "Contains characters that cannot be stored" });
    }
    case "email":
      // RFC 5321: a forward-path holds at most 254 characters of address.
      return z
        .email({ error: "Must be an email address like name@example.com" })
        .max(254, { error: "At most 254 characters" });
    case "date":
      return z.string({ error: "Must be a date" }).refine(isIsoDate, { error: "Must be a date (YYYY-MM-DD)" });
    case "select": {
      const options = field.options ?? [];
      return z.string({ error: "Must be one of the options" }).refine((v) => options.includes(v), {
        error: `Must be one of: ${options.join(", ")}`,
      });
    }
    case "multiselect": {
      const options = field.options ?? [];
      return z
        .array(z.string(), { error: "Must be a list of options" })
        .refine((values) => values.every((v) => options.includes(v)), {
          error: `Each must be one of: ${options.join(", ")}`,
        })
        .refine((values) => new Set(values).size === values.length, { error: "Lists an option more than once" })
        .transform((values) => options.filter((o) => values.includes(o)));
    }
    case "user":
      return z.string({ error: "Must be a person's id" }).regex(UUID_PATTERN, { error: "Must be a person's id" });
    case "link":
      return z.string({ error: "Must be a record id" }).regex(UUID_PATTERN, { error: "Must be a record id" });
    case "boolean":
      return z.boolean({ error: "Must be true or false" });
    case "number":
    case "integer": {
      let schema = z.number({ error: "Must be a number" });
      if (field.type === "integer") schema = schema.int({ error: "Must be a whole number" });
      if (field.min !== undefined) schema = schema.min(field.min, { error: `Must be at least ${field.min}` });
      if (field.max !== undefined) schema = schema.max(field.max, { error: `Must be at most ${field.max}` });
      return schema;
    }
  }
}

/** Empty strings, empty lists and nulls mean "no value": the key is left out of the stored data. */
function isEmpty(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    (typeof value === "string" && value.trim() === "") ||
    (Array.isArray(value) && value.length === 0)
  );
}

export type ValidationResult = { ok: true; values: RecordValues } | { ok: false; fields: Record<string, string> };

export const REMOVED_FIELD_MESSAGE = "This field was removed from the collection";

/** What a key that is not a field gets: a removed field says so (a form opened before it went). */
function unknownKeyMessage(key: string, removed: readonly FieldDefinition[]): string {
  return removed.some((f) => f.key === key) ? REMOVED_FIELD_MESSAGE : "Unknown field";
}

/**
 * Validates a complete set of values against the fields (a new record). Every problem is
 * reported, each under its field's key; keys that are not fields are reported too, never dropped.
 */
export function validateRecord(
  fields: readonly FieldDefinition[],
  input: unknown,
  removed: readonly FieldDefinition[] = [],
): ValidationResult {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, fields: { _: "Must be an object of field values" } };
  }
  // Collected as entries, then made a plain object with `Object.fromEntries` (which defines own
  // properties, so a key named `__proto__` is reported like any other): an object without a
  // prototype cannot cross a server action to the form (React refuses to serialise it).
  const errors = new Map<string, string>();
  const values: RecordValues = {};
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) errors.set(key, unknownKeyMessage(key, removed));
  }
  for (const field of fields) {
    checkChangedValue(field, (input as Record<string, unknown>)[field.key], values, errors);
  }
  return errors.size > 0 ? { ok: false, fields: Object.fromEntries(errors) } : { ok: true, values };
}

/** A value the user set: it must fit the field as it is now (empty counts against `required`). */
function checkChangedValue(
  field: FieldDefinition,
  raw: unknown,
  values: RecordValues,
  errors: Map<string, string>,
): void {
  if (isEmpty(raw)) {
    if (field.required) errors.set(field.key, `${field.label} is required`);
    return;
  }
  const parsed = valueSchema(field).safeParse(typeof raw === "string" && field.type !== "longtext" ? raw.trim() : raw);
  if (parsed.success) values[field.key] = parsed.data;
  else errors.set(field.key, parsed.error.issues[0]?.message ?? "Invalid value");
}

/** Two stored (or proposed) values say the same; empty ones (absent, null, "", []) are alike. */
export function sameStoredValue(a: unknown, b: unknown): boolean {
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) && isEmpty(b);
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

export type ChangesResult =
  | {
      ok: true;
      /** The data to store: changed values validated, untouched ones as they were, removed fields' kept. */
      values: RecordValues;
      /** Untouched values that no longer fit the fields (flagged, kept, not blocking). */
      invalid: Record<string, string>;
    }
  | { ok: false; fields: Record<string, string> };

/**
 * Validates a save for the fields it CHANGES (DESIGN.md guarantee 11). A value equal to the
 * stored one is untouched: if a schema change made it no longer fit, it is kept as it is and
 * reported in `invalid`, and it does not block the save. Values of removed fields (keys that
 * are no longer fields) are carried over unchanged; a save that sets one is refused.
 */
export function validateChanges(
  fields: readonly FieldDefinition[],
  previous: Readonly<Record<string, unknown>>,
  proposed: unknown,
  removed: readonly FieldDefinition[] = [],
): ChangesResult {
  if (typeof proposed !== "object" || proposed === null || Array.isArray(proposed)) {
    return { ok: false, fields: { _: "Must be an object of field values" } };
  }
  const input = proposed as Record<string, unknown>;
  const errors = new Map<string, string>();
  const invalid: Record<string, string> = {};
  const values: RecordValues = {};
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(input)) {
    if (known.has(key) || input[key] === undefined) continue;
    // A removed field's value sent back as it is stored (a form opened before the removal, or a
    // patch over the stored data) is no change; setting it, or any other key, is refused.
    const isRemoved = removed.some((f) => f.key === key);
    const carried = (isRemoved || key in previous) && sameStoredValue(input[key], previous[key]);
    if (!carried) errors.set(key, unknownKeyMessage(key, removed));
  }
  for (const [key, value] of Object.entries(previous)) {
    if (!known.has(key) && !isEmpty(value)) values[key] = value as FieldValue;
  }
  for (const field of fields) {
    const raw = input[field.key];
    const before = previous[field.key];
    if (!sameStoredValue(raw, before)) {
      checkChangedValue(field, raw, values, errors);
      continue;
    }
    if (isEmpty(before)) {
      if (field.required) invalid[field.key] = `${field.label} is required`;
      continue;
    }
    values[field.key] = before as FieldValue;
    const fit = fitValue(field, before);
    if (!fit.ok) invalid[field.key] = fit.message;
  }
  return errors.size > 0 ? { ok: false, fields: Object.fromEntries(errors) } : { ok: true, values, invalid };
}

export type Fit = { ok: true; value: FieldValue } | { ok: false; message: string };

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;

/** A value in the shape another field type stores, when it converts without loss; else undefined. */
function convertLossless(field: FieldDefinition, value: unknown): unknown {
  switch (field.type) {
    case "number":
    case "integer":
      return typeof value === "string" && NUMERIC.test(value) ? Number(value) : undefined;
    case "boolean":
      return value === "true" ? true : value === "false" ? false : undefined;
    case "multiselect":
      return typeof value === "string" ? [value.trim()] : undefined;
    default:
      if (typeof value === "number") return String(value);
      if (typeof value === "string") return value.trim();
      if (Array.isArray(value) && value.length === 1 && typeof value[0] === "string") return value[0];
      return undefined;
  }
}

/** Why a stored value does not fit its field now (after a schema change). */
function misfitMessage(field: FieldDefinition, value: unknown, fallback: string): string {
  if (field.type === "select" && typeof value === "string" && !(field.options ?? []).includes(value)) {
    return `'${value}' is no longer an option`;
  }
  if (field.type === "multiselect" && Array.isArray(value)) {
    const gone = value.filter((v) => typeof v !== "string" || !(field.options ?? []).includes(v));
    if (gone.length === 1) return `'${String(gone[0])}' is no longer an option`;
    if (gone.length > 1) return `${gone.map((v) => `'${String(v)}'`).join(", ")} are no longer options`;
  }
  return fallback;
}

/**
 * Whether a stored value fits the field as it is defined now: as it is, or converted without
 * loss (`"42"` fits an integer field as 42; `"4.5"` and `"abc"` do not). Used to flag values a
 * schema change left behind, and to count them before the change applies.
 */
export function fitValue(field: FieldDefinition, value: unknown): Fit {
  const direct = valueSchema(field).safeParse(value);
  if (direct.success) return { ok: true, value: direct.data };
  let issue = direct.error.issues[0]?.message;
  const converted = convertLossless(field, value);
  if (converted !== undefined) {
    const again = valueSchema(field).safeParse(converted);
    if (again.success) return { ok: true, value: again.data };
    // Say what is wrong with the value as it would convert ("4.5": not a whole number).
    issue = again.error.issues[0]?.message ?? issue;
  }
  return { ok: false, message: misfitMessage(field, value, issue ?? "Invalid value") };
}

/**
 * A record's data as its JSON shows it: only the collection's fields (removed ones stay stored,
 * hidden), fitting values converted, and `invalid` naming each value that does not fit now.
 */
export function presentValues(
  fields: readonly FieldDefinition[],
  data: Readonly<Record<string, unknown>>,
): { data: RecordValues; invalid: Record<string, string> } {
  const shown: RecordValues = {};
  const invalid: Record<string, string> = {};
  for (const field of fields) {
    const value = data[field.key];
    if (isEmpty(value)) {
      if (field.required) invalid[field.key] = `${field.label} is required`;
      continue;
    }
    const fit = fitValue(field, value);
    if (fit.ok) shown[field.key] = fit.value;
    else {
      shown[field.key] = value as FieldValue;
      invalid[field.key] = fit.message;
    }
  }
  return { data: shown, invalid };
}

/**
 * JSON merge patch (RFC 7396) over flat record data: null removes a field. The null is kept
 * in the result (validation leaves empty values out of the stored data), so a patch that
 * clears a key the collection does not have is still reported as an unknown field.
 */
export function applyMergePatch(current: RecordValues, patch: Record<string, unknown>): RecordInput {
  return { ...current, ...patch };
}

/** The lower-cased text that search looks in. */
export function searchTextOf(fields: readonly FieldDefinition[], values: RecordValues): string {
  return fields
    .filter(
      (f) =>
        f.type === "text" ||
        f.type === "longtext" ||
        f.type === "email" ||
        f.type === "select" ||
        f.type === "multiselect",
    )
    .map((f) => {
      const value = values[f.key];
      return Array.isArray(value) ? value.join(" ") : value;
    })
    .filter((v): v is string => typeof v === "string")
    .join(" \u2022 ")
    .toLowerCase();
}

/** How a value reads to a person, for tables, history and dialogs; `labels` name user and link ids. */
export function displayValue(
  field: FieldDefinition | undefined,
  value: unknown,
  labels?: Readonly<Record<string, string>>,
): string {
  if (value === undefined || value === null || value === "") return "—";
  if ((field?.type === "user" || field?.type === "link") && typeof value === "string" && labels?.[value]) {
    return labels[value];
  }
  if (field?.type === "boolean" || typeof value === "boolean") return value ? "Yes" : "No";
  if (Array.isArray(value)) return value.length === 0 ? "—" : value.join(", ");
  return String(value);
}
