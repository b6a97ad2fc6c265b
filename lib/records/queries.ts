import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { EditMode, FieldChanges, RecordData, RevisionAction } from "@/db/schema";
import type { FieldDefinition } from "@/lib/fields";
import { isUuid } from "@/lib/ids";
import { PG_INT_MAX } from "@/lib/pg-int";
import { isoString, presentRecord, type RecordView, type RevisionView, type UserRef } from "./record-view";

export { isUuid };

/** A record with what every write needs to know about its collection. */
export type LoadedRecord = RecordView & {
  collectionId: string;
  collectionName: string;
  fields: FieldDefinition[];
  /** Fields an admin removed: their values stay in `data`, hidden from the record's JSON. */
  removedFields: FieldDefinition[];
  editMode: EditMode;
  deletedAt: string | null;
  deletedBy: UserRef | null;
};

/** The columns every record query selects (with the creator's and last editor's names). */
export type RecordRowColumns = {
  id: string;
  data: RecordData;
  version: number;
  created_at: string | Date;
  created_by: string;
  created_by_name: string;
  updated_at: string | Date;
  updated_by: string;
  updated_by_name: string;
};

export function recordViewFromRow(row: RecordRowColumns, collectionSlug: string): RecordView {
  return {
    id: row.id,
    collection: collectionSlug,
    version: row.version,
    data: row.data,
    createdAt: isoString(row.created_at),
    createdBy: { id: row.created_by, name: row.created_by_name },
    updatedAt: isoString(row.updated_at),
    updatedBy: { id: row.updated_by, name: row.updated_by_name },
  };
}

type LoadedRow = RecordRowColumns & {
  collection_id: string;
  slug: string;
  collection_name: string;
  fields: FieldDefinition[];
  removed_fields: FieldDefinition[];
  edit_mode: EditMode;
  deleted_at: string | Date | null;
  deleted_by: string | null;
  deleted_by_name: string | null;
};

export async function loadRecord(db: DbOrTx, id: string): Promise<LoadedRecord | null> {
  if (!isUuid(id)) return null;
  const [row] = await queryRows<LoadedRow>(
    db,
    sql`select r.id, r.collection_id, c.slug, c.name as collection_name, c.fields, c.removed_fields, c.edit_mode,
               r.data, r.version, r.created_at, r.created_by, cu.name as created_by_name,
               r.updated_at, r.updated_by, uu.name as updated_by_name,
               r.deleted_at, r.deleted_by, du.name as deleted_by_name
          from records r
          join collections c on c.id = r.collection_id
          join users cu on cu.id = r.created_by
          join users uu on uu.id = r.updated_by
          left join users du on du.id = r.deleted_by
         where r.id = ${id}`,
  );
  if (!row) return null;
  return {
    ...recordViewFromRow(row, row.slug),
    collectionId: row.collection_id,
    collectionName: row.collection_name,
    fields: row.fields,
    removedFields: row.removed_fields,
    editMode: row.edit_mode,
    deletedAt: row.deleted_at === null ? null : isoString(row.deleted_at),
    deletedBy: row.deleted_by === null ? null : { id: row.deleted_by, name: row.deleted_by_name ?? "" },
  };
}

/** The record's JSON: its collection's fields only, with values that no longer fit flagged. */
export function toRecordView(record: LoadedRecord): RecordView {
  const { id, collection, version, data, createdAt, createdBy, updatedAt, updatedBy } = record;
  return presentRecord(record.fields, { id, collection, version, data, createdAt, createdBy, updatedAt, updatedBy });
}

type RevisionRow = {
  version: number;
  action: RevisionAction;
  user_id: string;
  user_name: string;
  at: string | Date;
  changes: FieldChanges;
  batch_id: string | null;
  reverted_from: number | null;
};

function toRevisionView(row: RevisionRow): RevisionView {
  return {
    version: row.version,
    action: row.action,
    user: { id: row.user_id, name: row.user_name },
    at: isoString(row.at),
    changes: row.changes,
    batchId: row.batch_id,
    revertedFrom: row.reverted_from,
  };
}

/** The revisions after `version`, oldest first: what happened since a client last looked. */
export async function revisionsSince(db: DbOrTx, recordId: string, version: number): Promise<RevisionView[]> {
  const rows = await queryRows<RevisionRow>(
    db,
    sql`select v.version, v.action, v.user_id, u.name as user_name, v.at, v.changes, v.batch_id, v.reverted_from
          from revisions v join users u on u.id = v.user_id
         where v.record_id = ${recordId} and v.version > ${version}
         order by v.version`,
  );
  return rows.map(toRevisionView);
}

/** A page of history, newest first; `before` is the oldest version already shown. */
export async function listRevisions(
  db: DbOrTx,
  recordId: string,
  page: { limit: number; before?: number | undefined },
): Promise<RevisionView[]> {
  const before = page.before ?? PG_INT_MAX;
  const rows = await queryRows<RevisionRow>(
    db,
    sql`select v.version, v.action, v.user_id, u.name as user_name, v.at, v.changes, v.batch_id, v.reverted_from
          from revisions v join users u on u.id = v.user_id
         where v.record_id = ${recordId} and v.version < ${before}
         order by v.version desc
         limit ${page.limit}`,
  );
  return rows.map(toRevisionView);
}

/** One revision with the record's complete data at that version (its snapshot). */
export async function getRevision(
  db: DbOrTx,
  recordId: string,
  version: number,
): Promise<(RevisionView & { data: RecordData }) | null> {
  const [row] = await queryRows<RevisionRow & { snapshot: RecordData }>(
    db,
    sql`select v.version, v.action, v.user_id, u.name as user_name, v.at, v.changes, v.batch_id, v.reverted_from, v.snapshot
          from revisions v join users u on u.id = v.user_id
         where v.record_id = ${recordId} and v.version = ${version}`,
  );
  return row ? { ...toRevisionView(row), data: row.snapshot } : null;
}

/** The revision a save id wrote, if any: a repeated save returns this instead of a false conflict. */
export async function findSavedRevision(
  db: DbOrTx,
  userId: string,
  saveId: string,
): Promise<{ recordId: string; version: number; action: RevisionAction; snapshot: RecordData; at: string } | null> {
  const [row] = await queryRows<{
    record_id: string;
    version: number;
    action: RevisionAction;
    snapshot: RecordData;
    at: string | Date;
  }>(
    db,
    sql`select record_id, version, action, snapshot, at from revisions
         where user_id = ${userId} and save_id = ${saveId}`,
  );
  if (!row) return null;
  return {
    recordId: row.record_id,
    version: row.version,
    action: row.action,
    snapshot: row.snapshot,
    at: isoString(row.at),
  };
}
