import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { and, eq, gt, ne, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import {
  type BatchKind,
  batches,
  type FieldChanges,
  leases,
  type RecordData,
  type RevisionAction,
  recordCapacity,
  records,
  users,
} from "@/db/schema";
import { executeRows } from "@/db/table-rows";
import type { Actor } from "@/lib/auth/actor";
import { errorCode, findCause, isConstraintViolation } from "@/lib/database-errors";
import { type FieldDefinition, type FieldValue, searchTextOf, validateRecord } from "@/lib/fields";
import { isUuid } from "@/lib/ids";
import { notifyBatchWrites } from "@/lib/notifications";
import type { UserRef } from "@/lib/records/record-view";
import { capacityBelowTakenMessage, capacityOf } from "@/lib/reservations/seats";

/**
 * The one engine behind bulk edits, imports and undo (DESIGN.md guarantee 10). Every item names
 * the version it starts from; each record's write is a compare-and-set on the version the engine
 * just read, and the statement itself decides whether a record that moved since the item's
 * version may be merged: only when no revision after that version touched a field the item sets
 * (`changes ?| keys`, checked in the same UPDATE's WHERE). JavaScript proposes the new values;
 * PostgreSQL decides. Items run in chunks (one statement per chunk and kind of write), all in one
 * transaction, so a batch of 5,000 is a few dozen round trips, not 5,000. Each chunk's records
 * are read FOR UPDATE in id order, so concurrent batches queue instead of deadlocking and a
 * single save racing the batch waits for it (and then meets the new version).
 */

export const BATCH_STATUSES = [
  "updated",
  "merged",
  "unchanged",
  "conflict",
  "locked",
  "not_found",
  "invalid",
  "deleted",
  "created",
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export type BatchConflict = { field: string; by: UserRef; at: string };

export type BatchItemResult = {
  line?: number;
  id?: string;
  status: BatchStatus;
  version?: number;
  fields?: Record<string, string>;
  conflicts?: BatchConflict[];
  holder?: UserRef;
};

export type BatchItem =
  /** Sets the keys of `set` (a merge patch: null clears) on the record, from `version`. */
  | { op: "update"; id: string; version: number; set: Record<string, unknown>; revertedFrom?: number }
  | { op: "delete"; id: string; version: number; revertedFrom?: number }
  /** Undo of a delete: brings the record back if it is still at the version the delete made. */
  | { op: "undelete"; id: string; version: number; revertedFrom?: number }
  | { op: "create"; values: Record<string, unknown> }
  /** An item already refused before the engine (an import row with an id and no version). */
  | { op: "refuse"; id?: string; status: "invalid" | "not_found"; fields?: Record<string, string> };

export type BatchCollection = {
  id: string;
  fields: FieldDefinition[];
  capacityField: string | null;
};

export type ApplyBatchInput = {
  collection: BatchCollection;
  kind: BatchKind;
  items: BatchItem[];
  /** `Idempotency-Key`: a repeat returns the batch it made. */
  requestKey?: string | null;
  /**
   * A digest of the request's body (requestHash()): a repeat of the key with another body throws
   * IdempotencyMismatch instead of answering with the other request's batch.
   */
  requestHash?: string | null;
  /** For kind `undo`: the batch it undoes. */
  undoes?: string | null;
  /** Run everything, then roll back: the answer predicts exactly what the real run does. */
  dryRun?: boolean;
  /** For an import: the file line of each item, put first in its result. */
  lines?: readonly number[];
};

export type BatchSummary = Record<BatchStatus, number>;
export type BatchOutcome = { batchId: string | null; summary: BatchSummary; results: BatchItemResult[] };

export const CHUNK_SIZE = 500;
/** A record that moves again between the engine's read and its write is tried again this often. */
const ROUNDS = 4;

export function summarize(results: readonly BatchItemResult[]): BatchSummary {
  const summary = Object.fromEntries(BATCH_STATUSES.map((s) => [s, 0])) as BatchSummary;
  for (const result of results) summary[result.status] += 1;
  return summary;
}

class DryRunRollback extends Error {}

/** The `Idempotency-Key` was already used for a request with another body (422 `idempotency_mismatch`). */
export class IdempotencyMismatch extends Error {
  constructor() {
    super("This Idempotency-Key was used for another request.");
    this.name = "IdempotencyMismatch";
  }
}

/** SHA-256 (hex) of a request's body, as stored with its batch. */
export function requestHash(...parts: (string | Uint8Array)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) {
    hash.update(part);
    hash.update("\0");
  }
  return hash.digest("hex");
}

/**
 * Batches lock their records in id order, but a deadlock with other writers stays possible
 * (PostgreSQL then aborts one transaction: deadlock_detected). Ours rolled back whole, so it
 * simply runs again, reading the records afresh.
 */
const ATTEMPTS = 5;

function isDeadlock(error: unknown): boolean {
  return findCause(error, (e) => errorCode(e) === "40P01") !== undefined;
}

/** Applies a batch and records it in `batches` (unless a dry run). */
export async function applyBatch(db: Db, actor: Actor, input: ApplyBatchInput): Promise<BatchOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyBatchOnce(db, actor, input);
    } catch (error) {
      if (attempt >= ATTEMPTS || !isDeadlock(error)) throw error;
    }
  }
}

async function applyBatchOnce(db: Db, actor: Actor, input: ApplyBatchInput): Promise<BatchOutcome> {
  if (input.requestKey) {
    const existing = await findBatchByKey(db, actor.id, input.requestKey, input.requestHash);
    if (existing) return existing;
  }
  const batchId = randomUUID();
  const done: { outcome: BatchOutcome | null } = { outcome: null };
  try {
    await db.transaction(async (tx) => {
      let results: BatchItemResult[] = new Array(input.items.length);
      const context: Context = { tx, actor, collection: input.collection, batchId, action: actionOf(input.kind) };
      // Records are taken in id order (chunks, and row locks within each): two batches over the
      // same records then wait for each other instead of deadlocking. Results keep item order.
      const ordered = input.items
        .map((item, index) => ({ item, index, key: "id" in item ? (item.id ?? "") : "" }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index));
      for (let start = 0; start < ordered.length; start += CHUNK_SIZE) {
        await applyChunk(context, ordered.slice(start, start + CHUNK_SIZE), results);
      }
      const lines = input.lines;
      if (lines) results = results.map((result, i) => ({ line: lines[i] ?? 0, ...result }));
      const summary = summarize(results);
      done.outcome = { batchId: input.dryRun ? null : batchId, summary, results };
      if (input.dryRun) throw new DryRunRollback();
      // Whose values the batch replaced: one set-based statement over its revisions.
      await notifyBatchWrites(tx, { batchId, collectionId: input.collection.id, actor, cause: input.kind });
      await tx.insert(batches).values({
        id: batchId,
        collectionId: input.collection.id,
        userId: actor.id,
        kind: input.kind,
        summary,
        results,
        undoes: input.undoes ?? null,
        requestKey: input.requestKey ?? null,
        requestHash: input.requestKey ? (input.requestHash ?? null) : null,
      });
    });
  } catch (error) {
    if (error instanceof DryRunRollback && done.outcome) return done.outcome;
    // The same Idempotency-Key sent twice at once: the first batch won, this one rolled back whole.
    if (input.requestKey && isConstraintViolation(error, "23505", "batches_user_request_key_idx")) {
      const existing = await findBatchByKey(db, actor.id, input.requestKey, input.requestHash);
      if (existing) return existing;
    }
    throw error;
  }
  if (!done.outcome) throw new Error("batch produced no outcome");
  return done.outcome;
}

function actionOf(kind: BatchKind): RevisionAction {
  return kind === "undo" ? "revert" : "update";
}

/**
 * The batch an earlier request with this key made. When both requests carry a body digest and they
 * differ, the key was reused for another request: IdempotencyMismatch.
 */
async function findBatchByKey(
  db: DbOrTx,
  userId: string,
  key: string,
  hash: string | null | undefined,
): Promise<BatchOutcome | null> {
  const [row] = await db
    .select({ id: batches.id, summary: batches.summary, results: batches.results, requestHash: batches.requestHash })
    .from(batches)
    .where(and(eq(batches.userId, userId), eq(batches.requestKey, key)));
  if (!row) return null;
  if (hash && row.requestHash && hash !== row.requestHash) throw new IdempotencyMismatch();
  return { batchId: row.id, summary: row.summary, results: row.results };
}

type Context = {
  tx: DbOrTx;
  actor: Actor;
  collection: BatchCollection;
  batchId: string;
  /** The action of a write made at the version the item names (`merge` otherwise, unless a revert). */
  action: RevisionAction;
};

type Indexed = { item: BatchItem; index: number };

type Current = {
  id: string;
  version: number;
  data: RecordData;
  deleted: boolean;
  here: boolean;
  holder: UserRef | null;
  taken: number | null;
};

async function readCurrent(context: Context, ids: readonly string[]): Promise<Map<string, Current>> {
  const valid = [...new Set(ids.filter(isUuid))];
  if (valid.length === 0) return new Map();
  // Another person's live lease on the record (the actor's own never blocks).
  const otherLease = and(
    eq(leases.recordId, records.id),
    gt(leases.expiresAt, sql`now()`),
    ne(leases.userId, context.actor.id),
  );
  const rows = await context.tx
    .select({
      id: records.id,
      version: records.version,
      data: records.data,
      deletedAt: records.deletedAt,
      collectionId: records.collectionId,
      holder: { id: users.id, name: users.name },
      taken: recordCapacity.taken,
    })
    .from(records)
    .leftJoin(leases, otherLease)
    .leftJoin(users, eq(users.id, leases.userId))
    .leftJoin(recordCapacity, eq(recordCapacity.recordId, records.id))
    // One array parameter, not one per id: a single statement text to prepare, whatever the chunk's size.
    .where(sql`${records.id} = any(${`{${valid.join(",")}}`}::uuid[])`)
    .orderBy(records.id)
    .for("update", { of: records });
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        version: row.version,
        data: row.data,
        deleted: row.deletedAt !== null,
        here: row.collectionId === context.collection.id,
        holder: row.holder,
        taken: row.taken,
      },
    ]),
  );
}

/** The `idx → version` rows a chunk's set-based write returns, checked as they are read. */
function versionsByIndex(rows: Record<string, unknown>[]): Map<number, number> {
  return new Map(rows.map((row) => [Number(row.idx), Number(row.version)]));
}

/** The keys an item sets, validated alone (guarantee 11: untouched values never block it). */
export function validateSet(
  fields: readonly FieldDefinition[],
  set: Record<string, unknown>,
): { ok: true; set: Record<string, FieldValue | null> } | { ok: false; fields: Record<string, string> } {
  const keys = Object.keys(set);
  const valid = validateRecord(
    fields.filter((f) => keys.includes(f.key)),
    set,
  );
  if (!valid.ok) return valid;
  return { ok: true, set: Object.fromEntries(keys.map((k) => [k, valid.values[k] ?? null])) };
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

type UpdateWrite = {
  index: number;
  id: string;
  base: number;
  expected: number;
  keys: string[];
  data: RecordData;
  changes: FieldChanges;
  search: string;
  action: RevisionAction;
  cap: number | null;
  revertedFrom: number | null;
};

type SimpleWrite = { index: number; id: string; expected: number; revertedFrom: number | null };

/** Plans, writes and classifies one chunk; items whose record moved between read and write go round again. */
async function applyChunk(context: Context, chunk: Indexed[], results: BatchItemResult[]): Promise<void> {
  const { collection } = context;
  // Items that cannot write whatever the database holds.
  const creates: { index: number; id: string; data: RecordData; search: string; cap: number | null }[] = [];
  let pending: (Indexed & { set?: Record<string, FieldValue | null>; invalid?: Record<string, string> })[] = [];
  for (const entry of chunk) {
    const { item, index } = entry;
    if (item.op === "refuse") {
      results[index] = {
        ...(item.id ? { id: item.id } : {}),
        status: item.status,
        ...(item.fields ? { fields: item.fields } : {}),
      };
    } else if (item.op === "create") {
      const valid = validateRecord(collection.fields, item.values);
      if (!valid.ok) results[index] = { status: "invalid", fields: valid.fields };
      else {
        creates.push({
          index,
          id: randomUUID(),
          data: valid.values,
          search: searchTextOf(collection.fields, valid.values),
          cap: collection.capacityField ? capacityOf(valid.values, collection.capacityField) : null,
        });
      }
    } else if (item.op === "update") {
      // Reported once the record is read: its result carries the version it is at.
      const valid = validateSet(collection.fields, item.set);
      pending.push(valid.ok ? { ...entry, set: valid.set } : { ...entry, invalid: valid.fields });
    } else {
      pending.push(entry);
    }
  }
  if (creates.length > 0) await insertRecords(context, creates, results);

  for (let round = 0; round < ROUNDS && pending.length > 0; round++) {
    const last = round === ROUNDS - 1;
    const current = await readCurrent(
      context,
      pending.map((p) => ("id" in p.item ? (p.item.id ?? "") : "")),
    );
    const updates: UpdateWrite[] = [];
    const deletes: SimpleWrite[] = [];
    const undeletes: SimpleWrite[] = [];
    for (const entry of pending) {
      const { item, index } = entry;
      if (item.op !== "update" && item.op !== "delete" && item.op !== "undelete") continue;
      const now = current.get(item.id);
      if (!now?.here) {
        results[index] = { id: item.id, status: "not_found" };
        continue;
      }
      if (item.op === "undelete") {
        if (!now.deleted) results[index] = { id: item.id, status: "conflict", version: now.version, conflicts: [] };
        else undeletes.push({ index, id: item.id, expected: item.version, revertedFrom: item.revertedFrom ?? null });
        continue;
      }
      if (now.deleted) {
        results[index] = { id: item.id, status: "not_found" };
        continue;
      }
      if (now.holder) {
        results[index] = { id: item.id, status: "locked", version: now.version, holder: now.holder };
        continue;
      }
      if (entry.invalid) {
        results[index] = { id: item.id, status: "invalid", version: now.version, fields: entry.invalid };
        continue;
      }
      if (item.version > now.version) {
        results[index] = {
          id: item.id,
          status: "invalid",
          version: now.version,
          fields: { version: `The record is at version ${now.version}; version ${item.version} does not exist yet` },
        };
        continue;
      }
      if (item.op === "delete") {
        deletes.push({ index, id: item.id, expected: item.version, revertedFrom: item.revertedFrom ?? null });
        continue;
      }
      const set = entry.set ?? {};
      const next: RecordData = { ...now.data };
      const changes: FieldChanges = {};
      for (const [key, value] of Object.entries(set)) {
        if (sameValue(now.data[key], value)) continue;
        changes[key] = { from: now.data[key] ?? null, to: value };
        if (value === null) delete next[key];
        else next[key] = value;
      }
      if (Object.keys(changes).length === 0) {
        results[index] = { id: item.id, status: "unchanged", version: now.version };
        continue;
      }
      const capacityField = collection.capacityField;
      updates.push({
        index,
        id: item.id,
        base: item.version,
        expected: now.version,
        keys: Object.keys(set),
        data: next,
        changes,
        search: searchTextOf(collection.fields, next),
        action: context.action !== "update" ? context.action : now.version === item.version ? "update" : "merge",
        cap: capacityField && capacityField in changes ? capacityOf(next, capacityField) : null,
        revertedFrom: item.revertedFrom ?? null,
      });
    }
    const written = new Map<number, number>();
    if (updates.length > 0) for (const [i, v] of await updateRecords(context, updates)) written.set(i, v);
    if (deletes.length > 0) for (const [i, v] of await deleteRecords(context, deletes, false)) written.set(i, v);
    if (undeletes.length > 0) for (const [i, v] of await deleteRecords(context, undeletes, true)) written.set(i, v);

    const retry = new Set<number>();
    const failedUpdates = updates.filter((u) => !written.has(u.index));
    const failedDeletes = deletes.filter((d) => !written.has(d.index));
    for (const u of updates) {
      const version = written.get(u.index);
      if (version !== undefined)
        results[u.index] = { id: u.id, status: u.action === "merge" ? "merged" : "updated", version };
    }
    for (const d of [...deletes, ...undeletes]) {
      const version = written.get(d.index);
      if (version !== undefined) {
        const deleted = deletes.includes(d);
        results[d.index] = { id: d.id, status: deleted ? "deleted" : "updated", version };
      }
    }
    for (const u of undeletes.filter((d) => !written.has(d.index))) {
      results[u.index] = { id: u.id, status: "conflict", conflicts: [] };
    }
    if (failedUpdates.length + failedDeletes.length > 0) {
      // Why each write did not apply: read again, and list who changed which field since.
      const after = await readCurrent(
        context,
        [...failedUpdates, ...failedDeletes].map((f) => f.id),
      );
      const clashes = await conflictsSince(context, [
        ...failedUpdates.map((u) => ({ index: u.index, id: u.id, base: u.base, keys: u.keys })),
        ...failedDeletes.map((d) => ({ index: d.index, id: d.id, base: d.expected, keys: null })),
      ]);
      const failed: (SimpleWrite & { cap?: number | null; update?: true })[] = [
        ...failedUpdates.map((u) => ({ ...u, update: true as const })),
        ...failedDeletes,
      ];
      for (const f of failed) {
        const now = after.get(f.id);
        const isUpdate = f.update === true;
        if (!now || now.deleted) results[f.index] = { id: f.id, status: "not_found" };
        else if (now.holder)
          results[f.index] = { id: f.id, status: "locked", version: now.version, holder: now.holder };
        else if (isUpdate && f.cap != null && now.taken !== null && f.cap < now.taken && collection.capacityField) {
          results[f.index] = {
            id: f.id,
            status: "invalid",
            version: now.version,
            fields: { [collection.capacityField]: capacityBelowTakenMessage(now.taken) },
          };
        } else {
          const conflicts = clashes.get(f.index) ?? [];
          if (conflicts.length > 0 || !isUpdate || last) {
            results[f.index] = { id: f.id, status: "conflict", version: now.version, conflicts };
          } else retry.add(f.index); // moved again between our read and our write, on other fields
        }
      }
    }
    pending = pending.filter((p) => retry.has(p.index));
  }
}

/**
 * The compare-and-set of a chunk of updates, one statement: each row is written only while it
 * is still at the version just read (`expected`) and, when that is past the item's own version
 * (`base`), only if no revision since `base` changed a field the item sets. Nobody else may hold
 * a live lease on it. Each written row's revision comes from the UPDATE's own RETURNING.
 */
async function updateRecords(context: Context, writes: UpdateWrite[]): Promise<Map<number, number>> {
  const { actor, collection, batchId } = context;
  const input = JSON.stringify(
    writes.map((w) => ({
      idx: w.index,
      id: w.id,
      base: w.base,
      expected: w.expected,
      keys: w.keys,
      data: w.data,
      changes: w.changes,
      search: w.search,
      action: w.action,
      cap: w.cap,
      reverted_from: w.revertedFrom,
    })),
  );
  const rows = await executeRows(
    context.tx,
    sql`with input as (
          select * from jsonb_to_recordset(${input}::jsonb)
            as i(idx int, id uuid, base int, expected int, keys text[], data jsonb, changes jsonb,
                 search text, action text, cap int, reverted_from int)
        ),
        updated as (
          update records r
             set data = i.data, search_text = i.search, version = r.version + 1,
                 updated_at = now(), updated_by = ${actor.id}
            from input i
           where r.id = i.id and r.collection_id = ${collection.id} and r.version = i.expected
             and r.deleted_at is null and i.base <= i.expected
             and (i.expected = i.base
                  or not exists (select 1 from revisions v
                                  where v.record_id = r.id and v.version > i.base and v.changes ?| i.keys))
             and not coalesce((select l.user_id <> ${actor.id} and l.expires_at > now()
                                 from leases l where l.record_id = r.id for share), false)
             and (i.cap is null or i.cap >= coalesce((select rc.taken from record_capacity rc
                                                       where rc.record_id = r.id for update), 0))
          returning r.id, r.version, r.updated_at, i.idx, i.data, i.changes, i.action, i.cap, i.reverted_from
        ),
        capacity_mirror as (
          insert into record_capacity (record_id, capacity)
          select id, cap from updated where cap is not null
          on conflict (record_id) do update set capacity = excluded.capacity
        ),
        revision as (
          insert into revisions (record_id, version, user_id, at, action, changes, snapshot, batch_id, reverted_from)
          select id, version, ${actor.id}, updated_at, action, changes, data, ${batchId}, reverted_from from updated
        )
        select idx, version from updated`,
  );
  return versionsByIndex(rows);
}

/** Deletes (or, for an undo, brings back) a chunk of records, each at the version named. */
async function deleteRecords(context: Context, writes: SimpleWrite[], undelete: boolean): Promise<Map<number, number>> {
  const { actor, collection, batchId } = context;
  const action = context.action === "revert" ? "revert" : "delete";
  const input = JSON.stringify(
    writes.map((w) => ({ idx: w.index, id: w.id, expected: w.expected, reverted_from: w.revertedFrom })),
  );
  const set = undelete ? sql`deleted_at = null, deleted_by = null` : sql`deleted_at = now(), deleted_by = ${actor.id}`;
  const rows = await executeRows(
    context.tx,
    sql`with input as (
          select * from jsonb_to_recordset(${input}::jsonb) as i(idx int, id uuid, expected int, reverted_from int)
        ),
        written as (
          update records r
             set ${set}, version = r.version + 1, updated_at = now(), updated_by = ${actor.id}
            from input i
           where r.id = i.id and r.collection_id = ${collection.id} and r.version = i.expected
             and r.deleted_at is ${undelete ? sql`not null` : sql`null`}
             and not coalesce((select l.user_id <> ${actor.id} and l.expires_at > now()
                                 from leases l where l.record_id = r.id for share), false)
          returning r.id, r.version, r.updated_at, r.data, i.idx, i.reverted_from
        ),
        released as (
          delete from leases where ${undelete ? sql`false` : sql`record_id in (select id from written)`}
        ),
        revision as (
          insert into revisions (record_id, version, user_id, at, action, changes, snapshot, batch_id, reverted_from)
          select id, version, ${actor.id}, updated_at, ${action}, '{}'::jsonb, data, ${batchId}, reverted_from
            from written
        )
        select idx, version from written`,
  );
  return versionsByIndex(rows);
}

async function insertRecords(
  context: Context,
  creates: { index: number; id: string; data: RecordData; search: string; cap: number | null }[],
  results: BatchItemResult[],
): Promise<void> {
  const { actor, collection, batchId } = context;
  const input = JSON.stringify(
    creates.map((c) => ({
      id: c.id,
      data: c.data,
      search: c.search,
      cap: c.cap,
      changes: Object.fromEntries(Object.entries(c.data).map(([k, v]) => [k, { from: null, to: v }])),
    })),
  );
  await context.tx.execute(
    sql`with input as (
          select * from jsonb_to_recordset(${input}::jsonb) as i(id uuid, data jsonb, search text, cap int, changes jsonb)
        ),
        created as (
          insert into records (id, collection_id, data, version, search_text, created_by, updated_by)
          select id, ${collection.id}, data, 1, search, ${actor.id}, ${actor.id} from input
          returning id, created_at
        ),
        counter as (
          insert into record_capacity (record_id, capacity)
          select i.id, i.cap from input i join created c on c.id = i.id where i.cap is not null
        )
        insert into revisions (record_id, version, user_id, at, action, changes, snapshot, batch_id)
        select c.id, 1, ${actor.id}, c.created_at, 'create', i.changes, i.data, ${batchId}
          from created c join input i on i.id = c.id
        returning record_id`,
  );
  for (const c of creates) results[c.index] = { id: c.id, status: "created", version: 1 };
}

/**
 * For writes the statement refused: per item, the fields it sets that someone changed after its
 * version, each with the last person who changed it and when (all fields when `keys` is null).
 */
async function conflictsSince(
  context: Context,
  items: { index: number; id: string; base: number; keys: string[] | null }[],
): Promise<Map<number, BatchConflict[]>> {
  const input = JSON.stringify(items.map((i) => ({ idx: i.index, id: i.id, base: i.base, keys: i.keys })));
  const rows = await executeRows(
    context.tx,
    sql`select distinct on (i.idx, k.key) i.idx, k.key as field, v.user_id, u.name as user_name, v.at
          from jsonb_to_recordset(${input}::jsonb) as i(idx int, id uuid, base int, keys text[])
          join revisions v on v.record_id = i.id and v.version > i.base
          join users u on u.id = v.user_id
          cross join lateral jsonb_object_keys(v.changes) as k(key)
         where i.keys is null or k.key = any(i.keys)
         order by i.idx, k.key, v.version desc`,
  );
  const map = new Map<number, BatchConflict[]>();
  for (const row of rows) {
    const index = Number(row.idx);
    const list = map.get(index) ?? [];
    list.push({
      field: String(row.field),
      by: { id: String(row.user_id), name: String(row.user_name) },
      // The driver gives a timestamp as a Date (PGlite) or as PostgreSQL's text (postgres.js).
      at: new Date(row.at instanceof Date ? row.at : String(row.at)).toISOString(),
    });
    map.set(index, list);
  }
  return map;
}
