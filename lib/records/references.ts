import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { collections, records, users } from "@/db/schema";
import type { FieldDefinition } from "@/lib/fields";

/**
 * User and link values must name something that exists when they are written: an active person,
 * or a record (not deleted) of the linked collection. Checked for the keys a write sets, so a
 * record whose linked record was deleted later still saves its other fields.
 */
export async function referenceProblems(
  db: DbOrTx,
  fields: readonly FieldDefinition[],
  values: Readonly<Record<string, unknown>>,
  keys: Iterable<string>,
): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  for (const key of keys) {
    const field = fields.find((f) => f.key === key);
    const value = values[key];
    if (!field || typeof value !== "string") continue;
    if (field.type === "user") {
      const rows = await db
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.id, value), eq(users.active, true)));
      if (rows.length === 0) problems[key] = "No active person with this id";
    } else if (field.type === "link") {
      const rows = await db
        .select({ id: records.id })
        .from(records)
        .innerJoin(collections, eq(collections.id, records.collectionId))
        .where(and(eq(records.id, value), eq(collections.slug, field.collection ?? ""), isNull(records.deletedAt)));
      if (rows.length === 0) problems[key] = `No record with this id in '${field.collection ?? ""}'`;
    }
  }
  return problems;
}
