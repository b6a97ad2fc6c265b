import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { leases } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { leaseTtlSeconds } from "@/lib/env";
import { err } from "@/lib/result";
import type { AcquireLeaseResult } from "./acquire-lease";
import { getLease, leaseColumns, lockedError, sameTab } from "./lease-queries";
import { leaseView } from "./lease-view";

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
  const [row] = await db
    .update(leases)
    .set({
      renewedAt: sql`now()`,
      expiresAt: sql`now() + make_interval(secs => ${leaseTtlSeconds()})`,
      tab: sql`coalesce(${tab}::uuid, ${leases.tab})`,
    })
    .where(and(eq(leases.recordId, recordId), eq(leases.userId, actor.id), sameTab(tab)))
    .returning({
      recordId: leases.recordId,
      acquiredAt: leases.acquiredAt,
      renewedAt: leases.renewedAt,
      expiresAt: leases.expiresAt,
      expired: leaseColumns.expired,
      serverNow: leaseColumns.serverNow,
    });
  if (row)
    return { ok: true, lease: leaseView({ ...row, holder: { id: actor.id, name: actor.name } }), tookOver: null };
  return err(await lockedError(db, actor, recordId, await getLease(db, recordId)));
}
