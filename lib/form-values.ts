import type { FieldDefinition, RecordInput, RecordValues } from "./fields";

/** What form inputs hold: text for every input, booleans for checkboxes; a multi-select's options one per line. */
export type FormValues = Record<string, string | boolean>;

/** A multi-select's chosen options as one form value (options hold no line breaks). */
export const MULTI_SEPARATOR = "\n";

export function toFormValues(fields: readonly FieldDefinition[], data: RecordValues): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const value = data[field.key];
    values[field.key] =
      field.type === "boolean"
        ? value === true
        : value === undefined
          ? ""
          : Array.isArray(value)
            ? value.join(MULTI_SEPARATOR)
            : String(value);
  }
  return values;
}

/**
 * Form values as the save sends them. Numbers that do not parse stay text so validation can
 * name them; empty inputs clear the field; an unticked box stays absent where it was absent.
 */
export function fromFormValues(
  fields: readonly FieldDefinition[],
  values: FormValues,
  base: RecordValues = {},
): RecordInput {
  const input: RecordInput = {};
  for (const field of fields) {
    const value = values[field.key];
    const before = base[field.key];
    if (typeof value === "string" && before !== undefined && toFormValues([field], base)[field.key] === value) {
      // Unchanged in the form: sent as stored, so a value that no longer fits stays untouched (guarantee 11).
      input[field.key] = before;
    } else if (field.type === "multiselect") {
      const chosen = typeof value === "string" ? value.split(MULTI_SEPARATOR).filter((v) => v !== "") : [];
      input[field.key] = chosen.length > 0 ? chosen : null;
    } else if (field.type === "boolean") {
      input[field.key] = value === true ? true : field.key in base ? false : null;
    } else if (typeof value !== "string" || value.trim() === "") {
      input[field.key] = null;
    } else if (field.type === "number" || field.type === "integer") {
      const number = Number(value.trim());
      input[field.key] = Number.isFinite(number) ? number : value;
    } else {
      input[field.key] = value;
    }
  }
  return input;
}

/** Whether two sets of form values differ in any field. */
export function formValuesDiffer(a: FormValues, b: FormValues): boolean {
  return Object.keys({ ...a, ...b }).some((key) => (a[key] ?? "") !== (b[key] ?? ""));
}
