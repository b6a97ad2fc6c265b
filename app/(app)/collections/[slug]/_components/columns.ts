import type { FieldDefinition } from "@/lib/fields";
import { META_LABELS } from "./filter-model";

/** A column of the table: a field or a meta field, with a width the person chose (px). */
export type Column = { key: string; label: string; width?: number; field?: FieldDefinition };

export function allColumns(fields: readonly FieldDefinition[]): Column[] {
  return [
    ...fields.map((field) => ({ key: field.key, label: field.label, field })),
    ...Object.entries(META_LABELS).map(([key, label]) => ({ key, label })),
  ];
}

/** The default: the collection's listed fields, then Updated. */
export function defaultColumns(fields: readonly FieldDefinition[]): { key: string }[] {
  return [...fields.filter((f) => f.listed).map((f) => ({ key: f.key })), { key: "updatedAt" }];
}

export function resolveColumns(
  fields: readonly FieldDefinition[],
  chosen: { key: string; width?: number }[],
): Column[] {
  const available = allColumns(fields);
  const out: Column[] = [];
  for (const c of chosen) {
    const column = available.find((a) => a.key === c.key);
    if (column && !out.some((o) => o.key === c.key)) out.push({ ...column, ...(c.width ? { width: c.width } : {}) });
  }
  return out.length > 0 ? out : available.slice(0, 1);
}
