import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { LIVE_EVENTS_CHANNEL } from "@/lib/live-events";

/**
 * Tells every app instance that a person's access changed (deactivated, role lowered, signed
 * out, reset, a token revoked): each closes or re-checks that person's open event streams
 * (guarantee 12). Sent inside the caller's transaction, it is delivered on commit, never for
 * a change that rolled back.
 */
export async function notifyAccessChanged(db: DbOrTx, userId: string): Promise<void> {
  await db.execute(
    sql`select pg_notify(${LIVE_EVENTS_CHANNEL}, json_build_object('kind', 'access', 'userId', ${userId}::text)::text)`,
  );
}
