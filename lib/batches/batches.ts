import "server-only";
import { asc, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db, DbOrTx } from "@/db/client";
import { type BatchKind, batches, collections, records, revisions, users } from "@/db/schema";
import { type Actor, hasRole } from "@/lib/auth/actor";
import type { UserRef } from "@/lib/records/record-view";
import { err, type Result } from "@/lib/result";
import {
  applyBatch,
  type BatchCollection,
  type BatchItem,
  type BatchItemResult,
  type BatchOutcome,
  type BatchSummary,
  IdempotencyMismatch,
  requestHash,
} from "./apply-batch";

export const MAX_BULK_ITEMS = 5_000;

export type CollectionForBatch = BatchCollection & { slug: string; name: string };

export async function findBatchCollection(db: DbOrTx, slug: string): Promise<CollectionForBatch | null> {
  const [row] = await db
    .select({
      id: collections.id,
      slug: collections.slug,
      name: collections.name,
      fields: collections.fields,
      capacityField: collections.capacityField,
    })
    .from(collections)
    .where(eq(collections.slug, slug));
  return row ?? null;
}

export type BulkRequest =
  | { op: "update"; items: { id: string; version: number; data: Record<string, unknown> }[] }
  | { op: "delete"; items: { id: string; version: number }[] };

export type BatchError =
  | { code: "not_found"; message?: string }
  | { code: "forbidden"; message: string }
  | { code: "idempotency_mismatch" };

/** `POST /api/collections/:slug/bulk`: each item a version-checked write, one result per item. */
export async function bulkEdit(
  db: Db,
  actor: Actor,
  input: { slug: string; request: BulkRequest; requestKey?: string | null },
): Promise<Result<BatchOutcome, BatchError>> {
  const collection = await findBatchCollection(db, input.slug);
  if (!collection) return err({ code: "not_found", message: "No such collection." });
  const items: BatchItem[] =
    input.request.op === "update"
      ? input.request.items.map((i) => ({ op: "update", id: i.id, version: i.version, set: i.data }))
      : input.request.items.map((i) => ({ op: "delete", id: i.id, version: i.version }));
  try {
    const outcome = await applyBatch(db, actor, {
      collection,
      kind: "bulk",
      items,
      requestKey: input.requestKey ?? null,
      requestHash: input.requestKey ? requestHash(JSON.stringify(input.request)) : null,
    });
    return { ok: true, ...outcome };
  } catch (error) {
    if (error instanceof IdempotencyMismatch) return err({ code: "idempotency_mismatch" });
    throw error;
  }
}

export type BatchView = {
  id: string;
  kind: BatchKind;
  collection: string;
  user: UserRef;
  at: string;
  summary: BatchSummary;
  results: BatchItemResult[];
  undoneBy: string | null;
};

export async function getBatch(db: DbOrTx, id: string): Promise<BatchView | null> {
  const undo = alias(batches, "undo");
  const firstUndo = db
    .select({ id: undo.id })
    .from(undo)
    .where(eq(undo.undoes, batches.id))
    .orderBy(asc(undo.at))
    .limit(1);
  const [row] = await db
    .select({
      id: batches.id,
      kind: batches.kind,
      collection: collections.slug,
      user: { id: users.id, name: users.name },
      at: batches.at,
      summary: batches.summary,
      results: batches.results,
      undoneBy: sql<string | null>`(${firstUndo})`,
    })
    .from(batches)
    .innerJoin(users, eq(users.id, batches.userId))
    .innerJoin(collections, eq(collections.id, batches.collectionId))
    .where(eq(batches.id, id));
  return row ? { ...row, at: row.at.toISOString() } : null;
}

/**
 * Undo: every record the batch wrote goes back to its value before the batch, through the same
 * engine and so with the same checks. The fields an undo item "sets" are those the batch changed,
 * from the version the batch made: a record someone changed since on other fields is merged, on
 * the same fields it is a conflict and left alone. An undone batch answers with its first undo.
 */
export async function undoBatch(
  db: Db,
  actor: Actor,
  input: { batchId: string; requestKey?: string | null },
): Promise<Result<BatchOutcome, BatchError>> {
  const batch = await getBatch(db, input.batchId);
  if (!batch) return err({ code: "not_found", message: "No such batch." });
  if (batch.user.id !== actor.id && !hasRole(actor, "admin")) {
    return err({ code: "forbidden", message: "Only the person who made a batch, or an admin, can undo it." });
  }
  if (batch.undoneBy) {
    const first = await getBatch(db, batch.undoneBy);
    if (first) return { ok: true, batchId: first.id, summary: first.summary, results: first.results };
  }
  const collection = await findBatchCollection(db, batch.collection);
  if (!collection) return err({ code: "not_found", message: "No such batch." });
  const written = await db
    .select({
      recordId: revisions.recordId,
      version: revisions.version,
      action: revisions.action,
      changes: revisions.changes,
      deletedAt: records.deletedAt,
    })
    .from(revisions)
    .innerJoin(records, eq(records.id, revisions.recordId))
    .where(eq(revisions.batchId, batch.id));
  const byRecord = new Map(written.map((w) => [w.recordId, { ...w, deleted: w.deletedAt !== null }]));
  const items: BatchItem[] = [];
  // In the batch's own order: the results list each record it wrote.
  for (const result of batch.results) {
    const revision = result.id ? byRecord.get(result.id) : undefined;
    if (!revision) continue;
    const revertedFrom = revision.version - 1;
    if (revision.action === "create") {
      items.push({ op: "delete", id: revision.recordId, version: revision.version });
    } else if (revision.action === "delete" || (revision.action === "revert" && revision.deleted)) {
      items.push({ op: "undelete", id: revision.recordId, version: revision.version, revertedFrom });
    } else if (Object.keys(revision.changes).length === 0 && !revision.deleted) {
      // An undo that brought a deleted record back: undoing it deletes the record again.
      items.push({ op: "delete", id: revision.recordId, version: revision.version, revertedFrom });
    } else {
      const set = Object.fromEntries(Object.entries(revision.changes).map(([key, change]) => [key, change.from]));
      items.push({ op: "update", id: revision.recordId, version: revision.version, set, revertedFrom });
    }
  }
  const outcome = await applyBatch(db, actor, {
    collection,
    kind: "undo",
    items,
    undoes: batch.id,
    requestKey: input.requestKey ?? null,
  });
  return { ok: true, ...outcome };
}
