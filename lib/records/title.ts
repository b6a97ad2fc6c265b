import { type SQL, sql } from "drizzle-orm";
import type { RecordData } from "@/db/schema";
import type { FieldDefinition } from "@/lib/fields";

/**
 * A record's title: the value of its collection's first text field (DESIGN.md, activity items).
 * `record` and `collection` are the SQL aliases of `records` and `collections` in the query.
 */
export function recordTitleSql(record: SQL, collection: SQL): SQL {
  return sql`(${record}.data ->> (select f ->> 'key' from jsonb_array_elements(${collection}.fields) as f
                                   where f ->> 'type' = 'text' limit 1))`;
}

export function recordTitle(fields: readonly FieldDefinition[], data: RecordData): string {
  const key = fields.find((f) => f.type === "text")?.key;
  const value = key === undefined ? undefined : data[key];
  return typeof value === "string" && value.trim() !== "" ? value : "Untitled record";
}
