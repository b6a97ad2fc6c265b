import type { FieldChanges } from "@/db/schema";
import type { FieldDefinition } from "@/lib/fields";
import type { SchemaState } from "./schema-input";

/**
 * What changed between two schemas, as a revision's `changes`: `name`, `editMode`,
 * `capacityField`, one `fields.<key>` per field added (from null), removed (to null) or changed
 * (definition → definition), and `fieldOrder` when the fields kept their keys but moved.
 * Pure, so the schema editor's three-way dialog uses the same words as the history.
 */

/** JSON with object keys sorted: jsonb stores keys in its own order, so plain JSON.stringify would differ. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function sameDefinition(a: FieldDefinition | null | undefined, b: FieldDefinition | null | undefined): boolean {
  return stableJson(a) === stableJson(b);
}

function byKey(fields: readonly FieldDefinition[]): Map<string, FieldDefinition> {
  return new Map(fields.map((f) => [f.key, f]));
}

export function schemaChanges(before: SchemaState, after: SchemaState): FieldChanges {
  const changes: FieldChanges = {};
  if (before.name !== after.name) changes.name = { from: before.name, to: after.name };
  if (before.editMode !== after.editMode) changes.editMode = { from: before.editMode, to: after.editMode };
  if (before.capacityField !== after.capacityField) {
    changes.capacityField = { from: before.capacityField, to: after.capacityField };
  }
  const old = byKey(before.fields);
  const now = byKey(after.fields);
  for (const key of new Set([...old.keys(), ...now.keys()])) {
    const from = old.get(key) ?? null;
    const to = now.get(key) ?? null;
    if (!sameDefinition(from, to)) changes[`fields.${key}`] = { from, to };
  }
  const kept = (fields: readonly FieldDefinition[], other: Map<string, FieldDefinition>) =>
    fields.map((f) => f.key).filter((k) => other.has(k));
  const orderBefore = kept(before.fields, now);
  const orderAfter = kept(after.fields, old);
  if (orderBefore.join("\u0000") !== orderAfter.join("\u0000")) {
    changes.fieldOrder = { from: before.fields.map((f) => f.key), to: after.fields.map((f) => f.key) };
  }
  return changes;
}

/** One part of a schema the three-way dialog decides on. */
export type SchemaPart = { path: string; label: string; base: unknown; mine: unknown; theirs: unknown };
export type SchemaMerge = {
  /** Parts changed on one side only, or identically on both: taken as they are. */
  clean: SchemaPart[];
  /** Parts both sides changed differently: the admin picks mine or theirs. */
  conflicts: SchemaPart[];
};

function parts(schema: SchemaState): Map<string, unknown> {
  const map = new Map<string, unknown>([
    ["name", schema.name],
    ["editMode", schema.editMode],
    ["capacityField", schema.capacityField],
  ]);
  for (const field of schema.fields) map.set(`fields.${field.key}`, field);
  return map;
}

function labelOf(path: string, ...schemas: SchemaState[]): string {
  if (path === "name") return "Name";
  if (path === "editMode") return "Edit mode";
  if (path === "capacityField") return "Capacity field";
  if (path === "fieldOrder") return "Order of the fields";
  const key = path.slice("fields.".length);
  for (const s of schemas) {
    const field = s.fields.find((f) => f.key === key);
    if (field) return `Field “${field.label}” (${key})`;
  }
  return `Field ${key}`;
}

const same = (a: unknown, b: unknown) => stableJson(a) === stableJson(b);

/** Per part: only I changed it → mine; only they → theirs; both alike → fine; both differently → conflict. */
export function mergeSchemas(base: SchemaState, mine: SchemaState, theirs: SchemaState): SchemaMerge {
  const b = parts(base);
  const m = parts(mine);
  const t = parts(theirs);
  const clean: SchemaPart[] = [];
  const conflicts: SchemaPart[] = [];
  for (const path of new Set([...b.keys(), ...m.keys(), ...t.keys()])) {
    const part = {
      path,
      label: labelOf(path, mine, theirs, base),
      base: b.get(path),
      mine: m.get(path),
      theirs: t.get(path),
    };
    const mineChanged = !same(part.mine, part.base);
    const theirsChanged = !same(part.theirs, part.base);
    if (!mineChanged && !theirsChanged) continue;
    if (mineChanged && theirsChanged && !same(part.mine, part.theirs)) conflicts.push(part);
    else clean.push(part);
  }
  return { clean, conflicts };
}

/**
 * The merged schema: theirs, with my clean changes and my picks applied. Field order: mine
 * where I reordered, else theirs; fields only one side has keep their place in that side's list.
 */
export function applySchemaMerge(
  base: SchemaState,
  mine: SchemaState,
  theirs: SchemaState,
  picks: Readonly<Record<string, "mine" | "theirs">>,
): SchemaState {
  const { clean, conflicts } = mergeSchemas(base, mine, theirs);
  const value = (path: string): unknown => {
    const conflict = conflicts.find((c) => c.path === path);
    if (conflict) return picks[path] === "mine" ? conflict.mine : conflict.theirs;
    const part = clean.find((c) => c.path === path);
    if (!part) return parts(theirs).get(path);
    return same(part.mine, part.base) ? part.theirs : part.mine;
  };
  const mineReordered = !same(
    base.fields.map((f) => f.key).filter((k) => mine.fields.some((f) => f.key === k)),
    mine.fields.map((f) => f.key).filter((k) => base.fields.some((f) => f.key === k)),
  );
  const primary = mineReordered ? mine.fields : theirs.fields;
  const secondary = mineReordered ? theirs.fields : mine.fields;
  const order = primary.map((f) => f.key);
  secondary.forEach((f, i) => {
    if (order.includes(f.key)) return;
    const before = secondary[i - 1]?.key;
    const at = before === undefined ? 0 : order.indexOf(before) + 1;
    order.splice(at <= 0 && before !== undefined ? order.length : at, 0, f.key);
  });
  const fields = order.flatMap((key) => {
    const field = value(`fields.${key}`) as FieldDefinition | null | undefined;
    return field ? [field] : [];
  });
  return {
    name: value("name") as string,
    editMode: value("editMode") as SchemaState["editMode"],
    capacityField: (value("capacityField") as string | null | undefined) ?? null,
    fields,
  };
}

export { labelOf as schemaPartLabel };
