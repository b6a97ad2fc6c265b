import "server-only";
import type { DbOrTx } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { isConstraintViolation } from "@/lib/database-errors";
import { leaseRefusal } from "@/lib/leases/lease-conditions";
import type { LockedError } from "@/lib/leases/lease-view";
import { err, type Result } from "@/lib/result";
import { deletedInfo, findSavedRevision, type LoadedRecord, revisionsSince, toRecordView } from "./queries";
import type { DeletedInfo, RecordView, RevisionView } from "./record-view";
import { isReplayOf, type Operation } from "./replay";

/**
 * What a record write (save, delete, restore) answers when its compare-and-set did not apply:
 * the first outcome of a repeated save, `locked`, a conflict, or not_found.
 */

export type SaveError =
  | { code: "not_found"; deleted?: DeletedInfo }
  | { code: "conflict"; current: RecordView; changes: RevisionView[] }
  | { code: "invalid"; fields: Record<string, string> }
  | { code: "idempotency_mismatch" }
  | LockedError;

export type SaveResult = Result<{ record: RecordView; replayed: boolean }, SaveError>;

/** The fields of a write's input that decide its stale outcome. */
export type WriteTarget = { recordId: string; baseVersion: number; saveId?: string | null };

/** A second write with a save id its author already used (a retry racing its original, or a reused key). */
export function isSaveIdTaken(error: unknown): boolean {
  return isConstraintViolation(error, "23505", "revisions_user_save_id_idx");
}

/**
 * A write to a lease collection by someone without the lease is refused as `locked`, which
 * outranks a conflict (the old holder's next save after a take-over is told who has it now);
 * a repeated save's first outcome and a deleted record's not_found still come first.
 */
export async function lockedOrStale(
  db: DbOrTx,
  actor: Actor,
  input: WriteTarget,
  operation: Operation,
  current: LoadedRecord | null,
): Promise<SaveResult> {
  const stale = await staleOutcome(db, actor, input, operation, current);
  if (stale.ok || stale.error.code !== "conflict" || current?.editMode !== "lease") return stale;
  return err((await leaseRefusal(db, actor, current.id)) ?? stale.error);
}

/**
 * The save did not apply. Either it already had (a repeat of a save whose answer was lost:
 * return what it did), or the record moved on (conflict), or it is gone (not_found). A save id
 * that wrote something else (another record, another kind of write, other values) is
 * `idempotency_mismatch`: replaying that outcome would answer a request that never ran.
 */
export async function staleOutcome(
  db: DbOrTx,
  actor: Actor,
  input: WriteTarget,
  operation: Operation,
  current: LoadedRecord | null,
): Promise<SaveResult> {
  if (input.saveId) {
    const saved = await findSavedRevision(db, actor.id, input.saveId);
    if (saved) {
      if (!current || saved.recordId !== current.id || !isReplayOf(operation, saved, current.fields)) {
        return err({ code: "idempotency_mismatch" });
      }
      return {
        ok: true,
        replayed: true,
        record: toRecordView({
          ...current,
          version: saved.version,
          data: saved.snapshot,
          updatedAt: saved.at,
          updatedBy: { id: actor.id, name: actor.name },
        }),
      };
    }
  }
  if (!current) return err({ code: "not_found" });
  const deleted = deletedInfo(current);
  if (deleted) return err({ code: "not_found", deleted });
  return err({
    code: "conflict",
    current: toRecordView(current),
    changes: await revisionsSince(db, current.id, input.baseVersion),
  });
}
