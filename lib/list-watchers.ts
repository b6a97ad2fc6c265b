import "server-only";
import { eq, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { listWatchers } from "@/db/schema";

/** A list stream whose row was not touched for this long belongs to a process that is gone. */
const STALE_AFTER = sql`interval '45 seconds'`;

/**
 * An open list of a collection (one per list event stream): while its row exists, writes to
 * the collection notify (migration 0009). Joining also clears stale rows.
 */
export async function joinListWatch(
  db: DbOrTx,
  watch: { id: string; collectionId: string; userId: string },
): Promise<void> {
  await db.delete(listWatchers).where(lt(listWatchers.seenAt, sql`now() - ${STALE_AFTER}`));
  await db.insert(listWatchers).values(watch);
}

/** Each ping: still here (and the row comes back if a stale sweep removed it meanwhile). */
export async function touchListWatch(db: DbOrTx, watch: { id: string; collectionId: string; userId: string }) {
  await db
    .insert(listWatchers)
    .values(watch)
    .onConflictDoUpdate({ target: listWatchers.id, set: { seenAt: sql`now()` } });
  await db.delete(listWatchers).where(lt(listWatchers.seenAt, sql`now() - ${STALE_AFTER}`));
}

export async function leaveListWatch(db: DbOrTx, id: string): Promise<void> {
  await db.delete(listWatchers).where(eq(listWatchers.id, id));
}
