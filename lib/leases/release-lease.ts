import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { leaseEvents, leases, users } from "@/db/schema";
import { orNull, rowsOf } from "@/db/table-rows";
import { type Actor, hasRole } from "@/lib/auth/actor";
import { leaseTakenRow } from "@/lib/notifications";
import { err, type Result } from "@/lib/result";
import { getLease, type LeaseTargetError, leaseTarget, sameTab, toEventView } from "./lease-queries";
import type { LeaseEventView } from "./lease-view";

export type ReleaseLeaseError =
  | LeaseTargetError
  | { code: "forbidden"; message: string }
  | { code: "invalid"; fields: Record<string, string> };
export type ReleaseLeaseResult = Result<
  {
    /** False when there was no lease to release (releasing is idempotent). */
    released: boolean;
    /** Set when an admin broke someone else's lease (recorded in lease_events). */
    broke: LeaseEventView | null;
  },
  ReleaseLeaseError
>;

/**
 * Gives a lease up: its holder, or an admin, who thereby "breaks" someone else's lease (recorded
 * with the reason, in the same statement as the delete). Releasing a lease nobody holds is fine,
 * and so is a tab releasing what another tab of the same user holds: that lease stays.
 */
export async function releaseLease(
  db: DbOrTx,
  actor: Actor,
  input: { recordId: string; reason?: string | null; tab?: string | null },
): Promise<ReleaseLeaseResult> {
  const target = await leaseTarget(db, input.recordId, { deletedToo: true });
  if (target) return err(target);
  const reason = input.reason?.trim() || null;
  const isAdmin = hasRole(actor, "admin");
  const broken = leaseTakenRow({ recordId: input.recordId, holderId: actor.id, actor, how: "break", reason });
  const [row] = await rowsOf(
    db,
    sql`with released as (
          delete from leases
           where record_id = ${input.recordId}
             and ((user_id = ${actor.id} and ${sameTab(input.tab ?? null)})
                  -- Breaking someone else's lease takes a reason, checked here so a lease
                  -- that changed hands meanwhile is never broken without one.
                  or (user_id <> ${actor.id} and ${isAdmin}::boolean and ${reason}::text is not null))
          returning user_id
        ), event as (
          insert into lease_events (record_id, action, actor_id, previous_holder_id, reason)
          select ${input.recordId}, 'break', ${actor.id}, user_id, ${reason} from released where user_id <> ${actor.id}
          returning id, at
        ), told as (
          -- The holder whose lease was broken is told in the same statement (lib/notifications.ts).
          insert into notifications (user_id, kind, record_id, actor_id, message, fields, details)
          select user_id, 'lease_taken', ${input.recordId}, ${actor.id}, ${broken.message}, '[]'::jsonb,
                 ${JSON.stringify(broken.details)}::jsonb
            from released where user_id <> ${actor.id}
        )
        select r.user_id, u.name as user_name, e.id as event_id, e.at as event_at
          from released r join users u on u.id = r.user_id left join event e on true`,
    {
      user_id: leases.userId,
      user_name: users.name,
      // No event when the holder released their own lease.
      event_id: orNull(leaseEvents.id),
      event_at: orNull(leaseEvents.at),
    },
  );
  if (row) {
    const broke =
      row.event_id && row.event_at
        ? toEventView({
            id: row.event_id,
            recordId: input.recordId,
            action: "break",
            actor: { id: actor.id, name: actor.name },
            previousHolderId: row.user_id,
            previousHolderName: row.user_name,
            reason,
            at: row.event_at,
          })
        : null;
    return { ok: true, released: true, broke };
  }
  const current = await getLease(db, input.recordId);
  // Nobody holds it, or another tab of this user does (and keeps it).
  if (!current || current.holder.id === actor.id) return { ok: true, released: false, broke: null };
  if (isAdmin && !reason) {
    return err({ code: "invalid", fields: { reason: `Say why you break ${current.holder.name}'s edit lock.` } });
  }
  return err({
    code: "forbidden",
    message: `Only ${current.holder.name} or an admin can release this edit lock.`,
  });
}
