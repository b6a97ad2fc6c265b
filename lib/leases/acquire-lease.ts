import "server-only";
import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import { type Actor, hasRole } from "@/lib/auth/actor";
import { leaseTtlSeconds } from "@/lib/env";
import { notifyLeaseTaken } from "@/lib/notifications";
import { isoString } from "@/lib/records/record-view";
import { err, type Result } from "@/lib/result";
import {
  getLease,
  LEASE_COLUMNS,
  type LeaseRow,
  type LeaseTargetError,
  leaseTarget,
  lockedError,
  sameTab,
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
  | { kind: "locked" };

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
      const [seen] = await queryRows<LeaseRow>(
        tx,
        sql`select ${LEASE_COLUMNS} from leases l join users u on u.id = l.user_id
             where l.record_id = ${input.recordId} for update of l`,
      );
      // Share-lock the record: a delete either committed before, and it is gone here, or waits
      // until this lease is in and then removes it with its own statement. (In a lease
      // collection a delete needs the deleter's lease, so it usually already waited above.)
      // No lease outlives its record.
      const [record] = await queryRows<{ live: boolean }>(
        tx,
        sql`select deleted_at is null as live from records where id = ${input.recordId} for share`,
      );
      if (!record?.live) return { kind: "refused", error: { code: "not_found" } };
      const other = seen && seen.user_id !== actor.id ? seen : null;
      const adminTakeover = Boolean(input.takeover && other && hasRole(actor, "admin"));
      if (input.takeover && other && !other.expired) {
        if (!adminTakeover) {
          return {
            kind: "refused",
            error: {
              code: "forbidden",
              message: `Only an admin can take over ${other.user_name}'s edit lock before it expires.`,
            },
          };
        }
        if (!reason) {
          return {
            kind: "refused",
            error: { code: "invalid", fields: { reason: `Say why you take over ${other.user_name}'s edit lock.` } },
          };
        }
      }
      // The decision, in one statement. Someone else's row is replaced only if it is still the
      // one we locked above (so the event below names the right person) and it has expired or
      // an admin takes it over. Zero rows back = somebody else holds it.
      const [row] = await queryRows<{
        acquired_at: string | Date;
        renewed_at: string | Date;
        expires_at: string | Date;
        server_now: string | Date;
      }>(
        tx,
        sql`insert into leases (record_id, user_id, acquired_at, renewed_at, expires_at, tab)
            values (${input.recordId}, ${actor.id}, now(), now(), now() + make_interval(secs => ${ttl}), ${tab}::uuid)
            on conflict (record_id) do update
               set user_id = excluded.user_id,
                   acquired_at = case when leases.user_id = excluded.user_id then leases.acquired_at else now() end,
                   renewed_at = now(),
                   expires_at = excluded.expires_at,
                   tab = excluded.tab
             -- This user's live lease in another of their tabs is theirs to move here only by
             -- "take over"; otherwise it stays, and the caller is told below.
             where (leases.user_id = excluded.user_id
                    and (${sameTab(tab)} or leases.expires_at <= now() or ${Boolean(input.takeover)}::boolean))
                or (leases.user_id = ${other?.user_id ?? null}::uuid
                    and (leases.expires_at <= now() or ${adminTakeover}::boolean))
            returning acquired_at, renewed_at, expires_at, now() as server_now`,
      );
      if (!row) return { kind: "locked" };
      const lease = leaseView({
        recordId: input.recordId,
        holder: { id: actor.id, name: actor.name },
        acquiredAt: row.acquired_at,
        renewedAt: row.renewed_at,
        expiresAt: row.expires_at,
        expired: false,
        serverNow: row.server_now,
      });
      if (!other) return { kind: "acquired", lease, tookOver: null };
      const [event] = await queryRows<{ id: string; at: string | Date }>(
        tx,
        sql`insert into lease_events (record_id, action, actor_id, previous_holder_id, reason)
            values (${input.recordId}, 'takeover', ${actor.id}, ${other.user_id}, ${reason ?? (other.expired ? EXPIRED_REASON : null)})
            returning id, at`,
      );
      if (!event) throw new Error("lease event insert returned no row");
      // The holder is told in this same transaction, followed or not.
      await notifyLeaseTaken(tx, {
        recordId: input.recordId,
        holderId: other.user_id,
        actor,
        how: "takeover",
        reason: reason ?? (other.expired ? EXPIRED_REASON : null),
      });
      return {
        kind: "acquired",
        lease,
        tookOver: {
          id: event.id,
          recordId: input.recordId,
          action: "takeover",
          actor: { id: actor.id, name: actor.name },
          previousHolder: { id: other.user_id, name: other.user_name },
          reason: reason ?? (other.expired ? EXPIRED_REASON : null),
          at: isoString(event.at),
        },
      };
    });
    if (outcome.kind === "acquired") return { ok: true, lease: outcome.lease, tookOver: outcome.tookOver };
    if (outcome.kind === "refused") return err(outcome.error);
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
