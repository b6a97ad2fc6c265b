import type { FieldDefinition, FieldType } from "@/lib/fields";

/** What each field type is called in the editor. */
export const TYPE_NAMES: Record<FieldType, string> = {
  text: "Text",
  longtext: "Long text",
  number: "Number",
  integer: "Whole number",
  boolean: "Yes / no",
  date: "Date",
  select: "Select (one option)",
  email: "Email",
  multiselect: "Multi-select (several options)",
  user: "Person",
  link: "Link to a record",
};

/** The definitions as the server takes them: properties that do not apply to the type left out. */
export function cleanFields(draft: { rows: { field: FieldDefinition }[] }): FieldDefinition[] {
  return draft.rows.map(({ field }) => {
    const out: FieldDefinition = { key: field.key, label: field.label, type: field.type };
    if (field.required) out.required = true;
    if (field.listed) out.listed = true;
    if (field.type === "select" || field.type === "multiselect") out.options = field.options ?? [];
    if (field.type === "number" || field.type === "integer") {
      if (field.min !== undefined) out.min = field.min;
      if (field.max !== undefined) out.max = field.max;
    }
    if ((field.type === "text" || field.type === "longtext") && field.maxLength !== undefined) {
      out.maxLength = field.maxLength;
    }
    if (field.type === "link") out.collection = field.collection ?? "";
    return out;
  });
}

export function keyFrom(label: string): string {
  return label
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^[^a-z]+|_+$/g, "")
    .slice(0, 63);
}
