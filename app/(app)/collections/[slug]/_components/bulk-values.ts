import { FIELD_TYPES, type FieldDefinition } from "@/lib/fields";
import { MULTI_SEPARATOR } from "@/lib/form-values";

/** Field types the bulk bar can set: all of them (user and link through the page's reference options). */
export const BULK_SETTABLE: ReadonlySet<string> = new Set(FIELD_TYPES);

/**
 * A bulk bar input's value as the item's merge patch sends it: an unticked box is `false`, an
 * empty input clears the field (`null`), a multi-select is the array of its chosen options (none:
 * cleared), numbers that do not parse stay text so the server names them.
 */
export function bulkPatchValue(field: FieldDefinition, value: string | boolean): unknown {
  if (field.type === "boolean") return value === true;
  if (typeof value !== "string") return null;
  if (field.type === "multiselect") {
    const chosen = value.split(MULTI_SEPARATOR).filter((v) => v !== "");
    return chosen.length > 0 ? chosen : null;
  }
  if (value.trim() === "") return null;
  if (field.type === "number" || field.type === "integer") {
    const number = Number(value.trim());
    return Number.isFinite(number) ? number : value;
  }
  return value;
}

/** How the confirmation shows a value: people and linked records by name, options joined. */
export function bulkValueText(value: unknown, labels: ReadonlyMap<string, string>): string {
  if (value === null || value === undefined || value === "") return "(empty)";
  if (Array.isArray(value)) return value.map(String).join(", ");
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "string") return labels.get(value) ?? value;
  return String(value);
}

/** "Select all 1,234 matching", with the count the list shows; the first `maxItems` when there are more. */
export function selectMatchingLabel(
  matching: { total: number; estimate?: boolean | undefined } | undefined,
  maxItems: number,
): string {
  if (!matching) return "Select all matching";
  const total = `${matching.estimate ? "about " : ""}${matching.total.toLocaleString("en")}`;
  if (matching.estimate || matching.total > maxItems)
    return `Select the first ${maxItems.toLocaleString("en")} of ${total} matching`;
  return `Select all ${total} matching`;
}
