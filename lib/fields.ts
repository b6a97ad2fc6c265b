import { z } from "zod";

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

export const fieldDefinitionSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/),
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

/**
 * Half of a UTF-16 surrogate pair without its other half. JSON keeps it as "\ud800", which
 * PostgreSQL's jsonb refuses (String#isWellFormed would say it, but is ES2024).
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const TEXT_LIMIT = 500;
const LONGTEXT_LIMIT = 50_000;

function isoDate(value: string): boolean {
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
      return z.string({ error: "Must be a date" }).refine(isoDate, { error: "Must be a date (YYYY-MM-DD)" });
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

/**
 * Validates a complete set of values against the fields. Every problem is reported, each
 * under its field's key; keys that are not fields are reported too, never dropped.
 */
export function validateRecord(fields: readonly FieldDefinition[], input: unknown): ValidationResult {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, fields: { _: "Must be an object of field values" } };
  }
  // No prototype: a key named `__proto__` is then an ordinary key, reported like any other.
  const errors: Record<string, string> = Object.create(null);
  const values: RecordValues = {};
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) errors[key] = "Unknown field";
  }
  for (const field of fields) {
    const raw = (input as Record<string, unknown>)[field.key];
    if (isEmpty(raw)) {
      if (field.required) errors[field.key] = `${field.label} is required`;
      continue;
    }
    const parsed = valueSchema(field).safeParse(
      typeof raw === "string" && field.type !== "longtext" ? raw.trim() : raw,
    );
    if (parsed.success) values[field.key] = parsed.data;
    else errors[field.key] = parsed.error.issues[0]?.message ?? "Invalid value";
  }
  return Object.keys(errors).length > 0 ? { ok: false, fields: errors } : { ok: true, values };
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
    .filter((f) => f.type === "text" || f.type === "longtext" || f.type === "email" || f.type === "select")
    .map((f) => values[f.key])
    .filter((v): v is string => typeof v === "string")
    .join(" \u2022 ")
    .toLowerCase();
}

/** How a value reads to a person, for tables, history and dialogs. */
export function displayValue(field: FieldDefinition | undefined, value: unknown): string {
  if (value === undefined || value === null || value === "") return "—";
  if (field?.type === "boolean" || typeof value === "boolean") return value ? "Yes" : "No";
  if (Array.isArray(value)) return value.length === 0 ? "—" : value.join(", ");
  return String(value);
}
