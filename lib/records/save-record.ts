import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { type FieldChanges, type RecordData, type RevisionAction, revisions } from "@/db/schema";
import { rowsOf } from "@/db/table-rows";
import type { Actor } from "@/lib/auth/actor";
import { explainRemovedOptions } from "@/lib/collections/impact";
import { applyMergePatch, type RecordInput, searchTextOf, validateChanges } from "@/lib/fields";
import { leaseHeldCondition, leaseRefusal } from "@/lib/leases/lease-conditions";
import { notifiesReplacedWork, notifyReplacedWork } from "@/lib/notifications";
import { capacityMirrorCte, capacityRefusal } from "@/lib/reservations/capacity";
import { err } from "@/lib/result";
import { diffValues } from "./diff";
import { type LoadedRecord, loadRecord, toRecordView } from "./queries";
import type { RecordView } from "./record-view";
import { referenceProblems } from "./references";
import type { Operation } from "./replay";
import { isSaveIdTaken, lockedOrStale, type SaveResult, staleOutcome } from "./write-outcome";

export type UpdateAction = Extract<RevisionAction, "update" | "merge" | "overwrite">;

export type SaveRecordInput = {
  recordId: string;
  /** The version the user's edit started from. */
  baseVersion: number;
  /** The complete form values, or with `patch` a JSON merge patch of them. */
  values: RecordInput;
  patch?: boolean;
  /** `revert` (with `revertedFrom`): bringing an older version's values back (see revert-record.ts). */
  action?: UpdateAction | "revert";
  /** Client-made id of this save: sending the same save again returns its first outcome. */
  saveId?: string | null;
  /** For action `revert`: the version whose values this write brings back. */
  revertedFrom?: number | null;
};

/**
 * The one way a record changes. The compare-and-set is a single statement: the UPDATE only
 * matches while the row is still at the version the user started from, and the revision is
 * inserted from the UPDATE's own RETURNING, so both land or neither. Reading the version
 * first and comparing in JavaScript would let another writer commit in between.
 */
export async function saveRecord(db: DbOrTx, actor: Actor, input: SaveRecordInput): Promise<SaveResult> {
  const operation: Operation = { kind: "save", values: input.values, patch: input.patch ?? false };
  const current = await loadRecord(db, input.recordId);
  if (!current || current.deletedAt) return staleOutcome(db, actor, input, operation, current);
  // Preconditions come before the content (RFC 9110 §13.2.1): a stale save is a conflict
  // even if its values are also invalid.
  if (current.version !== input.baseVersion) return lockedOrStale(db, actor, input, operation, current);
  // Lease collections (DESIGN.md guarantee 6): only the holder of an unexpired lease writes.
  // Answered here before the content; the compare-and-set re-checks it in the same statement.
  const locked = current.editMode === "lease" ? await leaseRefusal(db, actor, current.id) : null;
  if (locked) return err(locked);

  const proposed = input.patch ? applyMergePatch(current.data, input.values) : input.values;
  // Guarantee 11: only what this save changes must fit; untouched misfits and removed fields' values are kept.
  const valid = validateChanges(current.fields, current.data, proposed, current.removedFields);
  if (!valid.ok) {
    const fields = await explainRemovedOptions(db, current.collectionId, current.fields, proposed, valid.fields);
    return err({ code: "invalid", fields });
  }

  const changes = diffValues(current.data, valid.values);
  if (Object.keys(changes).length === 0) {
    return { ok: true, record: toRecordView(current), replayed: false };
  }
  const dangling = await referenceProblems(db, current.fields, valid.values, Object.keys(changes));
  if (Object.keys(dangling).length > 0) return err({ code: "invalid", fields: dangling });
  try {
    const write = {
      record: current,
      baseVersion: input.baseVersion,
      data: valid.values,
      changes,
      action: input.action ?? "update",
      saveId: input.saveId ?? null,
      revertedFrom: input.revertedFrom ?? null,
    };
    // An overwrite or a revert tells the people whose values it replaced, in its own transaction
    // (lib/notifications.ts): a refused or rolled-back write tells nobody.
    const written = notifiesReplacedWork(write.action)
      ? await db.transaction(async (tx) => {
          const done = await compareAndSet(tx, actor, write);
          if (done)
            await notifyReplacedWork(tx, { ...write, version: done.version, actor, previousData: current.data });
          return done;
        })
      : await compareAndSet(db, actor, write);
    if (written) return { ok: true, record: written, replayed: false };
  } catch (error) {
    // A capacity below the seats already reserved: refused by the CHECK, nothing written.
    const refused = await capacityRefusal(db, error, current.id);
    if (refused) return err(refused);
    if (!(input.saveId && isSaveIdTaken(error))) throw error;
  }
  return lockedOrStale(db, actor, input, operation, await loadRecord(db, input.recordId));
}

async function compareAndSet(
  db: DbOrTx,
  actor: Actor,
  write: {
    record: LoadedRecord;
    baseVersion: number;
    data: RecordData;
    changes: FieldChanges;
    action: RevisionAction;
    saveId: string | null;
    revertedFrom: number | null;
  },
): Promise<RecordView | null> {
  const data = JSON.stringify(write.data);
  const [row] = await rowsOf(
    db,
    sql`with updated as (
          update records
             set data = ${data}::jsonb, search_text = ${searchTextOf(write.record.fields, write.data)},
                 version = version + 1, updated_at = now(), updated_by = ${actor.id}
           where id = ${write.record.id} and version = ${write.baseVersion} and deleted_at is null
             and ${leaseHeldCondition(actor.id, write.record.id)}
          returning id, version, updated_at
        ),
        ${capacityMirrorCte({ source: "updated", collectionId: write.record.collectionId, previous: write.record.data, next: write.data })}
        insert into revisions (record_id, version, user_id, at, action, changes, snapshot, save_id, reverted_from)
        select id, version, ${actor.id}, updated_at, ${write.action}, ${JSON.stringify(write.changes)}::jsonb,
               ${data}::jsonb, ${write.saveId}, ${write.revertedFrom}::int
          from updated
        returning version, at`,
    { version: revisions.version, at: revisions.at },
  );
  if (!row) return null;
  return toRecordView({
    ...write.record,
    version: row.version,
    data: write.data,
    updatedAt: row.at,
    updatedBy: { id: actor.id, name: actor.name },
  });
}
