import "server-only";
import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db/client";
import { preparedFor } from "@/db/prepared";
import { collections, type RecordData, records, revisions, users } from "@/db/schema";
import type { FieldDefinition } from "@/lib/fields";
import { PG_INT_MAX } from "@/lib/pg-int";
import {
  type DeletedInfo,
  isoString,
  presentRecord,
  type RecordView,
  type RevisionView,
  type UserRef,
} from "./record-view";

/**
 * A record with what every write needs to know about its collection, as the domain works with
 * it (times are Dates). `toRecordView` turns it into the record's JSON.
 */
export type LoadedRecord = Pick<typeof records.$inferSelect, "id" | "collectionId" | "data" | "version"> & {
  /** The collection's slug. */
  collection: string;
  collectionName: string;
  fields: FieldDefinition[];
  /** Fields an admin removed: their values stay in `data`, hidden from the record's JSON. */
  removedFields: FieldDefinition[];
  editMode: (typeof collections.$inferSelect)["editMode"];
  createdAt: Date;
  createdBy: UserRef;
  updatedAt: Date;
  updatedBy: UserRef;
  deletedAt: Date | null;
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

/** For lists' hand-written query (list-records.ts): a row of RecordRowColumns as the record's JSON. */
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

const creator = alias(users, "creator");
const editor = alias(users, "editor");
const deleter = alias(users, "deleter");

/**
 * The read every write starts with, on the save's hot path: built once per database handle and
 * prepared (PostgreSQL parses and plans it once per connection), so a save pays neither
 * drizzle's query building nor a parse for it.
 */
function buildLoadQuery(db: DbOrTx) {
  return db
    .select({
      id: records.id,
      collectionId: records.collectionId,
      collection: collections.slug,
      collectionName: collections.name,
      fields: collections.fields,
      removedFields: collections.removedFields,
      editMode: collections.editMode,
      data: records.data,
      version: records.version,
      createdAt: records.createdAt,
      createdById: records.createdBy,
      createdByName: creator.name,
      updatedAt: records.updatedAt,
      updatedById: records.updatedBy,
      updatedByName: editor.name,
      deletedAt: records.deletedAt,
      deletedById: records.deletedBy,
      deletedByName: deleter.name,
    })
    .from(records)
    .innerJoin(collections, eq(collections.id, records.collectionId))
    .innerJoin(creator, eq(creator.id, records.createdBy))
    .innerJoin(editor, eq(editor.id, records.updatedBy))
    .leftJoin(deleter, eq(deleter.id, records.deletedBy))
    .where(eq(records.id, sql.placeholder("id")))
    .prepare("records_load");
}

const loadQuery = preparedFor(buildLoadQuery);

/** The record, deleted or not; null when unknown. `id` is a uuid (checked where it entered). */
export async function loadRecord(db: DbOrTx, id: string): Promise<LoadedRecord | null> {
  const [row] = await loadQuery(db).execute({ id });
  if (!row) return null;
  // Flat columns, put together here: cheaper for drizzle to map than nested objects (hot path).
  return {
    id: row.id,
    collectionId: row.collectionId,
    collection: row.collection,
    collectionName: row.collectionName,
    fields: row.fields,
    removedFields: row.removedFields,
    editMode: row.editMode,
    data: row.data,
    version: row.version,
    createdAt: row.createdAt,
    createdBy: { id: row.createdById, name: row.createdByName },
    updatedAt: row.updatedAt,
    updatedBy: { id: row.updatedById, name: row.updatedByName },
    deletedAt: row.deletedAt,
    deletedBy: row.deletedById === null ? null : { id: row.deletedById, name: row.deletedByName ?? "" },
  };
}

/** The record's JSON: its collection's fields only, with values that no longer fit flagged. */
export function toRecordView(record: LoadedRecord): RecordView {
  return presentRecord(record.fields, {
    id: record.id,
    collection: record.collection,
    version: record.version,
    data: record.data,
    createdAt: isoString(record.createdAt),
    createdBy: record.createdBy,
    updatedAt: isoString(record.updatedAt),
    updatedBy: record.updatedBy,
  });
}

/** A deleted record's "who and when" as its not_found answers show it; null when it is not deleted. */
export function deletedInfo(record: LoadedRecord): DeletedInfo | null {
  if (!record.deletedAt) return null;
  return {
    at: isoString(record.deletedAt),
    by: record.deletedBy ?? record.updatedBy,
    version: record.version,
    data: record.data,
  };
}

const revisionColumns = {
  version: revisions.version,
  action: revisions.action,
  user: { id: revisions.userId, name: users.name },
  at: revisions.at,
  changes: revisions.changes,
  batchId: revisions.batchId,
  revertedFrom: revisions.revertedFrom,
};

type RevisionRow = Omit<RevisionView, "at"> & { at: Date };

function toRevisionView(row: RevisionRow): RevisionView {
  return { ...row, at: isoString(row.at) };
}

function revisionsOf(db: DbOrTx) {
  return db.select(revisionColumns).from(revisions).innerJoin(users, eq(users.id, revisions.userId));
}

/** The revisions after `version`, oldest first: what happened since a client last looked. */
export async function revisionsSince(db: DbOrTx, recordId: string, version: number): Promise<RevisionView[]> {
  const rows = await revisionsOf(db)
    .where(and(eq(revisions.recordId, recordId), gt(revisions.version, version)))
    .orderBy(asc(revisions.version));
  return rows.map(toRevisionView);
}

/** A page of history, newest first; `before` is the oldest version already shown. */
export async function listRevisions(
  db: DbOrTx,
  recordId: string,
  page: { limit: number; before?: number | undefined },
): Promise<RevisionView[]> {
  const rows = await revisionsOf(db)
    .where(and(eq(revisions.recordId, recordId), lt(revisions.version, page.before ?? PG_INT_MAX)))
    .orderBy(desc(revisions.version))
    .limit(page.limit);
  return rows.map(toRevisionView);
}

/** One revision with the record's complete data at that version (its snapshot). */
export async function getRevision(
  db: DbOrTx,
  recordId: string,
  version: number,
): Promise<(RevisionView & { data: RecordData }) | null> {
  const [row] = await db
    .select({ ...revisionColumns, data: revisions.snapshot })
    .from(revisions)
    .innerJoin(users, eq(users.id, revisions.userId))
    .where(and(eq(revisions.recordId, recordId), eq(revisions.version, version)));
  return row ? { ...toRevisionView(row), data: row.data } : null;
}

/** The revision a save id wrote, if any: a repeated save returns this instead of a false conflict. */
export type SavedRevision = Pick<typeof revisions.$inferSelect, "recordId" | "version" | "action" | "snapshot" | "at">;

export async function findSavedRevision(db: DbOrTx, userId: string, saveId: string): Promise<SavedRevision | null> {
  const [row] = await db
    .select({
      recordId: revisions.recordId,
      version: revisions.version,
      action: revisions.action,
      snapshot: revisions.snapshot,
      at: revisions.at,
    })
    .from(revisions)
    .where(and(eq(revisions.userId, userId), eq(revisions.saveId, saveId)));
  return row ?? null;
}
