import { z } from "zod";
import { EDIT_MODES } from "@/db/schema";
import { FIELD_KEY_PATTERN, FIELD_TYPES, type FieldDefinition, isMetaName } from "@/lib/fields";

/**
 * What an admin sends to define a collection, and the checks a schema must pass before it is
 * written. Shared by the API, the schema editor (server action) and the seed; the browser can
 * run `checkSchema` too, so both say the same thing.
 */

export const SLUG_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Words the app's routes use beside or after a collection's slug (`/collections/:slug/trash`,
 * `/admin/collections/new`, …): a collection named so would be confusing or shadowed. Not
 * `events`: the demo has an Events collection, and `/api/collections/:slug/events` is a suffix.
 */
export const RESERVED_SLUGS = new Set([
  "new",
  "edit",
  "trash",
  "import",
  "export",
  "views",
  "bulk",
  "records",
  "revisions",
  "schema",
  "fields",
  "admin",
  "api",
  "settings",
  "activity",
  "notifications",
  "batches",
  "collections",
  "users",
  "tokens",
  "invite",
  "login",
  "me",
]);

const MAX_FIELDS = 200;
const MAX_OPTIONS = 200;

export const fieldInputSchema = z.strictObject({
  key: z.string({ error: "Must be a key" }).max(100),
  label: z.string({ error: "Must be text" }).trim().min(1, { error: "Give the field a label" }).max(200),
  type: z.enum(FIELD_TYPES, { error: `Must be one of: ${FIELD_TYPES.join(", ")}` }),
  required: z.boolean().optional(),
  options: z
    .array(z.string().trim().min(1, { error: "An option cannot be empty" }).max(200))
    .max(MAX_OPTIONS)
    .optional(),
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
  maxLength: z.number().int().positive().max(50_000).optional(),
  listed: z.boolean().optional(),
  collection: z.string().max(100).optional(),
});

const nameSchema = z.string({ error: "Must be text" }).trim().min(1, { error: "Give the collection a name" }).max(200);
const capacitySchema = z.string().max(100).nullable().optional();

export const createCollectionSchema = z.strictObject({
  slug: z.string({ error: "Must be a slug" }).max(100),
  name: nameSchema,
  editMode: z.enum(EDIT_MODES).optional(),
  capacityField: capacitySchema,
  fields: z.array(fieldInputSchema).max(MAX_FIELDS),
});
export type CreateCollectionInput = z.infer<typeof createCollectionSchema>;

export const updateCollectionSchema = z.strictObject({
  name: nameSchema.optional(),
  editMode: z.enum(EDIT_MODES).optional(),
  capacityField: capacitySchema,
  fields: z.array(fieldInputSchema).max(MAX_FIELDS).optional(),
});
export type UpdateCollectionInput = z.infer<typeof updateCollectionSchema>;

/** A complete schema: what a collection is defined by (and what its revisions snapshot). */
export type SchemaState = {
  name: string;
  editMode: (typeof EDIT_MODES)[number];
  capacityField: string | null;
  fields: FieldDefinition[];
};

/** A definition without the properties that say nothing (undefined, false `required`/`listed`). */
export function normalizeField(field: FieldDefinition): FieldDefinition {
  const out: FieldDefinition = { key: field.key, label: field.label.trim(), type: field.type };
  if (field.required) out.required = true;
  if (field.options !== undefined) out.options = field.options.map((o) => o.trim());
  if (field.min !== undefined) out.min = field.min;
  if (field.max !== undefined) out.max = field.max;
  if (field.maxLength !== undefined) out.maxLength = field.maxLength;
  if (field.listed) out.listed = true;
  if (field.collection !== undefined) out.collection = field.collection;
  return out;
}

export function slugProblem(slug: string): string | null {
  if (!SLUG_PATTERN.test(slug)) {
    return "Use lower-case letters, digits and hyphens, starting with a letter (at most 63 characters)";
  }
  if (RESERVED_SLUGS.has(slug)) return `'${slug}' is a word the app's pages use; choose another`;
  return null;
}

/**
 * Every problem of a schema, keyed by its path in the request (`fields.2.key`, `capacityField`).
 * `collections` are the slugs a link field may point to (the collection itself included).
 */
export function checkSchema(schema: SchemaState, collections: ReadonlySet<string>): Record<string, string> {
  const errors: Record<string, string> = {};
  const seen = new Map<string, number>();
  schema.fields.forEach((field, index) => {
    const at = `fields.${index}`;
    if (!FIELD_KEY_PATTERN.test(field.key)) {
      errors[`${at}.key`] = "Use lower-case letters, digits and _, starting with a letter (at most 63 characters)";
    } else if (isMetaName(field.key)) {
      errors[`${at}.key`] = `'${field.key}' is reserved for the record's own data; choose another key`;
    } else if (seen.has(field.key)) {
      errors[`${at}.key`] = `Field ${(seen.get(field.key) ?? 0) + 1} already has the key '${field.key}'`;
    }
    if (!seen.has(field.key)) seen.set(field.key, index);

    const hasOptions = field.type === "select" || field.type === "multiselect";
    if (hasOptions) {
      const options = field.options ?? [];
      if (options.length === 0) errors[`${at}.options`] = "Give at least one option";
      if (options.some((o) => /[\r\n]/.test(o))) errors[`${at}.options`] = "An option is one line of text";
      const repeated = options.find((o, i) => options.indexOf(o) !== i);
      if (repeated !== undefined) errors[`${at}.options`] = `'${repeated}' is listed more than once`;
    } else if (field.options !== undefined) {
      errors[`${at}.options`] = "Only select and multi-select fields have options";
    }

    const numeric = field.type === "number" || field.type === "integer";
    if (!numeric && (field.min !== undefined || field.max !== undefined)) {
      errors[`${at}.${field.min !== undefined ? "min" : "max"}`] = "Only number fields have a minimum and maximum";
    }
    if (numeric && field.min !== undefined && field.max !== undefined && field.min > field.max) {
      errors[`${at}.max`] = "The maximum is below the minimum";
    }
    if (field.maxLength !== undefined) {
      if (field.type !== "text" && field.type !== "longtext") {
        errors[`${at}.maxLength`] = "Only text fields have a maximum length";
      } else if (field.type === "text" && field.maxLength > 500) {
        errors[`${at}.maxLength`] = "Text fields hold at most 500 characters (use long text)";
      }
    }
    if (field.type === "link") {
      if (!field.collection) errors[`${at}.collection`] = "Choose the collection this field links to";
      else if (!collections.has(field.collection)) errors[`${at}.collection`] = `No collection '${field.collection}'`;
    } else if (field.collection !== undefined) {
      errors[`${at}.collection`] = "Only link fields name a collection";
    }
  });
  if (schema.capacityField !== null) {
    const capacity = schema.fields.find((f) => f.key === schema.capacityField);
    if (!capacity) errors.capacityField = `No field '${schema.capacityField}' in this collection`;
    else if (capacity.type !== "integer") errors.capacityField = "The capacity field must be a whole-number field";
  }
  return errors;
}
