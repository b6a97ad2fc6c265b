import type { FieldChanges } from "@/db/schema";

/** Per-field `from → to` between two versions of a record's data; absent means empty. */
export function diffValues(from: Record<string, unknown>, to: Record<string, unknown>): FieldChanges {
  const changes: FieldChanges = {};
  for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
    const before = from[key] ?? null;
    const after = to[key] ?? null;
    if (before !== after) changes[key] = { from: before, to: after };
  }
  return changes;
}
