import type { FieldDefinition } from "@/lib/fields";

/**
 * How a stored value becomes a CSV cell and back (export and import agree here, so an export
 * re-imported unedited changes nothing):
 * - numbers as numbers (`-4.5`), booleans as `true`/`false`, multiselect options joined by `; `;
 * - text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR)
 *   gets one leading `'`, and so does text that already starts with `'` before such a character;
 *   import removes exactly that one `'`.
 */

export const MULTISELECT_SEPARATOR = "; ";

const FORMULA_LIKE = /^'*[=+\-@\t\r]/;

export function escapeFormula(text: string): string {
  return FORMULA_LIKE.test(text) ? `'${text}` : text;
}

export function unescapeFormula(text: string): string {
  return text.startsWith("'") && FORMULA_LIKE.test(text) ? text.slice(1) : text;
}

/** The cell's text, before CSV quoting. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return escapeFormula(value.map(String).join(MULTISELECT_SEPARATOR));
  return escapeFormula(String(value));
}

/** RFC 4180: a cell with a comma, a quote or a line break is quoted, its quotes doubled. */
export function quoteCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly unknown[]): string {
  return `${cells.map((c) => quoteCell(cellText(c))).join(",")}\r\n`;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(["true", "yes", "1"]);
const FALSE = new Set(["false", "no", "0"]);

/**
 * A cell read back as the field's value: null for an empty cell; text the type cannot read
 * (`abc` for a number) is passed on as text, for validation to name the problem.
 */
export function parseCell(field: FieldDefinition, cell: string): unknown {
  if (cell === "") return null;
  const text = unescapeFormula(cell);
  switch (field.type) {
    case "number":
    case "integer":
      return NUMBER.test(text.trim()) ? Number(text.trim()) : text;
    case "boolean": {
      const lower = text.trim().toLowerCase();
      return TRUE.has(lower) ? true : FALSE.has(lower) ? false : text;
    }
    case "multiselect":
      return text
        .split(";")
        .map((part) => part.trim())
        .filter((part) => part !== "");
    default:
      return text;
  }
}
