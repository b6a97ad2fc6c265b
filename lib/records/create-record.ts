import "server-only";
import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { collections, revisions } from "@/db/schema";
import { rowsOf } from "@/db/table-rows";
import type { Actor } from "@/lib/auth/actor";
import { type RecordInput, searchTextOf, validateRecord } from "@/lib/fields";
import { capacityOf } from "@/lib/reservations/seats";
import { err, type Result } from "@/lib/result";
import { diffValues } from "./diff";
import { findSavedRevision, loadRecord, toRecordView } from "./queries";
import { isoString, type RecordView } from "./record-view";
import { referenceProblems } from "./references";
import { isReplayOf, type Operation } from "./replay";
import { isSaveIdTaken } from "./write-outcome";

export type CreateRecordInput = { collectionSlug: string; values: RecordInput; saveId?: string | null };
export type CreateError =
  | { code: "not_found" }
  | { code: "invalid"; fields: Record<string, string> }
  | { code: "idempotency_mismatch" };
export type CreateResult = Result<{ record: RecordView; replayed: boolean }, CreateError>;

/**
 * A new record at version 1: the record, its `create` revision and (for records that take
 * reservations) its seat counter are one statement, so all land or none. A repeated save id
 * answers the first outcome.
 */
export async function createRecord(db: DbOrTx, actor: Actor, input: CreateRecordInput): Promise<CreateResult> {
  const [collection] = await db
    .select({
      id: collections.id,
      slug: collections.slug,
      fields: collections.fields,
      removedFields: collections.removedFields,
      capacityField: collections.capacityField,
    })
    .from(collections)
    .where(eq(collections.slug, input.collectionSlug));
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

  const valid = validateRecord(collection.fields, input.values, collection.removedFields);
  if (!valid.ok) return err({ code: "invalid", fields: valid.fields });
  const dangling = await referenceProblems(db, collection.fields, valid.values, Object.keys(valid.values));
  if (Object.keys(dangling).length > 0) return err({ code: "invalid", fields: dangling });
  const data = JSON.stringify(valid.values);
  // Records that take reservations get their seat counter in the same statement.
  const counter = collection.capacityField
    ? sql`, counter as (
          insert into record_capacity (record_id, capacity)
          select id, ${capacityOf(valid.values, collection.capacityField)}::int from created
        )`
    : sql``;
  try {
    const [row] = await rowsOf(
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
      { record_id: revisions.recordId, at: revisions.at },
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
