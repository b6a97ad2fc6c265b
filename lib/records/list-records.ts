import { count, inArray, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db/client";
import { records, users } from "@/db/schema";
import { orNull, rowsOf } from "@/db/table-rows";
import type { CollectionView } from "@/lib/collections";
import type { FieldDefinition } from "@/lib/fields";
import { isUuid } from "@/lib/ids";
import { err, type Result } from "@/lib/result";
import { isStorableText } from "@/lib/storable-text";
import { EMPTY_FILTER, type Filter, isTimestamp, META_KEYS, parseFilterParam } from "./filter";
import { containsPattern, filterSql } from "./filter-sql";
import { fieldSortExpression, fieldUserIdSql, type SortKind, sqlLiteral } from "./list-expressions";
import { isoString, presentRecord, type RecordView, type UserRef } from "./record-view";

export const BUILTIN_SORTS = ["updatedAt", "createdAt"] as const;
export const MAX_PAGE = 200;
/** `count=1` counts exactly up to here; above it the answer is the planner's estimate. */
export const EXACT_COUNT_LIMIT = 10_000;

export type ListQuery = {
  q?: string | undefined;
  sort?: string | undefined;
  dir?: "asc" | "desc" | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
  /** The `filter` parameter: JSON text (lib/records/filter.ts). */
  filter?: string | undefined;
  /** Adds `total` (exact up to EXACT_COUNT_LIMIT). */
  count?: boolean | undefined;
  /** "only": the trash, deleted records with who deleted them and when. */
  deleted?: "only" | undefined;
};

/** A listed record; in the trash, also who deleted it and when. */
export type ListedRecord = RecordView & { deletedAt?: string; deletedBy?: UserRef };

export type ListError = { code: "bad_query"; message: string };
export type ListPage = {
  items: ListedRecord[];
  nextCursor: string | null;
  total?: number;
  totalIsEstimate?: boolean;
};
export type ListResult = Result<ListPage, ListError>;

type Cursor = { v: unknown; id: string };

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(raw: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      "id" in parsed &&
      typeof parsed.id === "string" &&
      "v" in parsed &&
      // A sort value: a scalar PostgreSQL can store (a lone surrogate or NUL fails the cast).
      (parsed.v === null ||
        typeof parsed.v === "number" ||
        typeof parsed.v === "boolean" ||
        (typeof parsed.v === "string" && isStorableText(parsed.v)))
    ) {
      return { v: parsed.v, id: parsed.id };
    }
  } catch {
    // fall through
  }
  return null;
}

type SortKey = { expression: SQL; kind: SortKind; nullable: boolean };

function fieldSortKey(field: FieldDefinition): SortKey {
  const expression = fieldSortExpression("r", field);
  return { expression: sql.raw(expression.sql), kind: expression.kind, nullable: true };
}

function sortKeyOf(sort: string, collection: CollectionView): SortKey | null {
  switch (sort) {
    case "updatedAt":
      return { expression: sql`r.updated_at`, kind: "timestamp", nullable: false };
    case "createdAt":
      return { expression: sql`r.created_at`, kind: "timestamp", nullable: false };
    case "updatedBy":
      return { expression: sql`(lower(uu.name) collate "C")`, kind: "text", nullable: false };
    case "createdBy":
      return { expression: sql`(lower(cu.name) collate "C")`, kind: "text", nullable: false };
  }
  const field = collection.fields.find((f) => f.key === sort);
  return field ? fieldSortKey(field) : null;
}

/** A cursor value as SQL of the sort key's type; null when the value cannot be one (a 400, never a 500). */
function cursorValue(kind: SortKind, value: unknown): SQL | null {
  switch (kind) {
    case "timestamp":
      return isTimestamp(value) ? sql`${value}::timestamptz` : null;
    case "text":
      return typeof value === "string" && value.length <= 100_000 && isStorableText(value) ? sql`${value}::text` : null;
    case "int":
      return typeof value === "number" && Number.isSafeInteger(value) ? sql`${value}::int` : null;
    case "numeric":
      return typeof value === "number" && Number.isFinite(value) ? sql`${String(value)}::numeric` : null;
    case "boolean":
      return typeof value === "boolean" ? sql`${value}::boolean` : null;
  }
}

/** The WHERE of a list: its collection, deleted or not, `q` and the filter. Shared with exports. */
export function listConditions(
  collection: CollectionView,
  query: Pick<ListQuery, "q" | "filter" | "deleted">,
  actorId: string,
): Result<{ where: SQL[] }, ListError> {
  let filter: Filter = EMPTY_FILTER;
  if (query.filter !== undefined && query.filter.trim() !== "") {
    const parsed = parseFilterParam(query.filter, { fields: collection.fields, me: actorId });
    if (!parsed.ok) return parsed;
    filter = parsed.filter;
  }
  const where: SQL[] = [
    // A literal, not a parameter: the list indexes are partial to one collection (list-indexes.ts),
    // and a plan can only use them when the collection is known while planning.
    sql.raw(`r.collection_id = ${sqlLiteral(collection.id)}::uuid`),
    query.deleted === "only" ? sql`r.deleted_at is not null` : sql`r.deleted_at is null`,
  ];
  if (query.q?.trim()) where.push(sql`r.search_text like ${containsPattern(query.q.trim())}`);
  if (filter.all.length > 0 || filter.any.length > 0) where.push(filterSql(filter));
  return { ok: true, where };
}

/** A page's record as the page statement reads it (timestamps as the driver gives them). */
/** A page's row: the record's columns as PAGE_COLUMNS names them, and its sort value as JSON (what the cursor carries). */
const ROW_SHAPE = {
  id: records.id,
  data: records.data,
  version: records.version,
  createdAt: records.createdAt,
  createdBy: records.createdBy,
  updatedAt: records.updatedAt,
  updatedBy: records.updatedBy,
  deletedAt: orNull(records.deletedAt),
  deletedBy: orNull(records.deletedBy),
  sortKey: (value: unknown): unknown => value,
};
type Row = Awaited<ReturnType<typeof rowsOf<typeof ROW_SHAPE>>>[number];

/**
 * One page of a collection, filtered, searched and sorted, with a keyset cursor (sort value,
 * id) so that page 1,000 costs what page 1 does, and a record whose sort value does not change
 * is never skipped or repeated whatever others write meanwhile. Records without a value sort
 * last in both directions; ties go by id ascending.
 */
export async function listRecords(
  db: DbOrTx,
  collection: CollectionView,
  query: ListQuery,
  actorId: string,
): Promise<ListResult> {
  const sort = query.sort ?? "updatedAt";
  const dir = query.dir ?? (BUILTIN_SORTS.includes(sort as never) ? "desc" : "asc");
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    return err({ code: "bad_query", message: `limit must be a whole number from 1 to ${MAX_PAGE}` });
  }
  // Query text reaches SQL: what PostgreSQL cannot store (NUL) is a bad query, not a failure.
  if (query.q !== undefined && !isStorableText(query.q)) {
    return err({ code: "bad_query", message: "q contains a character that cannot be searched for (NUL)" });
  }
  const key = sortKeyOf(sort, collection);
  if (!key) {
    const allowed = [...META_KEYS, ...collection.fields.map((f) => f.key)].join(", ");
    return err({ code: "bad_query", message: `sort must be one of: ${allowed}` });
  }
  const conditions = listConditions(collection, query, actorId);
  if (!conditions.ok) return conditions;
  const where = [...conditions.where];

  let after: { value: SQL | null; id: string } | null = null;
  if (query.cursor !== undefined) {
    const cursor = decodeCursor(query.cursor);
    const value = cursor && cursor.v !== null ? cursorValue(key.kind, cursor.v) : null;
    // The cursor comes back from the client: a value PostgreSQL cannot cast would be a 500.
    if (!cursor || !isUuid(cursor.id) || (cursor.v === null ? !key.nullable : value === null)) {
      return err({ code: "bad_query", message: "cursor is not valid" });
    }
    after = { value, id: cursor.id };
  }
  const person = personSortOf(sort, collection);
  const rows = person
    ? await pageByPersonName(db, { where, person, dir, after, limit })
    : await pageRows(db, { where, key, dir, after, limit });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const names = await peopleNames(db, page);
  const named = (id: string): UserRef => ({ id, name: names.get(id) ?? "" });
  const result: ListPage = {
    items: page.map((row) => {
      const view: ListedRecord = presentRecord(collection.fields, {
        id: row.id,
        collection: collection.slug,
        version: row.version,
        data: row.data,
        createdAt: isoString(row.createdAt),
        createdBy: named(row.createdBy),
        updatedAt: isoString(row.updatedAt),
        updatedBy: named(row.updatedBy),
      });
      if (query.deleted === "only" && row.deletedAt !== null) {
        view.deletedAt = isoString(row.deletedAt);
        view.deletedBy = named(row.deletedBy ?? "");
      }
      return view;
    }),
    nextCursor: rows.length > limit && last ? encodeCursor({ v: last.sortKey ?? null, id: last.id }) : null,
  };
  if (query.count) Object.assign(result, await countRecords(db, conditions.where));
  return { ok: true, ...result };
}

type PageQuery = {
  where: SQL[];
  dir: "asc" | "desc";
  /** The cursor: the last record's sort value (SQL of the key's type; null when it had none) and id. */
  after: { value: SQL | null; id: string } | null;
  limit: number;
};

/** The columns a page reads from `records r`, named as Row names them. */
const PAGE_COLUMNS = sql`r.id, r.data, r.version, r.created_at as "createdAt", r.created_by as "createdBy",
  r.updated_at as "updatedAt", r.updated_by as "updatedBy", r.deleted_at as "deletedAt", r.deleted_by as "deletedBy"`;

/**
 * The names of the people a page names (who made, changed or deleted each record): one query
 * for the page's few people, apart from the page's statement, so that choosing the page from
 * 1,000,000 records never carries joins along.
 */
async function peopleNames(db: DbOrTx, rows: Row[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.flatMap((r) => [r.createdBy, r.updatedBy, ...(r.deletedBy ? [r.deletedBy] : [])]))];
  if (ids.length === 0) return new Map();
  const found = await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids));
  return new Map(found.map((u) => [u.id, u.name]));
}

/** A page in the order of a sort expression (an index of list-indexes.ts holds it where it can). */
async function pageRows(db: DbOrTx, page: PageQuery & { key: SortKey }): Promise<Row[]> {
  const { key, dir, after, limit } = page;
  const where = [...page.where];
  const k = key.expression;
  if (after) {
    const later = dir === "asc" ? sql`>` : sql`<`;
    const { value, id } = after;
    where.push(
      value === null
        ? sql`(${k} is null and r.id > ${id}::uuid)`
        : key.nullable
          ? sql`(${k} is null or ${k} ${later} ${value} or (${k} = ${value} and r.id > ${id}::uuid))`
          : sql`(${k} ${later} ${value} or (${k} = ${value} and r.id > ${id}::uuid))`,
    );
  }
  const direction = dir === "asc" ? sql`asc` : sql`desc`;
  // Empty values last in both directions: the order the list indexes hold (`nulls last`).
  const order = key.nullable ? sql`${k} ${direction} nulls last, r.id asc` : sql`${k} ${direction}, r.id asc`;
  return rowsOf(
    db,
    sql`select ${PAGE_COLUMNS}, to_json(${k}) as "sortKey"
          from records r
         where ${sql.join(where, sql` and `)}
         order by ${order}
         limit ${limit + 1}`,
    ROW_SHAPE,
  );
}

/**
 * Sorting by a person's name: who the record names (a user field) or who made or changed it.
 * `id` is the person's id as the record holds it, `users` the same of a person `n` (users).
 */
type PersonSort = { id: SQL; users: SQL; nullable: boolean };

function personSortOf(sort: string, collection: CollectionView): PersonSort | null {
  if (sort === "createdBy") return { id: sql`r.created_by`, users: sql`n.user_id`, nullable: false };
  if (sort === "updatedBy") return { id: sql`r.updated_by`, users: sql`n.user_id`, nullable: false };
  const field = collection.fields.find((f) => f.key === sort);
  if (field?.type !== "user") return null;
  // The text of a person's id (lower-cased: the uuid cast of the sort expression ignores case).
  return { id: sql.raw(fieldUserIdSql("r", field.key)), users: sql`n.user_id::text`, nullable: true };
}

/**
 * A page sorted by a person's name without computing every record's name: the people in name
 * order (people are few), and for each, that person's records in id order (an index of
 * list-indexes.ts: `(lower(data ->> 'key'), id)` for a user field), until the page is full.
 * PostgreSQL walks the people one by one (a nested loop under the LIMIT), so the first page
 * costs a few index probes whatever the collection's size. Records naming nobody known come last, in id order: a second
 * statement, run only when the names ran out before the page did.
 */
async function pageByPersonName(db: DbOrTx, page: PageQuery & { person: PersonSort }): Promise<Row[]> {
  const { person, dir, after, limit, where } = page;
  const direction = dir === "asc" ? sql`asc` : sql`desc`;
  const nameKey = sql`(lower(u.name) collate "C")`;
  const rows: Row[] = [];
  if (!after || after.value !== null) {
    const from = after?.value ? sql`where ${nameKey} ${dir === "asc" ? sql`>=` : sql`<=`} ${after.value}` : sql``;
    const tie = after?.value ? sql`and (n.name_key <> ${after.value} or r.id > ${after.id}::uuid)` : sql``;
    // Per person (not per name): `<id> = n.user_id` is an index condition, and each person's
    // records come in id order; people who share a name are merged by the final sort, which
    // only ever sorts one name's rows (an incremental sort under the LIMIT).
    const statement = sql`select ${sql.raw("r.*")}, to_json(n.name_key) as "sortKey"
        from (select u.id as user_id, ${nameKey} as name_key from users u ${from}) n
        cross join lateral (
          select ${PAGE_COLUMNS} from records r
           where ${sql.join(where, sql` and `)}
             and ${person.id} = ${person.users}
             ${tie}
           order by r.id
           limit ${limit + 1}) r
       order by n.name_key ${direction}, r.id asc
       limit ${limit + 1}`;
    rows.push(...(await rowsOf(db, statement, ROW_SHAPE)));
  }
  if (rows.length <= limit && person.nullable) {
    const tie = after && after.value === null ? sql`and r.id > ${after.id}::uuid` : sql``;
    const statement = sql`select ${PAGE_COLUMNS}, null as "sortKey" from records r
       where ${sql.join(where, sql` and `)}
         and not exists (select 1 from (select u.id as user_id from users u) n where ${person.users} = ${person.id})
         ${tie}
       order by r.id
       limit ${limit + 1 - rows.length}`;
    rows.push(...(await rowsOf(db, statement, ROW_SHAPE)));
  }
  return rows;
}

/** Exact up to EXACT_COUNT_LIMIT (a bounded scan); above it, the planner's estimate, said so. */
async function countRecords(db: DbOrTx, where: SQL[]): Promise<{ total: number; totalIsEstimate?: true }> {
  const condition = sql.join(where, sql` and `);
  // The conditions name `records` as `r` (list-expressions.ts writes them so).
  const bounded = db
    .select({ one: sql`1` })
    .from(alias(records, "r"))
    .where(condition)
    .limit(EXACT_COUNT_LIMIT + 1)
    .as("s");
  const [row] = await db.select({ n: count() }).from(bounded);
  const exact = row?.n ?? 0;
  if (exact <= EXACT_COUNT_LIMIT) return { total: exact };
  // The planner's row estimate from the statistics (EXPLAIN is SQL of its own: no builder).
  const [plan] = await rowsOf(db, sql`explain (format json) select 1 from records r where ${condition}`, {
    "QUERY PLAN": (value: unknown): unknown => value,
  });
  const estimate = planRows(plan?.["QUERY PLAN"]);
  return { total: Math.max(EXACT_COUNT_LIMIT + 1, Math.round(estimate)), totalIsEstimate: true };
}

function planRows(plan: unknown): number {
  const parsed: unknown = typeof plan === "string" ? JSON.parse(plan) : plan;
  const first = Array.isArray(parsed) ? parsed[0] : null;
  const rows =
    first && typeof first === "object" && "Plan" in first ? (first.Plan as Record<string, unknown>)["Plan Rows"] : 0;
  return typeof rows === "number" ? rows : 0;
}
