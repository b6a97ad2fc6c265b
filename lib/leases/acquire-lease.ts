import "server-only";
import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { leaseEvents, leases, records, users } from "@/db/schema";
import { rowsOf } from "@/db/table-rows";
import { type Actor, hasRole } from "@/lib/auth/actor";
import { leaseTtlSeconds } from "@/lib/env";
import { notifyLeaseTaken } from "@/lib/notifications";
import { err, type Result } from "@/lib/result";
import {
  getLease,
  type LeaseTargetError,
  leaseColumns,
  leaseTarget,
  lockedError,
  sameTab,
  toEventView,
} from "./lease-queries";
import { type LeaseEventView, type LeaseView, type LockedError, leaseView } from "./lease-view";
import { renewLease } from "./renew-lease";

const EXPIRED_REASON = "The lease had expired.";

export type AcquireLeaseInput = {
  recordId: string;
  /** Take the lease from its holder: admins at any time (with a reason), anyone once it has expired. */
  takeover?: boolean;
  reason?: string | null;
  /** A heartbeat: only extend a lease the actor still holds; never take a free or expired one. */
  renew?: boolean;
  /**
   * The browser tab asking (a token it made). A live lease of this user held by another of
   * their tabs is then `locked` (naming this user) unless `takeover` moves it here. Null or
   * absent (the HTTP API): any lease of this user counts as the caller's.
   */
  tab?: string | null;
};

export type AcquireLeaseError =
  | LeaseTargetError
  | LockedError
  | { code: "forbidden"; message: string }
  | { code: "invalid"; fields: Record<string, string> };

export type AcquireLeaseResult = Result<
  {
    lease: LeaseView;
    /** Set when this acquisition took the lease from someone else (recorded in lease_events). */
    tookOver: LeaseEventView | null;
  },
  AcquireLeaseError
>;

type Attempt =
  | { kind: "acquired"; lease: LeaseView; tookOver: LeaseEventView | null }
  | { kind: "refused"; error: AcquireLeaseError }
  | { kind: "locked" }
  /** No lease row was seen, but one appeared before our insert: start over, lease row first. */
  | { kind: "retry" };

/**
 * Acquires or renews the actor's lease on a record. At most one person ever holds it: the
 * decision is the single `INSERT … ON CONFLICT … DO UPDATE … WHERE` below. A free record is
 * taken; the holder's own call renews; someone else's lease is replaced only once it has
 * expired, or by an admin taking it over with a reason. Replacing anyone's lease is recorded
 * in lease_events in the same transaction.
 */
export async function acquireLease(db: DbOrTx, actor: Actor, input: AcquireLeaseInput): Promise<AcquireLeaseResult> {
  const target = await leaseTarget(db, input.recordId, { deletedToo: false });
  if (target) return err(target);
  const tab = input.tab ?? null;
  if (input.renew) return renewLease(db, actor, input.recordId, tab);
  const reason = input.reason?.trim() || null;
  const ttl = leaseTtlSeconds();
  // A lease released between our failed upsert and the read of its holder: try again, a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const outcome = await db.transaction(async (tx): Promise<Attempt> => {
      // Lock the current lease row, if any: until we commit, nobody renews, releases or takes
      // it, so a take-over below names exactly whose lease it replaced. The lease row first,
      // then the record: saves and deletes lock in that order too (their WHERE reads the lease
      // FOR SHARE before the row is updated), so the two never wait for each other in a cycle.
      const [seen] = await tx
        .select(leaseColumns)
        .from(leases)
        .innerJoin(users, eq(users.id, leases.userId))
        .where(eq(leases.recordId, input.recordId))
        .for("update", { of: leases });
      // Share-lock the record: a delete either committed before, and it is gone here, or waits
      // until this lease is in and then removes it with its own statement. (In a lease
      // collection a delete needs the deleter's lease, so it usually already waited above.)
      // No lease outlives its record.
      const [record] = await tx
        .select({ deletedAt: records.deletedAt })
        .from(records)
        .where(eq(records.id, input.recordId))
        .for("share");
      if (!record || record.deletedAt !== null) return { kind: "refused", error: { code: "not_found" } };
      const other = seen && seen.holder.id !== actor.id ? seen : null;
      const adminTakeover = Boolean(input.takeover && other && hasRole(actor, "admin"));
      if (input.takeover && other && !other.expired) {
        if (!adminTakeover) {
          return {
            kind: "refused",
            error: {
              code: "forbidden",
              message: `Only an admin can take over ${other.holder.name}'s edit lock before it expires.`,
            },
          };
        }
        if (!reason) {
          return {
            kind: "refused",
            error: { code: "invalid", fields: { reason: `Say why you take over ${other.holder.name}'s edit lock.` } },
          };
        }
      }
      // The decision, in one statement. Someone else's row is replaced only if it is still the
      // one we locked above (so the event below names the right person) and it has expired or
      // an admin takes it over. Zero rows back = somebody else holds it.
      //
      // With no lease row seen, a row committed since would have to be locked by the
      // DO UPDATE below while this transaction already holds the record: the order a save
      // (lease FOR SHARE, then the record) reverses, a deadlock the soak met once in ~90,000
      // requests. So that insert does nothing on a conflict, and the attempt starts over.
      const onConflict = seen
        ? sql`on conflict (record_id) do update
               set user_id = excluded.user_id,
                   acquired_at = case when leases.user_id = excluded.user_id then leases.acquired_at else now() end,
                   renewed_at = now(),
                   expires_at = excluded.expires_at,
                   tab = excluded.tab
             -- This user's live lease in another of their tabs is theirs to move here only by
             -- "take over"; otherwise it stays, and the caller is told below.
             where (leases.user_id = excluded.user_id
                    and (${sameTab(tab)} or leases.expires_at <= now() or ${Boolean(input.takeover)}::boolean))
                or (leases.user_id = ${other?.holder.id ?? null}::uuid
                    and (leases.expires_at <= now() or ${adminTakeover}::boolean))`
        : sql`on conflict (record_id) do nothing`;
      const [row] = await rowsOf(
        tx,
        sql`insert into leases (record_id, user_id, acquired_at, renewed_at, expires_at, tab)
            values (${input.recordId}, ${actor.id}, now(), now(), now() + make_interval(secs => ${ttl}), ${tab}::uuid)
            ${onConflict}
            returning acquired_at as "acquiredAt", renewed_at as "renewedAt", expires_at as "expiresAt",
                      now() as "serverNow"`,
        // The database's clock is a timestamptz like renewed_at (set to it here): read it as one.
        {
          acquiredAt: leases.acquiredAt,
          renewedAt: leases.renewedAt,
          expiresAt: leases.expiresAt,
          serverNow: leases.renewedAt,
        },
      );
      if (!row) return seen ? { kind: "locked" } : { kind: "retry" };
      const lease = leaseView({
        recordId: input.recordId,
        holder: { id: actor.id, name: actor.name },
        ...row,
        expired: false,
      });
      if (!other) return { kind: "acquired", lease, tookOver: null };
      const why = reason ?? (other.expired ? EXPIRED_REASON : null);
      const [event] = await tx
        .insert(leaseEvents)
        .values({
          recordId: input.recordId,
          action: "takeover",
          actorId: actor.id,
          previousHolderId: other.holder.id,
          reason: why,
        })
        .returning({ id: leaseEvents.id, at: leaseEvents.at });
      if (!event) throw new Error("lease event insert returned no row");
      // The holder is told in this same transaction, followed or not.
      await notifyLeaseTaken(tx, {
        recordId: input.recordId,
        holderId: other.holder.id,
        actor,
        how: "takeover",
        reason: why,
      });
      return {
        kind: "acquired",
        lease,
        tookOver: toEventView({
          ...event,
          recordId: input.recordId,
          action: "takeover",
          actor: { id: actor.id, name: actor.name },
          previousHolderId: other.holder.id,
          previousHolderName: other.holder.name,
          reason: why,
        }),
      };
    });
    if (outcome.kind === "acquired") return { ok: true, lease: outcome.lease, tookOver: outcome.tookOver };
    if (outcome.kind === "refused") return err(outcome.error);
    if (outcome.kind === "retry") continue;
    // Read after the upsert's transaction: a winner that committed meanwhile is seen here.
    const current = await getLease(db, input.recordId);
    // Released, or newly taken by someone we did not lock, in between: the next try sees it.
    if (!current) continue;
    if (current.holder.id === actor.id) {
      if (current.expired || input.takeover) continue;
      return err(await lockedError(db, actor, input.recordId, current)); // another tab of theirs
    }
    if (input.takeover && (current.expired || hasRole(actor, "admin"))) continue;
    if (input.takeover) {
      return err({
        code: "forbidden",
        message: `Only an admin can take over ${current.holder.name}'s edit lock before it expires.`,
      });
    }
    return err(await lockedError(db, actor, input.recordId, current));
  }
  return err(await lockedError(db, actor, input.recordId, await getLease(db, input.recordId)));
}
