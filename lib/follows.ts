import "server-only";
import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import { follows } from "@/db/schema";
import { isUuid } from "@/lib/records/queries";

/**
 * Following a record. You follow what you created, edited or commented on — read from the
 * revisions and comments themselves, so no write has to record it — unless you chose to
 * unfollow (`follows.following = false`, which a later edit does not undo). You can also follow
 * any record you never touched (`following = true`).
 */
export async function isFollowing(db: DbOrTx, userId: string, recordId: string): Promise<boolean> {
  if (!isUuid(recordId)) return false;
  const [row] = await queryRows<{ following: boolean }>(
    db,
    sql`select coalesce(
              (select f.following from follows f where f.user_id = ${userId} and f.record_id = ${recordId}),
              exists (select 1 from revisions v where v.record_id = ${recordId} and v.user_id = ${userId})
                or exists (select 1 from comments m where m.record_id = ${recordId} and m.user_id = ${userId})
            ) as following`,
  );
  return row?.following ?? false;
}

/** Follow or unfollow a record; false when there is no such record. */
export async function setFollowing(db: DbOrTx, userId: string, recordId: string, following: boolean): Promise<boolean> {
  if (!isUuid(recordId)) return false;
  const [record] = await queryRows<{ id: string }>(db, sql`select id from records where id = ${recordId}`);
  if (!record) return false;
  await db
    .insert(follows)
    .values({ userId, recordId, following })
    .onConflictDoUpdate({ target: [follows.userId, follows.recordId], set: { following, at: sql`now()` } });
  return true;
}
