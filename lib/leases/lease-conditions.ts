import "server-only";
import { type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { getLease, lockedError } from "./lease-queries";
import type { LockedError } from "./lease-view";

/** What record writes ask of leases: may this actor write now, and the WHERE conditions that enforce it. */

/**
 * Why the actor may not write this record now, or null when they may: they hold its
 * unexpired lease. Saves call this to tell `locked` apart from a conflict; the write itself
 * is guarded by `leaseHeldCondition` in the same statement.
 */
export async function leaseRefusal(
  db: DbOrTx,
  actor: Pick<Actor, "id">,
  recordId: string,
): Promise<LockedError | null> {
  const lease = await getLease(db, recordId);
  if (lease && lease.holder.id === actor.id && !lease.expired) return null;
  return lockedError(db, actor, recordId, lease);
}

/**
 * For writes that need no lease of their own (a restore: a deleted record takes none), why the
 * actor may not write now: someone else holds an unexpired lease on it (taken in a race with
 * the delete, or before deletes released leases). Null when nobody else does. The write itself
 * is guarded by `leaseFreeCondition` in the same statement.
 */
export async function leaseHeldByOther(
  db: DbOrTx,
  actor: Pick<Actor, "id">,
  recordId: string,
): Promise<LockedError | null> {
  const lease = await getLease(db, recordId);
  if (!lease || lease.holder.id === actor.id || lease.expired) return null;
  return lockedError(db, actor, recordId, lease);
}

/**
 * The condition a write to `records` adds to its WHERE (see save-record.ts): the row's
 * collection takes no leases, or the actor holds an unexpired lease on it. It is part of the
 * compare-and-set statement itself, so a lease taken over between a check and the write
 * cannot slip through. FOR SHARE makes a take-over in progress wait for, or be waited on by,
 * this write; the lease row is then re-checked at its newest version.
 */
export function leaseHeldCondition(actorId: string, recordId: string): SQL {
  return sql`((select c.edit_mode from collections c where c.id = records.collection_id) <> 'lease'
    or exists (select 1 from leases l
                where l.record_id = ${recordId} and l.user_id = ${actorId} and l.expires_at > now()
                for share))`;
}

/**
 * The WHERE condition of a write that must not go past someone else's live lease (see
 * `leaseHeldByOther`): nobody but the actor holds an unexpired lease on the record, i.e.
 * `not exists (… l.user_id <> actor and l.expires_at > now())`. The lease row is selected by
 * record alone, FOR SHARE: a renewal or take-over in progress (even of a lease that looked
 * expired) finishes first, and the holder and expiry are then judged at its newest version.
 */
export function leaseFreeCondition(actorId: string, recordId: string): SQL {
  return sql`not coalesce((select l.user_id <> ${actorId} and l.expires_at > now()
                             from leases l where l.record_id = ${recordId} for share), false)`;
}
