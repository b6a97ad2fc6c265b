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
  const raw = await executeRows(db, query);
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

/**
 * The rows of a hand-written statement as the driver gives them (PGlite answers `{rows}`,
 * postgres.js an array), values `unknown`: the caller checks what it reads.
 */
export async function executeRows(db: DbOrTx, query: SQL): Promise<Record<string, unknown>[]> {
  const result: unknown = await db.execute(query);
  const rows: unknown = Array.isArray(result) ? result : (result as { rows?: unknown }).rows;
  if (!Array.isArray(rows)) throw new Error("the driver answered a statement without rows");
  return rows as Record<string, unknown>[];
}
