import { type SQL, sql } from "drizzle-orm";
import type { Filter, FilterCondition, FilterScalar, FilterTarget, MetaKey } from "./filter";
import { fieldLowerTextSql, fieldSortExpression, fieldUserIdSql, fieldValueSql } from "./list-expressions";

/**
 * Compiles a parsed filter (lib/records/filter.ts) into a WHERE condition over `records r`.
 * Values are always parameters; field keys passed the key pattern of lib/fields.ts and are
 * parameters too. A negative op is `(<positive>) is not true`, the exact complement: a
 * record without a value (SQL null) matches it.
 */

const META_COLUMNS: Record<MetaKey, SQL> = {
  createdAt: sql`r.created_at`,
  updatedAt: sql`r.updated_at`,
  createdBy: sql`r.created_by`,
  updatedBy: sql`r.updated_by`,
};

/** `%…%` for LIKE, with the pattern characters taken literally; lower-cased (compared to lower()). */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const jsonb = (value: FilterScalar) => sql`${JSON.stringify(value)}::jsonb`;

function list(values: FilterScalar[], item: (v: FilterScalar) => SQL): SQL {
  return sql.join(values.map(item), sql`, `);
}

function positiveFieldCondition(key: string, target: FilterTarget, condition: FilterCondition): SQL {
  // Keys are literals (list-expressions.ts): the list indexes are on `data -> 'key'`, not on a parameter.
  const value = sql.raw(fieldValueSql("r", key));
  const kind = target.valueKind;
  switch (condition.op) {
    case "_eq":
      return equality(target, [condition.value], sql`${value} = ${jsonb(condition.value)}`);
    case "_in": {
      if (condition.value.length === 0) return sql`false`;
      if (kind === "multiselect") {
        // `?|` and `@>` on `data -> 'key'`: the field's GIN index (list-indexes.ts).
        return sql`(jsonb_typeof(${value}) = 'array' and ${value} ?| array[${list(condition.value, (v) => sql`${String(v)}`)}]::text[])`;
      }
      return equality(target, condition.value, sql`${value} in (${list(condition.value, jsonb)})`);
    }
    case "_contains":
      if (kind === "multiselect") return sql`${value} @> ${JSON.stringify([condition.value])}::jsonb`;
      return sql`(jsonb_typeof(${value}) = 'string' and ${sql.raw(fieldLowerTextSql("r", key))} like ${containsPattern(String(condition.value))})`;
    case "_lt":
    case "_lte":
    case "_gt":
    case "_gte": {
      // On the sort expression, which the field's ascending list index holds: a value of another
      // type is null there and matches no range, as before.
      const op = { _lt: sql`<`, _lte: sql`<=`, _gt: sql`>`, _gte: sql`>=` }[condition.op];
      const ordered = sql.raw(fieldSortExpression("r", target.kind === "field" ? target.field : never()).sql);
      if (kind === "date") return sql`(${ordered} ${op} ${String(condition.value)}::text)`;
      return sql`(${ordered} ${op} ${String(condition.value)}::numeric)`;
    }
    case "_empty":
      return sql`coalesce(${value} in ('null'::jsonb, '""'::jsonb, '[]'::jsonb), true)`;
    default:
      throw new Error(`not a positive op: ${condition.op}`);
  }
}

/**
 * `data -> key` equal to one of `values` (`exact`), written on what an index of the field holds
 * (list-indexes.ts), whose statistics also tell the planner how many records match:
 * - select (options only), number, integer, boolean, date: the sort expression equal to what the
 *   values sort as, which is the same condition (the ascending index);
 * - text, email, link, and user (its lower-cased id, the field's `eq` index): lower-cased, so it
 *   narrows and `exact` decides (a statistics object over both expressions keeps the estimate
 *   of the pair right);
 * - anything else: `exact` alone.
 */
function equality(target: FilterTarget, values: FilterScalar[], exact: SQL): SQL {
  if (target.kind !== "field") return never();
  const { field } = target;
  const sort = fieldSortExpression("r", field);
  const ordered = sql.raw(sort.sql);
  const each = (item: (v: FilterScalar) => SQL) => sql`(${ordered} in (${list(values, item)}))`;
  switch (field.type) {
    case "select": {
      const options = field.options ?? [];
      if (!values.every((v) => options.includes(String(v)))) return sql`(${exact})`;
      return each((v) => sql`${options.indexOf(String(v)) + 1}::int`);
    }
    case "number":
    case "integer":
      return each((v) => sql`${String(v)}::numeric`);
    case "boolean":
      return each((v) => sql`${v === true}::boolean`);
    case "date":
      // ISO dates (digits and dashes): lower-casing changes nothing.
      return each((v) => sql`${String(v)}::text`);
    case "user":
      // The index holds the id lower-cased (as the name sort joins on it); values are lower-cased ids.
      return sql`(${sql.raw(fieldUserIdSql("r", field.key))} in (${list(values, (v) => sql`${String(v)}::text`)}) and ${exact})`;
    case "text":
    case "email":
    case "link":
    case "longtext":
      // "" sorts as empty (null); a longtext not listed has no btree index.
      if (values.includes("") || (field.type === "longtext" && !field.listed)) return sql`(${exact})`;
      return sql`(${each((v) => sql`left(lower(${String(v)}::text), 500)`)} and ${exact})`;
    default:
      return sql`(${exact})`;
  }
}

function never(): never {
  throw new Error("a field condition without a field");
}

function positiveMetaCondition(key: MetaKey, condition: FilterCondition): SQL {
  const column = META_COLUMNS[key];
  const cast = key.endsWith("At") ? sql`::timestamptz` : sql`::uuid`;
  const param = (v: FilterScalar) => sql`${String(v)}${cast}`;
  switch (condition.op) {
    case "_eq":
      return sql`${column} = ${param(condition.value)}`;
    case "_in":
      return condition.value.length === 0 ? sql`false` : sql`${column} in (${list(condition.value, param)})`;
    case "_lt":
      return sql`${column} < ${param(condition.value)}`;
    case "_lte":
      return sql`${column} <= ${param(condition.value)}`;
    case "_gt":
      return sql`${column} > ${param(condition.value)}`;
    case "_gte":
      return sql`${column} >= ${param(condition.value)}`;
    case "_empty":
      // Meta fields always have a value.
      return sql`false`;
    default:
      throw new Error(`not a positive op: ${condition.op}`);
  }
}

const NEGATIVE = { _neq: "_eq", _nin: "_in", _ncontains: "_contains", _nempty: "_empty" } as const;

function conditionSql(condition: FilterCondition): SQL {
  let positive = condition;
  let negate = false;
  if (condition.op in NEGATIVE) {
    positive = { ...condition, op: NEGATIVE[condition.op as keyof typeof NEGATIVE] } as FilterCondition;
    negate = true;
  }
  // `_empty: false` is `_nempty: true`, and the other way round.
  if (positive.op === "_empty" && positive.value === false) {
    positive = { ...positive, value: true };
    negate = !negate;
  }
  const target = positive.target;
  const expression =
    target.kind === "meta"
      ? positiveMetaCondition(target.key, positive)
      : positiveFieldCondition(target.key, target, positive);
  return negate ? sql`((${expression}) is not true)` : sql`(${expression})`;
}

const and = (parts: SQL[]) => (parts.length === 0 ? sql`true` : sql`(${sql.join(parts, sql` and `)})`);

/** The WHERE condition of a filter; `true` for the empty filter. */
export function filterSql(filter: Filter): SQL {
  const parts = filter.all.map(conditionSql);
  if (filter.any.length > 0) {
    parts.push(
      sql`(${sql.join(
        filter.any.map((group) => and(group.map(conditionSql))),
        sql` or `,
      )})`,
    );
  }
  return and(parts);
}
