import type { FieldDefinition } from "@/lib/fields";

/**
 * The SQL expressions lists filter and sort a field by, as text with every constant inlined
 * (field key, select options): the ONE place that writes them, so the expression indexes the
 * reconciler (list-indexes.ts) creates are exactly the ones list-records.ts and filter-sql.ts
 * query. PostgreSQL matches an index to a query by its expression tree, and a parameter
 * (`data -> $1`) never matches `data -> 'status'`; hence literals. Keys pass FIELD_KEY_PATTERN
 * and options are checked storable text, and every literal is quoted here all the same.
 *
 * `table` is the alias the query gives `records` (`r`), or null inside CREATE INDEX.
 */

/** A SQL string literal (standard_conforming_strings: only the quote needs doubling). */
export function sqlLiteral(text: string): string {
  if (text.includes("\u0000")) throw new Error("NUL cannot be a SQL literal");
  return `'${text.replaceAll("'", "''")}'`;
}

const column = (table: string | null) => (table ? `${table}.data` : "data");

/** `(r.data -> 'key')`: the field's jsonb value. */
export function fieldValueSql(table: string | null, key: string): string {
  return `(${column(table)} -> ${sqlLiteral(key)})`;
}

/** `(r.data ->> 'key')`: the field's value as text. */
export function fieldTextSql(table: string | null, key: string): string {
  return `(${column(table)} ->> ${sqlLiteral(key)})`;
}

/** `lower(r.data ->> 'key')`: what `_contains` on a text field searches (a trigram index serves it). */
export function fieldLowerTextSql(table: string | null, key: string): string {
  return `lower(${fieldTextSql(table, key)})`;
}

/** `lower(r.data ->> 'key')`: a user field's person id as text (its `eq` list index; sorting by name joins on it). */
export function fieldUserIdSql(table: string | null, key: string): string {
  return `lower(${fieldTextSql(table, key)})`;
}

/** What a sort key's values are: how a cursor's value is checked and cast back. */
export type SortKind = "timestamp" | "text" | "int" | "numeric" | "boolean";

export type FieldSortExpression = {
  sql: string;
  kind: SortKind;
  /** Whether an index can hold it (immutable, no subquery): a user field sorts by a person's current name. */
  indexable: boolean;
  /**
   * The expression without its `collate "C"`: what statistics objects are made on. PostgreSQL
   * strips the collation (a RelabelType) from a clause before looking for statistics, so
   * statistics on the collated expression are never found.
   */
  statistics: string;
};

const UUID_TEXT = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

function optionsArray(options: readonly string[]): string {
  return options.length === 0 ? "array[]::text[]" : `array[${options.map(sqlLiteral).join(", ")}]::text[]`;
}

/**
 * The ORDER BY expression of a field (DESIGN.md, "Sorting"): text case-insensitive (lower, in
 * code point order so every database agrees), select by the order of its options, user fields
 * by the person's name; a value of the wrong type (left by a schema change) counts as empty
 * (null). Ranges and equality filter on the same expression where it has one (filter-sql.ts),
 * so one index, and its statistics, serve both.
 */
export function fieldSortExpression(table: string | null, field: FieldDefinition): FieldSortExpression {
  const expression = sortExpressionOf(table, field);
  return { ...expression, statistics: expression.statistics ?? expression.sql };
}

/** Text in code point order (`collate "C"`), and the same without it for statistics. */
function collated(inner: string): { sql: string; statistics: string } {
  return { sql: `(${inner} collate "C")`, statistics: inner };
}

function sortExpressionOf(
  table: string | null,
  field: FieldDefinition,
): Omit<FieldSortExpression, "statistics"> & { statistics?: string } {
  const value = fieldValueSql(table, field.key);
  const text = fieldTextSql(table, field.key);
  const isString = `jsonb_typeof(${value}) = 'string'`;
  switch (field.type) {
    case "text":
    case "longtext":
    case "email":
      return {
        // The first 500 characters (a text field's length; at most 2,000 bytes, well inside a
        // btree entry): a longer value in an index would make saves fail.
        ...collated(`nullif(left(lower(case when ${isString} then ${text} end), 500), '')`),
        kind: "text",
        indexable: true,
      };
    case "date":
    case "link":
      return {
        ...collated(`case when ${isString} then nullif(left(lower(${text}), 500), '') end`),
        kind: "text",
        indexable: true,
      };
    case "select": {
      const options = field.options ?? [];
      return {
        sql: `(case when ${isString} and ${text} <> '' then coalesce(array_position(${optionsArray(options)}, ${text}), ${options.length + 1}) end)`,
        kind: "int",
        indexable: true,
      };
    }
    case "multiselect":
      // By its first option in the options' order (an immutable SQL function: migration 0013).
      return {
        sql: `tandem_first_option(${value}, ${optionsArray(field.options ?? [])})`,
        kind: "int",
        indexable: true,
      };
    case "number":
    case "integer":
      return {
        sql: `(case when jsonb_typeof(${value}) = 'number' then ${text}::numeric end)`,
        kind: "numeric",
        indexable: true,
      };
    case "boolean":
      return {
        sql: `(case when jsonb_typeof(${value}) = 'boolean' then ${text}::boolean end)`,
        kind: "boolean",
        indexable: true,
      };
    case "user":
      return {
        sql: `((select lower(u.name) from users u where u.id = (case when ${isString} and ${text} ~ '${UUID_TEXT}' then ${text}::uuid end)) collate "C")`,
        kind: "text",
        indexable: false,
      };
  }
}
