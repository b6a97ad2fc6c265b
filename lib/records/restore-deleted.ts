import "server-only";
import type { DbOrTx } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { err, type Result } from "@/lib/result";
import { loadRecord, revisionsSince, toRecordView } from "./queries";
import type { RecordView } from "./record-view";
import { restoreRecord } from "./restore-record";
import type { SaveError } from "./write-outcome";

export type RestoreDeletedError = SaveError | { code: "not_deleted"; message: string };

/**
 * The trash's restore: brings a deleted record back with the values it had, as a checked write
 * on the version it was deleted at (`POST /api/records/:id/restore`, If-Match). A record that
 * is not deleted is `not_deleted`; a deleted one at another version is a conflict, and so is
 * losing the race to someone restoring or changing it first.
 */
export async function restoreDeletedRecord(
  db: DbOrTx,
  actor: Actor,
  input: { recordId: string; deletedVersion: number; saveId?: string | null },
): Promise<Result<{ record: RecordView; replayed: boolean }, RestoreDeletedError>> {
  const current = await loadRecord(db, input.recordId);
  if (!current) return err({ code: "not_found" });
  if (!current.deletedAt && !input.saveId) {
    return err({ code: "not_deleted", message: "This record is not deleted; there is nothing to restore." });
  }
  if (current.deletedAt && current.version !== input.deletedVersion) {
    return err({
      code: "conflict",
      current: toRecordView(current),
      changes: await revisionsSince(db, current.id, input.deletedVersion),
    });
  }
  const result = await restoreRecord(db, actor, {
    recordId: current.id,
    deletedVersion: input.deletedVersion,
    values: current.data,
    saveId: input.saveId ?? null,
  });
  // A repeated request whose first answer was lost replays; otherwise a record that is not deleted is said so.
  if (!result.ok && !current.deletedAt && result.error.code !== "idempotency_mismatch") {
    return err({ code: "not_deleted", message: "This record is not deleted; there is nothing to restore." });
  }
  return result;
}
