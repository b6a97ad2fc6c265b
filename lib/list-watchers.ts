import "server-only";
import { and, asc, eq, gt, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { listWatchers, records, revisions, users } from "@/db/schema";
import type { LiveEvent } from "@/lib/live-events";
import { isoString } from "@/lib/records/record-view";

/**
 * A list stream whose row was not touched for this long belongs to a process that is gone
 * (three missed pings of 15 s). The NOTIFY triggers ignore such rows (migration 0014,
 * `tandem_list_watched`: keep the two in step) and purgeStaleListWatchers removes them.
 */
export const LIST_WATCH_TTL_SECONDS = 45;
const STALE_BEFORE = sql`now() - make_interval(secs => ${LIST_WATCH_TTL_SECONDS})`;

/**
 * Removes the rows of list streams unseen for the TTL (a crashed process's), of one collection
 * (through its index: what a join or a ping of that collection's lists sweeps) or of all;
 * answers how many.
 */
export async function purgeStaleListWatchers(db: DbOrTx, collectionId?: string): Promise<number> {
  const gone = await db
    .delete(listWatchers)
    .where(
      and(
        collectionId === undefined ? undefined : eq(listWatchers.collectionId, collectionId),
        lt(listWatchers.seenAt, STALE_BEFORE),
      ),
    )
    .returning({ id: listWatchers.id });
  return gone.length;
}

/**
 * An open list of a collection (one per list event stream): while its row is fresh, writes to
 * the collection and presence changes on its records notify (migrations 0010, 0014). Joining
 * and each ping also purge the collection's stale rows.
 */
export async function joinListWatch(
  db: DbOrTx,
  watch: { id: string; collectionId: string; userId: string },
): Promise<void> {
  await purgeStaleListWatchers(db, watch.collectionId);
  await db.insert(listWatchers).values(watch);
}

/** Each ping: still here (and the row comes back if a stale sweep removed it meanwhile). */
export async function touchListWatch(db: DbOrTx, watch: { id: string; collectionId: string; userId: string }) {
  await db
    .insert(listWatchers)
    .values(watch)
    .onConflictDoUpdate({ target: listWatchers.id, set: { seenAt: sql`now()` } });
  await purgeStaleListWatchers(db, watch.collectionId);
}

export async function leaveListWatch(db: DbOrTx, id: string): Promise<void> {
  await db.delete(listWatchers).where(eq(listWatchers.id, id));
}

/** The most writes a list stream catches up on; more means the list should simply reload. */
const CATCH_UP_LIMIT = 500;

/** The collection's writes after `since`, oldest first, as live events (a list's catch-up). */
export async function writesSince(
  db: DbOrTx,
  collectionId: string,
  since: Date,
): Promise<Extract<LiveEvent, { kind: "record" }>[]> {
  const rows = await db
    .select({
      recordId: revisions.recordId,
      version: revisions.version,
      action: revisions.action,
      at: revisions.at,
      batchId: revisions.batchId,
      userId: revisions.userId,
      userName: users.name,
    })
    .from(revisions)
    .innerJoin(records, eq(records.id, revisions.recordId))
    .innerJoin(users, eq(users.id, revisions.userId))
    .where(and(eq(records.collectionId, collectionId), gt(revisions.at, since)))
    .orderBy(asc(revisions.at))
    .limit(CATCH_UP_LIMIT);
  return rows.map((row) => ({
    kind: "record",
    recordId: row.recordId,
    collectionId,
    batchId: row.batchId,
    version: row.version,
    action: row.action,
    at: isoString(row.at),
    user: { id: row.userId, name: row.userName },
  }));
}
