import "server-only";
import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { leaseTtlSeconds } from "@/lib/env";
import { err } from "@/lib/result";
import type { AcquireLeaseResult } from "./acquire-lease";
import { getLease, LEASE_COLUMNS, type LeaseRow, lockedError, sameTab, toLeaseView } from "./lease-queries";

/**
 * A heartbeat extends only a lease the actor's tab still holds (expired or not, as long as
 * nobody, nor another of their tabs, took it).
 */
export async function renewLease(
  db: DbOrTx,
  actor: Actor,
  recordId: string,
  tab: string | null,
): Promise<AcquireLeaseResult> {
  const [row] = await queryRows<LeaseRow>(
    db,
    sql`with renewed as (
          update leases set renewed_at = now(), expires_at = now() + make_interval(secs => ${leaseTtlSeconds()}),
                            tab = coalesce(${tab}::uuid, leases.tab)
           where record_id = ${recordId} and user_id = ${actor.id} and ${sameTab(tab)}
          returning *
        )
        select ${LEASE_COLUMNS} from renewed l join users u on u.id = l.user_id`,
  );
  if (row) return { ok: true, lease: toLeaseView(row), tookOver: null };
  return err(await lockedError(db, actor, recordId, await getLease(db, recordId)));
}
