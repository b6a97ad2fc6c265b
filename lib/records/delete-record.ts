import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { revisions } from "@/db/schema";
import { rowsOf } from "@/db/table-rows";
import type { Actor } from "@/lib/auth/actor";
import { leaseHeldCondition } from "@/lib/leases/lease-conditions";
import type { Result } from "@/lib/result";
import { loadRecord } from "./queries";
import { isSaveIdTaken, lockedOrStale, type SaveError } from "./write-outcome";

export type DeleteRecordInput = { recordId: string; baseVersion: number; saveId?: string | null };
export type DeleteResult = Result<{ version: number; replayed: boolean }, SaveError>;

/**
 * Deleting is a versioned write too: it can conflict, and it leaves a revision. A deleted record
 * holds no lease: the delete releases it in the same statement.
 */
export async function deleteRecord(db: DbOrTx, actor: Actor, input: DeleteRecordInput): Promise<DeleteResult> {
  const current = await loadRecord(db, input.recordId);
  const outcome = async (): Promise<DeleteResult> => {
    const stale = await lockedOrStale(db, actor, input, { kind: "delete" }, await loadRecord(db, input.recordId));
    return stale.ok ? { ok: true, version: stale.record.version, replayed: true } : stale;
  };
  if (!current || current.deletedAt || current.version !== input.baseVersion) return outcome();
  try {
    const [row] = await rowsOf(
      db,
      sql`with deleted as (
            update records
               set deleted_at = now(), deleted_by = ${actor.id},
                   version = version + 1, updated_at = now(), updated_by = ${actor.id}
             where id = ${current.id} and version = ${input.baseVersion} and deleted_at is null
               and ${leaseHeldCondition(actor.id, current.id)}
            returning id, version, updated_at, data
          ),
          released as (
            delete from leases where record_id in (select id from deleted)
          )
          insert into revisions (record_id, version, user_id, at, action, changes, snapshot, save_id)
          select id, version, ${actor.id}, updated_at, 'delete', '{}'::jsonb, data, ${input.saveId ?? null}
            from deleted
          returning version`,
      { version: revisions.version },
    );
    if (row) return { ok: true, version: row.version, replayed: false };
  } catch (error) {
    if (!(input.saveId && isSaveIdTaken(error))) throw error;
  }
  return outcome();
}
