import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { FieldChanges, RecordData, RevisionAction } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { applyMergePatch, type RecordInput, searchTextOf, validateRecord } from "@/lib/fields";
import { err, type Result } from "@/lib/result";
import { diffValues } from "./diff";
import { findSavedRevision, type LoadedRecord, loadRecord, revisionsSince, toRecordView } from "./queries";
import { isoString, type RecordView, type RevisionView, type UserRef } from "./record-view";

export type SaveError =
  | { code: "not_found"; deleted?: { at: string; by: UserRef } }
  | { code: "conflict"; current: RecordView; changes: RevisionView[] }
  | { code: "invalid"; fields: Record<string, string> }
  | { code: "idempotency_mismatch" };

export type SaveResult = Result<{ record: RecordView; replayed: boolean }, SaveError>;

export type UpdateAction = Extract<RevisionAction, "update" | "merge" | "overwrite">;

export type SaveRecordInput = {
  recordId: string;
  /** The version the user's edit started from. */
  baseVersion: number;
  /** The complete form values, or with `patch` a JSON merge patch of them. */
  values: RecordInput;
  patch?: boolean;
  action?: UpdateAction;
  /** Client-made id of this save: sending the same save again returns its first outcome. */
  saveId?: string | null;
};

const UNIQUE_VIOLATION = "23505";

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === UNIQUE_VIOLATION) return true;
  }
  return false;
}

/**
 * The one way a record changes. The compare-and-set is a single statement: the UPDATE only
 * matches while the row is still at the version the user started from, and the revision is
 * inserted from the UPDATE's own RETURNING, so both land or neither. Reading the version
 * first and comparing in JavaScript would let another writer commit in between.
 */
export async function saveRecord(db: DbOrTx, actor: Actor, input: SaveRecordInput): Promise<SaveResult> {
  const current = await loadRecord(db, input.recordId);
  if (!current || current.deletedAt) return staleOutcome(db, actor, input, current);
  // Preconditions come before the content (RFC 9110 §13.2.1): a stale save is a conflict
  // even if its values are also invalid.
  if (current.version !== input.baseVersion) return staleOutcome(db, actor, input, current);

  const proposed = input.patch ? applyMergePatch(current.data, input.values) : input.values;
  const valid = validateRecord(current.fields, proposed);
  if (!valid.ok) return err({ code: "invalid", fields: valid.fields });

  const changes = diffValues(current.data, valid.values);
  if (Object.keys(changes).length === 0) {
    return { ok: true, record: toRecordView(current), replayed: false };
  }
  try {
    const written = await compareAndSet(db, actor, {
      record: current,
      baseVersion: input.baseVersion,
      data: valid.values,
      changes,
      action: input.action ?? "update",
      saveId: input.saveId ?? null,
    });
    if (written) return { ok: true, record: written, replayed: false };
  } catch (error) {
    if (!(input.saveId && isUniqueViolation(error))) throw error;
  }
  return staleOutcome(db, actor, input, await loadRecord(db, input.recordId));
}

export type DeleteRecordInput = { recordId: string; baseVersion: number; saveId?: string | null };
export type DeleteResult = Result<{ version: number; replayed: boolean }, SaveError>;

/** Deleting is a versioned write too: it can conflict, and it leaves a revision. */
export async function deleteRecord(db: DbOrTx, actor: Actor, input: DeleteRecordInput): Promise<DeleteResult> {
  const current = await loadRecord(db, input.recordId);
  const outcome = async (): Promise<DeleteResult> => {
    const stale = await staleOutcome(db, actor, input, await loadRecord(db, input.recordId));
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
            returning id, version, updated_at, data
          )
          insert into revisions (record_id, version, user_id, at, action, changes, snapshot, save_id)
          select id, version, ${actor.id}, updated_at, 'delete', '{}'::jsonb, data, ${input.saveId ?? null}
            from deleted
          returning version`,
    );
    if (row) return { ok: true, version: row.version, replayed: false };
  } catch (error) {
    if (!(input.saveId && isUniqueViolation(error))) throw error;
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
  const [collection] = await queryRows<{ id: string; slug: string; fields: LoadedRecord["fields"] }>(
    db,
    sql`select id, slug, fields from collections where slug = ${input.collectionSlug}`,
  );
  if (!collection) return err({ code: "not_found" });
  const replay = async (): Promise<CreateResult | null> => {
    if (!input.saveId) return null;
    const saved = await findSavedRevision(db, actor.id, input.saveId);
    if (!saved) return null;
    const record = saved.action === "create" ? await loadRecord(db, saved.recordId) : null;
    if (!record || record.collectionId !== collection.id) return err({ code: "idempotency_mismatch" });
    return { ok: true, record: { ...toRecordView(record), version: 1, data: saved.snapshot }, replayed: true };
  };
  const replayed = await replay();
  if (replayed) return replayed;

  const valid = validateRecord(collection.fields, input.values);
  if (!valid.ok) return err({ code: "invalid", fields: valid.fields });
  const data = JSON.stringify(valid.values);
  try {
    const [row] = await queryRows<{ record_id: string; at: string | Date }>(
      db,
      sql`with created as (
            insert into records (collection_id, data, version, search_text, created_by, updated_by)
            values (${collection.id}, ${data}::jsonb, 1, ${searchTextOf(collection.fields, valid.values)}, ${actor.id}, ${actor.id})
            returning id, created_at
          )
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
    if (!(input.saveId && isUniqueViolation(error))) throw error;
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
          returning id, version, updated_at
        )
        insert into revisions (record_id, version, user_id, at, action, changes, snapshot, save_id)
        select id, version, ${actor.id}, updated_at, ${write.action}, ${JSON.stringify(write.changes)}::jsonb,
               ${data}::jsonb, ${write.saveId}
          from updated
        returning version, at`,
  );
  if (!row) return null;
  return {
    ...toRecordView(write.record),
    version: row.version,
    data: write.data,
    updatedAt: isoString(row.at),
    updatedBy: { id: actor.id, name: actor.name },
  };
}

/**
 * The save did not apply. Either it already had (a repeat of a save whose answer was lost:
 * return what it did), or the record moved on (conflict), or it is gone (not_found).
 */
async function staleOutcome(
  db: DbOrTx,
  actor: Actor,
  input: Pick<SaveRecordInput, "recordId" | "baseVersion" | "saveId">,
  current: LoadedRecord | null,
): Promise<SaveResult> {
  if (input.saveId) {
    const saved = await findSavedRevision(db, actor.id, input.saveId);
    if (saved) {
      if (!current || saved.recordId !== current.id) return err({ code: "idempotency_mismatch" });
      return {
        ok: true,
        replayed: true,
        record: {
          ...toRecordView(current),
          version: saved.version,
          data: saved.snapshot,
          updatedAt: saved.at,
          updatedBy: { id: actor.id, name: actor.name },
        },
      };
    }
  }
  if (!current) return err({ code: "not_found" });
  if (current.deletedAt) {
    return err({
      code: "not_found",
      deleted: { at: current.deletedAt, by: current.deletedBy ?? current.updatedBy },
    });
  }
  return err({
    code: "conflict",
    current: toRecordView(current),
    changes: await revisionsSince(db, current.id, input.baseVersion),
  });
}
