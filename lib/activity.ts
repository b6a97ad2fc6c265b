import "server-only";
import { type SQL, sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { FieldChanges, RevisionAction } from "@/db/schema";
import { isUuid } from "@/lib/ids";
import { isoString, type UserRef } from "@/lib/records/record-view";
import { recordTitleSql } from "@/lib/records/title";

/**
 * Every accepted write across the records a person can read (everyone signed in reads every
 * collection), newest first: the revisions themselves. Paged by a cursor that names the last
 * item's exact position (at, record, version), so each revision appears exactly once across
 * pages even while new writes arrive.
 */

export type ActivityItem = {
  recordId: string;
  title: string;
  collection: { slug: string; name: string };
  version: number;
  action: RevisionAction;
  user: UserRef;
  at: string;
  changes: FieldChanges;
  batchId: string | null;
  revertedFrom: number | null;
};

export type ActivityQuery = {
  collectionId?: string | undefined;
  userId?: string | undefined;
  action?: RevisionAction | undefined;
  /** Only writes at or after / before these instants. */
  since?: Date | undefined;
  until?: Date | undefined;
  limit: number;
  /** The previous page's `nextCursor`. */
  before?: ActivityCursor | undefined;
};

/** Where a page ended: the exact timestamp (as PostgreSQL prints it, microseconds kept), record and version. */
export type ActivityCursor = { at: string; recordId: string; version: number };

export function encodeCursor(cursor: ActivityCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.recordId, cursor.version])).toString("base64url");
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)$/;

/** A cursor from a client; null when it is not one this API made. */
export function decodeCursor(text: string): ActivityCursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (!Array.isArray(parsed) || parsed.length !== 3) return null;
    const [at, recordId, version] = parsed as unknown[];
    if (typeof at !== "string" || !TIMESTAMP.test(at)) return null;
    if (typeof recordId !== "string" || !isUuid(recordId)) return null;
    if (typeof version !== "number" || !Number.isInteger(version) || version < 1 || version > 2_147_483_647) {
      return null;
    }
    return { at, recordId, version };
  } catch {
    return null;
  }
}

type Row = {
  record_id: string;
  title: string | null;
  slug: string;
  collection_name: string;
  version: number;
  action: RevisionAction;
  user_id: string;
  user_name: string;
  at: string | Date;
  at_text: string;
  changes: FieldChanges;
  batch_id: string | null;
  reverted_from: number | null;
};

export async function listActivity(
  db: DbOrTx,
  query: ActivityQuery,
): Promise<{ items: ActivityItem[]; nextCursor: string | null }> {
  const conditions: SQL[] = [sql`true`];
  if (query.collectionId) conditions.push(sql`r.collection_id = ${query.collectionId}`);
  if (query.userId) conditions.push(sql`v.user_id = ${query.userId}`);
  if (query.action) conditions.push(sql`v.action = ${query.action}`);
  if (query.since) conditions.push(sql`v.at >= ${query.since.toISOString()}::timestamptz`);
  if (query.until) conditions.push(sql`v.at < ${query.until.toISOString()}::timestamptz`);
  if (query.before) {
    const { at, recordId, version } = query.before;
    conditions.push(sql`(v.at, v.record_id, v.version) < (${at}::timestamptz, ${recordId}::uuid, ${version}::int)`);
  }
  // One more than asked: whether there is a next page.
  const rows = await queryRows<Row>(
    db,
    sql`select v.record_id, ${recordTitleSql(sql`r`, sql`c`)} as title, c.slug, c.name as collection_name,
               v.version, v.action, v.user_id, u.name as user_name, v.at,
               to_char(v.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_text,
               v.changes, v.batch_id, v.reverted_from
          from revisions v
          join records r on r.id = v.record_id
          join collections c on c.id = r.collection_id
          join users u on u.id = v.user_id
         where ${sql.join(conditions, sql` and `)}
         order by v.at desc, v.record_id desc, v.version desc
         limit ${query.limit + 1}`,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      recordId: row.record_id,
      title: row.title?.trim() ? row.title : "Untitled record",
      collection: { slug: row.slug, name: row.collection_name },
      version: row.version,
      action: row.action,
      user: { id: row.user_id, name: row.user_name },
      at: isoString(row.at),
      changes: row.changes,
      batchId: row.batch_id,
      revertedFrom: row.reverted_from,
    })),
    nextCursor:
      rows.length > query.limit && last
        ? encodeCursor({ at: last.at_text, recordId: last.record_id, version: last.version })
        : null,
  };
}
