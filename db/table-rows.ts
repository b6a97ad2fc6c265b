import { Column, type GetColumnData, getTableColumns, getTableName, is, type SQL } from "drizzle-orm";
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

/** How `rowsOf` reads one output column: as a schema column, or with a decoder of its own. */
type ColumnDecoder = Column | ((value: unknown) => unknown);
type DecodedRow<S extends Record<string, ColumnDecoder>> = {
  [K in keyof S]: S[K] extends Column ? GetColumnData<S[K]> : S[K] extends (value: unknown) => infer T ? T : never;
};

/**
 * The rows of a hand-written statement (a compare-and-set CTE, a lease upsert, a lock-taking
 * read), typed and decoded from the schema instead of restated: `shape` names each output column
 * with the schema column it comes from, and the value is read as drizzle reads that column (a
 * timestamp is a Date from either driver). Other output columns are ignored. A column a left
 * join may leave empty is wrapped in `orNull`.
 */
export async function rowsOf<S extends Record<string, ColumnDecoder>>(
  db: DbOrTx,
  query: SQL,
  shape: S,
): Promise<DecodedRow<S>[]> {
  const decoders = Object.entries(shape).map(([key, decoder]) => {
    const decode = is(decoder, Column) ? (value: unknown) => decoder.mapFromDriverValue(value) : decoder;
    return [key, decode] as const;
  });
  const rows = await executeRows(db, query);
  return rows.map((row) => {
    const decoded: Record<string, unknown> = {};
    for (const [key, decode] of decoders) {
      const value = row[key];
      decoded[key] = value === null || value === undefined ? null : decode(value);
    }
    return decoded as DecodedRow<S>;
  });
}

/** For `rowsOf`: a schema column that a left join (or an aggregate over nothing) may leave null. */
export function orNull<C extends Column>(column: C): (value: unknown) => GetColumnData<C, "raw"> | null {
  return (value) =>
    value === null || value === undefined ? null : (column.mapFromDriverValue(value) as GetColumnData<C, "raw">);
}
