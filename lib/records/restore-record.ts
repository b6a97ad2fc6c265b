import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { revisions } from "@/db/schema";
import { rowsOf } from "@/db/table-rows";
import type { Actor } from "@/lib/auth/actor";
import { type RecordInput, searchTextOf, validateChanges } from "@/lib/fields";
import { leaseFreeCondition, leaseHeldByOther } from "@/lib/leases/lease-conditions";
import { capacityMirrorCte, capacityRefusal } from "@/lib/reservations/capacity";
import { err } from "@/lib/result";
import { diffValues } from "./diff";
import { loadRecord, toRecordView } from "./queries";
import type { Operation } from "./replay";
import { isSaveIdTaken, type SaveResult, staleOutcome } from "./write-outcome";

export type RestoreRecordInput = {
  recordId: string;
  /** The version the record was deleted at: a restore is a compare-and-set on it too. */
  deletedVersion: number;
  values: RecordInput;
  saveId?: string | null;
};

/**
 * Brings a deleted record back as a new version with the given values (the conflict
 * dialog's "restore it with my edits"). If someone restored or changed it first, the
 * answer is a conflict like any other save's.
 */
export async function restoreRecord(db: DbOrTx, actor: Actor, input: RestoreRecordInput): Promise<SaveResult> {
  const operation: Operation = { kind: "restore", values: input.values };
  const asSave = { ...input, baseVersion: input.deletedVersion };
  const current = await loadRecord(db, input.recordId);
  if (!current?.deletedAt || current.version !== input.deletedVersion) {
    return staleOutcome(db, actor, asSave, operation, current);
  }
  // A deleted record takes no lease, but someone else's live one (taken in a race with the
  // delete) still stands: a restore must not pull the record from under its holder.
  const locked = current.editMode === "lease" ? await leaseHeldByOther(db, actor, current.id) : null;
  if (locked) return err(locked);
  /** Not restored: replayed, restored or changed by someone first, or someone's lease appeared meanwhile. */
  const stale = async (): Promise<SaveResult> => {
    const latest = await loadRecord(db, input.recordId);
    const outcome = await staleOutcome(db, actor, asSave, operation, latest);
    const untouched = latest?.deletedAt && latest.version === input.deletedVersion;
    if (outcome.ok || !untouched || latest.editMode !== "lease") return outcome;
    return err((await leaseHeldByOther(db, actor, latest.id)) ?? outcome.error);
  };
  const valid = validateChanges(current.fields, current.data, input.values, current.removedFields);
  if (!valid.ok) return err({ code: "invalid", fields: valid.fields });
  const data = JSON.stringify(valid.values);
  try {
    const [row] = await rowsOf(
      db,
      sql`with restored as (
            update records
               set data = ${data}::jsonb, search_text = ${searchTextOf(current.fields, valid.values)},
                   deleted_at = null, deleted_by = null,
                   version = version + 1, updated_at = now(), updated_by = ${actor.id}
             where id = ${current.id} and version = ${input.deletedVersion} and deleted_at is not null
               and ${leaseFreeCondition(actor.id, current.id)}
            returning id, version, updated_at
          ),
          ${capacityMirrorCte({ source: "restored", collectionId: current.collectionId, previous: current.data, next: valid.values })}
          insert into revisions (record_id, version, user_id, at, action, changes, snapshot, save_id)
          select id, version, ${actor.id}, updated_at, 'restore',
                 ${JSON.stringify(diffValues(current.data, valid.values))}::jsonb, ${data}::jsonb, ${input.saveId ?? null}
            from restored
          returning version, at`,
      { version: revisions.version, at: revisions.at },
    );
    if (row) {
      return {
        ok: true,
        replayed: false,
        record: toRecordView({
          ...current,
          version: row.version,
          data: valid.values,
          updatedAt: row.at,
          updatedBy: { id: actor.id, name: actor.name },
        }),
      };
    }
  } catch (error) {
    const refused = await capacityRefusal(db, error, current.id);
    if (refused) return err(refused);
    if (!(input.saveId && isSaveIdTaken(error))) throw error;
  }
  return stale();
}
