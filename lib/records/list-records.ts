import { type SQL, sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { CollectionView } from "@/lib/collections";
import { err, type Result } from "@/lib/result";
import { isStorableText } from "@/lib/storable-text";
import { isUuid, type RecordRowColumns, recordViewFromRow } from "./queries";
import type { RecordView } from "./record-view";

export const BUILTIN_SORTS = ["updatedAt", "createdAt"] as const;
export const MAX_PAGE = 200;

export type ListQuery = {
  q?: string | undefined;
  sort?: string | undefined;
  dir?: "asc" | "desc" | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
};

export type ListError = { code: "bad_query"; message: string };
export type ListResult = Result<{ items: RecordView[]; nextCursor: string | null }, ListError>;

type Cursor = { v: unknown; id: string };

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(raw: string): Cursor | null {
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

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2})(?::(\d{2}))?(?::(\d{2}))?)$/;

/** A timestamp as `to_json` writes it, with every field in range (PostgreSQL rejects 2026-02-30). */
function isTimestamp(value: unknown): boolean {
  const match = typeof value === "string" ? TIMESTAMP.exec(value) : null;
  if (!match) return false;
  const [
    year = 0,
    month = 0,
    day = 0,
    hour = 0,
    minute = 0,
    second = 0,
    offsetHours = 0,
    offsetMinutes = 0,
    offsetSeconds = 0,
  ] = match.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second &&
    offsetHours <= 15 &&
    offsetMinutes <= 59 &&
    offsetSeconds <= 59
  );
}

function likePattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

type Row = RecordRowColumns & { sort_key: unknown };

/**
 * One page of a collection, searched and sorted, with a keyset cursor (sort value, id) so
 * that page 1,000 costs what page 1 does. Records without a value sort last either way.
 */
export async function listRecords(db: DbOrTx, collection: CollectionView, query: ListQuery): Promise<ListResult> {
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
  let key: SQL;
  let cast: (value: unknown) => SQL;
  if (sort === "updatedAt" || sort === "createdAt") {
    key = sort === "updatedAt" ? sql`r.updated_at` : sql`r.created_at`;
    cast = (v) => sql`${String(v)}::timestamptz`;
  } else if (collection.fields.some((f) => f.key === sort)) {
    key = sql`(r.data -> ${sort})`;
    cast = (v) => sql`${JSON.stringify(v)}::jsonb`;
  } else {
    const allowed = [...BUILTIN_SORTS, ...collection.fields.map((f) => f.key)].join(", ");
    return err({ code: "bad_query", message: `sort must be one of: ${allowed}` });
  }
  const builtin = sort === "updatedAt" || sort === "createdAt";
  let cursor: Cursor | null = null;
  if (query.cursor) {
    cursor = decodeCursor(query.cursor);
    // The cursor comes back from the client: a value PostgreSQL cannot cast would be a 500.
    if (!cursor || !isUuid(cursor.id) || (builtin && !isTimestamp(cursor.v))) {
      return err({ code: "bad_query", message: "cursor is not valid" });
    }
  }

  const conditions: SQL[] = [sql`r.collection_id = ${collection.id}`, sql`r.deleted_at is null`];
  if (query.q?.trim()) conditions.push(sql`r.search_text like ${likePattern(query.q.trim())}`);
  const after = dir === "asc" ? sql`>` : sql`<`;
  if (cursor) {
    conditions.push(
      // Timestamps are never null: a row comparison the (collection, time, id) index can serve.
      builtin
        ? sql`(${key}, r.id) ${after} (${cast(cursor.v)}, ${cursor.id})`
        : cursor.v === null
          ? sql`(${key} is null and r.id ${after} ${cursor.id})`
          : sql`(${key} is null or ${key} ${after} ${cast(cursor.v)} or (${key} = ${cast(cursor.v)} and r.id ${after} ${cursor.id}))`,
    );
  }
  const direction = dir === "asc" ? sql`asc` : sql`desc`;
  const order = builtin
    ? sql`${key} ${direction}, r.id ${direction}`
    : sql`(${key} is null), ${key} ${direction}, r.id ${direction}`;
  const rows = await queryRows<Row>(
    db,
    sql`select r.id, r.data, r.version, r.created_at, r.created_by, cu.name as created_by_name,
               r.updated_at, r.updated_by, uu.name as updated_by_name, to_json(${key}) as sort_key
          from records r
          join users cu on cu.id = r.created_by
          join users uu on uu.id = r.updated_by
         where ${sql.join(conditions, sql` and `)}
         order by ${order}
         limit ${limit + 1}`,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    ok: true,
    items: page.map((row) => recordViewFromRow(row, collection.slug)),
    nextCursor: rows.length > limit && last ? encodeCursor({ v: last.sort_key ?? null, id: last.id }) : null,
  };
}
