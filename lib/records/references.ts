import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
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
      const rows = await queryRows(db, sql`select 1 from users where id = ${value} and active`);
      if (rows.length === 0) problems[key] = "No active person with this id";
    } else if (field.type === "link") {
      const rows = await queryRows(
        db,
        sql`select 1 from records r join collections c on c.id = r.collection_id
             where r.id = ${value} and c.slug = ${field.collection ?? ""} and r.deleted_at is null`,
      );
      if (rows.length === 0) problems[key] = `No record with this id in '${field.collection ?? ""}'`;
    }
  }
  return problems;
}
