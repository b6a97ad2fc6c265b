import "server-only";
import { and, asc, eq, gte, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { presence, records, users } from "@/db/schema";
import { rowsOf } from "@/db/table-rows";
import type { Actor } from "@/lib/auth/actor";
import { isoString, type UserRef } from "@/lib/records/record-view";

/**
 * Who has a record open right now (DESIGN.md: the event stream carries presence). Each open
 * event stream, that is each browser tab showing the record, is one row in `presence`: added
 * when the stream opens, touched by its ping, deleted when it closes. All of it lives in
 * PostgreSQL (guarantee 8), so people on different app instances see each other. A process
 * that dies leaves its rows behind; they count as gone once unseen for PRESENCE_TTL_SECONDS
 * (three missed pings) and the next ping on that record deletes them, which tells everyone.
 * Joining, leaving and starting or stopping unsaved edits notify `tandem_events` (migration
 * 0004_presence).
 */

export const PRESENCE_TTL_SECONDS = 45;

/** The moment before which a presence row is stale: its tab has not been seen for the TTL. */
const STALE_BEFORE = sql`now() - make_interval(secs => ${PRESENCE_TTL_SECONDS})`;

/** The presence row is fresh: its tab was seen within the TTL. */
const fresh = () => gte(presence.seenAt, STALE_BEFORE);

/** One person who has the record open, in one or more tabs. */
export type PresentUser = UserRef & {
  /** When their earliest open tab opened it. */
  since: string;
  /** One of their tabs has unsaved edits. */
  editing: boolean;
};

/**
 * A tab opened the record. `id` is the stream's own id, made by the caller. Answers the
 * record's version as of the join, null for an unknown record.
 *
 * Live events are only sent for records someone has open (migration 0006), so the join
 * share-locks the record row: a save in flight either commits first, and the version answered
 * here has it, or its trigger runs after the join has committed and sees the row. Either way
 * the tab hears of it. Joining also clears stale rows of every record (left by processes that
 * died), so none pile up on records nobody opens.
 */
export async function joinPresence(
  db: DbOrTx,
  actor: Actor,
  input: { id: string; recordId: string },
): Promise<{ version: number; deleted: boolean } | null> {
  const [row] = await rowsOf(
    db,
    sql`with target as (
          select id, version, deleted_at from records where id = ${input.recordId} for share
        ), stale as (
          delete from presence where seen_at < ${STALE_BEFORE}
        ), joined as (
          insert into presence (id, record_id, user_id) select ${input.id}, id, ${actor.id} from target
          on conflict (id) do update set seen_at = now()
        )
        select version, deleted_at is not null as deleted from target`,
    { version: records.version, deleted: Boolean },
  );
  return row ?? null;
}

export type OpenStreamResult =
  | { ok: true; version: number; deleted: boolean }
  | {
      ok: false;
      error: { code: "not_found" } | { code: "too_many_streams"; limit: number; retryAfterSeconds: number };
    };

/**
 * A tab opens the record's event stream: joins its presence, unless the person already has
 * `maxStreams` streams open (fresh presence rows, on any record, through any app instance).
 * The count and the join are one transaction under a lock per person, so concurrent opens
 * through many instances cannot overshoot the limit. A stale row (a dead process's) stops
 * counting after PRESENCE_TTL_SECONDS: that is also when to try again.
 */
export async function openStreamPresence(
  db: Db,
  actor: Actor,
  input: { id: string; recordId: string; maxStreams: number },
): Promise<OpenStreamResult> {
  return db.transaction(async (tx): Promise<OpenStreamResult> => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`tandem-streams:${actor.id}`}, 0))`);
    const open = await tx.$count(presence, and(eq(presence.userId, actor.id), fresh()));
    if (open >= input.maxStreams) {
      return {
        ok: false,
        error: { code: "too_many_streams", limit: input.maxStreams, retryAfterSeconds: PRESENCE_TTL_SECONDS },
      };
    }
    const joined = await joinPresence(tx, actor, input);
    return joined ? { ok: true, ...joined } : { ok: false, error: { code: "not_found" } };
  });
}

/**
 * The tab is still there (its stream's ping): keeps its row fresh, puts it back if it was
 * taken for stale (a long pause), and removes the stale rows of others on the same record.
 */
export async function touchPresence(db: DbOrTx, actor: Actor, input: { id: string; recordId: string }): Promise<void> {
  await db.execute(
    sql`with stale as (
          delete from presence
           where record_id = ${input.recordId} and id <> ${input.id}
             and seen_at < ${STALE_BEFORE}
        )
        insert into presence (id, record_id, user_id) values (${input.id}, ${input.recordId}, ${actor.id})
        on conflict (id) do update set seen_at = now()`,
  );
}

/** The tab closed the record (or went away). */
export async function leavePresence(db: DbOrTx, input: { id: string }): Promise<void> {
  await db.delete(presence).where(eq(presence.id, input.id));
}

/**
 * The tab has unsaved edits, or no longer has. Only the tab's own user can say so: a row of
 * someone else's is left alone (false back), as is a row that no longer exists.
 */
export async function setPresenceEditing(
  db: DbOrTx,
  actor: Actor,
  input: { id: string; editing: boolean },
): Promise<boolean> {
  const rows = await db
    .update(presence)
    .set({ editing: input.editing, seenAt: sql`now()` })
    .where(and(eq(presence.id, input.id), eq(presence.userId, actor.id)))
    .returning({ id: presence.id });
  return rows.length > 0;
}

/** Everyone who has the record open, each person once, in the order they opened it. */
export async function presentUsers(db: DbOrTx, recordId: string): Promise<PresentUser[]> {
  // Each person's earliest open tab (never null: every group has a row).
  const since = sql`min(${presence.since})`.mapWith(presence.since);
  const rows = await db
    .select({ id: users.id, name: users.name, since, editing: sql<boolean>`bool_or(${presence.editing})` })
    .from(presence)
    .innerJoin(users, eq(users.id, presence.userId))
    .where(and(eq(presence.recordId, recordId), fresh()))
    .groupBy(users.id, users.name)
    .orderBy(asc(since), asc(users.name));
  return rows.map((row) => ({ id: row.id, name: row.name, since: isoString(row.since), editing: row.editing }));
}
