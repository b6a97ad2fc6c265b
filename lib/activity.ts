import "server-only";
import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { collections, type FieldChanges, type RevisionAction, records, revisions, users } from "@/db/schema";
import { isUuid } from "@/lib/ids";
import { PG_INT_MAX } from "@/lib/pg-int";
import type { UserRef } from "@/lib/records/record-view";
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
    if (typeof version !== "number" || !Number.isInteger(version) || version < 1 || version > PG_INT_MAX) {
      return null;
    }
    return { at, recordId, version };
  } catch {
    return null;
  }
}

export async function listActivity(
  db: DbOrTx,
  query: ActivityQuery,
): Promise<{ items: ActivityItem[]; nextCursor: string | null }> {
  const { before } = query;
  // One more than asked: whether there is a next page.
  const rows = await db
    .select({
      recordId: revisions.recordId,
      title: sql<string | null>`${recordTitleSql(sql`${records}`, sql`${collections}`)}`,
      collection: { slug: collections.slug, name: collections.name },
      version: revisions.version,
      action: revisions.action,
      user: { id: users.id, name: users.name },
      at: revisions.at,
      // The cursor keeps PostgreSQL's microseconds, which a Date would lose.
      atText: sql<string>`to_char(${revisions.at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      changes: revisions.changes,
      batchId: revisions.batchId,
      revertedFrom: revisions.revertedFrom,
    })
    .from(revisions)
    .innerJoin(records, eq(records.id, revisions.recordId))
    .innerJoin(collections, eq(collections.id, records.collectionId))
    .innerJoin(users, eq(users.id, revisions.userId))
    .where(
      and(
        query.collectionId ? eq(records.collectionId, query.collectionId) : undefined,
        query.userId ? eq(revisions.userId, query.userId) : undefined,
        query.action ? eq(revisions.action, query.action) : undefined,
        query.since ? gte(revisions.at, query.since) : undefined,
        query.until ? lt(revisions.at, query.until) : undefined,
        before
          ? sql`(${revisions.at}, ${revisions.recordId}, ${revisions.version}) < (${before.at}::timestamptz, ${before.recordId}::uuid, ${before.version}::int)`
          : undefined,
      ),
    )
    .orderBy(desc(revisions.at), desc(revisions.recordId), desc(revisions.version))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ atText: _atText, ...row }) => ({
      ...row,
      title: row.title?.trim() ? row.title : "Untitled record",
      at: row.at.toISOString(),
    })),
    nextCursor:
      rows.length > query.limit && last
        ? encodeCursor({ at: last.atText, recordId: last.recordId, version: last.version })
        : null,
  };
}
