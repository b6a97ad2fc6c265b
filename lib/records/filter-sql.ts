import { type SQL, sql } from "drizzle-orm";
import type { Filter, FilterCondition, FilterScalar, FilterTarget, MetaKey } from "./filter";
import { fieldLowerTextSql, fieldSortExpression, fieldValueSql } from "./list-expressions";

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

/** `r.data @> {"key": value}`: implied by the exact condition beside it, and served by the collection's GIN index. */
const contains = (key: string, value: unknown) => sql`r.data @> ${JSON.stringify({ [key]: value })}::jsonb`;
const anyOf = (parts: SQL[]) => sql`(${sql.join(parts, sql` or `)})`;

function positiveFieldCondition(key: string, target: FilterTarget, condition: FilterCondition): SQL {
  // Keys are literals (list-expressions.ts): the list indexes are on `data -> 'key'`, not on a parameter.
  const value = sql.raw(fieldValueSql("r", key));
  const kind = target.valueKind;
  switch (condition.op) {
    case "_eq":
      return sql`(${contains(key, condition.value)} and ${value} = ${jsonb(condition.value)})`;
    case "_in": {
      if (condition.value.length === 0) return sql`false`;
      if (kind === "multiselect") {
        const index = anyOf(condition.value.map((v) => contains(key, [v])));
        return sql`(${index} and jsonb_typeof(${value}) = 'array' and ${value} ?| array[${list(condition.value, (v) => sql`${String(v)}`)}]::text[])`;
      }
      const index = anyOf(condition.value.map((v) => contains(key, v)));
      return sql`(${index} and ${value} in (${list(condition.value, jsonb)}))`;
    }
    case "_contains":
      if (kind === "multiselect") {
        return sql`(${contains(key, [condition.value])} and ${value} @> ${JSON.stringify([condition.value])}::jsonb)`;
      }
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
