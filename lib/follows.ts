import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { comments, follows, records, revisions } from "@/db/schema";

/**
 * Following a record. You follow what you created, edited or commented on — read from the
 * revisions and comments themselves, so no write has to record it — unless you chose to
 * unfollow (`follows.following = false`, which a later edit does not undo). You can also follow
 * any record you never touched (`following = true`).
 */
export async function isFollowing(db: DbOrTx, userId: string, recordId: string): Promise<boolean> {
  const chose = db
    .select({ following: follows.following })
    .from(follows)
    .where(and(eq(follows.userId, userId), eq(follows.recordId, recordId)));
  const edited = db
    .select({ version: revisions.version })
    .from(revisions)
    .where(and(eq(revisions.recordId, recordId), eq(revisions.userId, userId)));
  const commented = db
    .select({ id: comments.id })
    .from(comments)
    .where(and(eq(comments.recordId, recordId), eq(comments.userId, userId)));
  const [row] = await db
    .select({ following: sql<boolean>`coalesce((${chose}), exists (${edited}) or exists (${commented}))` })
    .from(records)
    .where(eq(records.id, recordId));
  return row?.following ?? false;
}

/** Follow or unfollow a record; false when there is no such record. */
export async function setFollowing(db: DbOrTx, userId: string, recordId: string, following: boolean): Promise<boolean> {
  const [record] = await db.select({ id: records.id }).from(records).where(eq(records.id, recordId));
  if (!record) return false;
  await db
    .insert(follows)
    .values({ userId, recordId, following })
    .onConflictDoUpdate({ target: [follows.userId, follows.recordId], set: { following, at: sql`now()` } });
  return true;
}
