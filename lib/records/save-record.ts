import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { FieldChanges, RecordData, RevisionAction } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { explainRemovedOptions } from "@/lib/collections/impact";
import { isConstraintViolation } from "@/lib/database-errors";
import { applyMergePatch, type RecordInput, searchTextOf, validateChanges, validateRecord } from "@/lib/fields";
import type { LockedError } from "@/lib/leases/lease-view";
import { leaseFreeCondition, leaseHeldByOther, leaseHeldCondition, leaseRefusal } from "@/lib/leases/leases";
import { notifiesReplacedWork, notifyReplacedWork } from "@/lib/notifications";
import { capacityMirrorCte, capacityRefusal } from "@/lib/reservations/capacity";
import { capacityOf } from "@/lib/reservations/seats";
import { err, type Result } from "@/lib/result";
import { diffValues } from "./diff";
import { findSavedRevision, type LoadedRecord, loadRecord, revisionsSince, toRecordView } from "./queries";
import { isoString, presentRecord, type RecordView, type RevisionView, type UserRef } from "./record-view";
import { referenceProblems } from "./references";
import { isReplayOf, type Operation } from "./replay";

export type SaveError =
  | { code: "not_found"; deleted?: DeletedInfo }
  | { code: "conflict"; current: RecordView; changes: RevisionView[] }
  | { code: "invalid"; fields: Record<string, string> }
  | { code: "idempotency_mismatch" }
  | LockedError;

/** Who deleted a record and when; `version` is what a restore must name. */
export type DeletedInfo = { at: string; by: UserRef; version: number; data: RecordData };

export type SaveResult = Result<{ record: RecordView; replayed: boolean }, SaveError>;

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

/** A second write with a save id its author already used (a retry racing its original, or a reused key). */
function isSaveIdTaken(error: unknown): boolean {
  return isConstraintViolation(error, "23505", "revisions_user_save_id_idx");
}

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
    const [row] = await queryRows<{ version: number }>(
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
    );
    if (row) return { ok: true, version: row.version, replayed: false };
  } catch (error) {
    if (!(input.saveId && isSaveIdTaken(error))) throw error;
  }
  return outcome();
}

export type CreateRecordInput = { collectionSlug: string; values: RecordInput; saveId?: string | null };
export type CreateError =
  | { code: "not_found" }
  | { code: "invalid"; fields: Record<string, string> }
  | { code: "idempotency_mismatch" };
export type CreateResult = Result<{ record: RecordView; replayed: boolean }, CreateError>;

export async function createRecord(db: DbOrTx, actor: Actor, input: CreateRecordInput): Promise<CreateResult> {
  const [collection] = await queryRows<{
    id: string;
    slug: string;
    fields: LoadedRecord["fields"];
    removed_fields: LoadedRecord["fields"];
    capacity_field: string | null;
  }>(
    db,
    sql`select id, slug, fields, removed_fields, capacity_field from collections where slug = ${input.collectionSlug}`,
  );
  if (!collection) return err({ code: "not_found" });
  const replay = async (): Promise<CreateResult | null> => {
    if (!input.saveId) return null;
    const saved = await findSavedRevision(db, actor.id, input.saveId);
    if (!saved) return null;
    const operation: Operation = { kind: "create", values: input.values };
    const record = isReplayOf(operation, saved, collection.fields) ? await loadRecord(db, saved.recordId) : null;
    if (!record || record.collectionId !== collection.id) return err({ code: "idempotency_mismatch" });
    return { ok: true, record: { ...toRecordView(record), version: 1, data: saved.snapshot }, replayed: true };
  };
  const replayed = await replay();
  if (replayed) return replayed;

  const valid = validateRecord(collection.fields, input.values, collection.removed_fields);
  if (!valid.ok) return err({ code: "invalid", fields: valid.fields });
  const dangling = await referenceProblems(db, collection.fields, valid.values, Object.keys(valid.values));
  if (Object.keys(dangling).length > 0) return err({ code: "invalid", fields: dangling });
  const data = JSON.stringify(valid.values);
  // Records that take reservations get their seat counter in the same statement.
  const counter = collection.capacity_field
    ? sql`, counter as (
          insert into record_capacity (record_id, capacity)
          select id, ${capacityOf(valid.values, collection.capacity_field)}::int from created
        )`
    : sql``;
  try {
    const [row] = await queryRows<{ record_id: string; at: string | Date }>(
      db,
      sql`with created as (
            insert into records (collection_id, data, version, search_text, created_by, updated_by)
            values (${collection.id}, ${data}::jsonb, 1, ${searchTextOf(collection.fields, valid.values)}, ${actor.id}, ${actor.id})
            returning id, created_at
          )${counter}
          insert into revisions (record_id, version, user_id, at, action, changes, snapshot, save_id)
          select id, 1, ${actor.id}, created_at, 'create', ${JSON.stringify(diffValues({}, valid.values))}::jsonb,
                 ${data}::jsonb, ${input.saveId ?? null}
            from created
          returning record_id, at`,
    );
    if (!row) throw new Error("insert returned no row");
    const at = isoString(row.at);
    const by = { id: actor.id, name: actor.name };
    return {
      ok: true,
      replayed: false,
      record: {
        id: row.record_id,
        collection: collection.slug,
        version: 1,
        data: valid.values,
        createdAt: at,
        createdBy: by,
        updatedAt: at,
        updatedBy: by,
      },
    };
  } catch (error) {
    if (!(input.saveId && isSaveIdTaken(error))) throw error;
    return (await replay()) ?? err({ code: "idempotency_mismatch" });
  }
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
  const [row] = await queryRows<{ version: number; at: string | Date }>(
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
  );
  if (!row) return null;
  return presentRecord(write.record.fields, {
    ...toRecordView(write.record),
    version: row.version,
    data: write.data,
    updatedAt: isoString(row.at),
    updatedBy: { id: actor.id, name: actor.name },
  });
}

/**
 * A write to a lease collection by someone without the lease is refused as `locked`, which
 * outranks a conflict (the old holder's next save after a take-over is told who has it now);
 * a repeated save's first outcome and a deleted record's not_found still come first.
 */
async function lockedOrStale(
  db: DbOrTx,
  actor: Actor,
  input: Pick<SaveRecordInput, "recordId" | "baseVersion" | "saveId">,
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
async function staleOutcome(
  db: DbOrTx,
  actor: Actor,
  input: Pick<SaveRecordInput, "recordId" | "baseVersion" | "saveId">,
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
        record: presentRecord(current.fields, {
          ...toRecordView(current),
          version: saved.version,
          data: saved.snapshot,
          updatedAt: saved.at,
          updatedBy: { id: actor.id, name: actor.name },
        }),
      };
    }
  }
  if (!current) return err({ code: "not_found" });
  if (current.deletedAt) {
    return err({
      code: "not_found",
      deleted: {
        at: current.deletedAt,
        by: current.deletedBy ?? current.updatedBy,
        version: current.version,
        data: current.data,
      },
    });
  }
  return err({
    code: "conflict",
    current: toRecordView(current),
    changes: await revisionsSince(db, current.id, input.baseVersion),
  });
}

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
    const [row] = await queryRows<{ version: number; at: string | Date }>(
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
    );
    if (row) {
      return {
        ok: true,
        replayed: false,
        record: presentRecord(current.fields, {
          ...toRecordView(current),
          version: row.version,
          data: valid.values,
          updatedAt: isoString(row.at),
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
