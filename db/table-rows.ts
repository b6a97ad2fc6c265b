import { getTableColumns, getTableName, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { DbOrTx } from "./client";

/**
 * Runs hand-written SQL whose rows are whole rows of `table` (`returning *`, `select t.*`) and
 * decodes them with the schema's own columns: typed as the table's `$inferSelect`, timestamps as
 * `Date`, the same on PGlite and postgres.js. Only for statements that ARE the product (a
 * compare-and-set with its revision in one statement); every other query uses drizzle's builder.
 */
export async function tableRows<T extends PgTable>(db: DbOrTx, table: T, query: SQL): Promise<T["$inferSelect"][]> {
  const result: unknown = await db.execute(query);
  const raw = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];
  const columns = Object.entries(getTableColumns(table));
  return raw.map((row) => {
    const decoded: Record<string, unknown> = {};
    for (const [key, column] of columns) {
      if (!(column.name in row)) throw new Error(`a row of ${getTableName(table)} lacks ${column.name}`);
      const value = row[column.name];
      decoded[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return decoded as T["$inferSelect"];
  });
}
