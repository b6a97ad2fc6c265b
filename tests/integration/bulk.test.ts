import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getBatchRoute } from "@/app/api/batches/[batchId]/route";
import { POST as undoRoute } from "@/app/api/batches/[batchId]/undo/route";
import { POST as bulkRoute } from "@/app/api/collections/[slug]/bulk/route";
import { type Database, openPostgres, queryRows } from "@/db/client";
import type { FieldDefinition } from "@/lib/fields";
import { acquireLease } from "@/lib/leases/acquire-lease";
import type { RecordView } from "@/lib/records/record-view";
import { saveRecord } from "@/lib/records/save-record";
import { reserveSeats } from "@/lib/reservations/reserve-seats";
import { callRoute, expectError } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { createCollection, createTestRecord, type TestDatabase, type TestUser } from "../support/test-database";

const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", required: true },
  { key: "status", label: "Status", type: "select", options: ["Open", "Pending", "Closed"] },
  { key: "priority", label: "Priority", type: "integer", min: 1, max: 5 },
];

const setup = setUpTestDatabase({
  collections: { tickets: { fields: FIELDS, name: "Tickets" } },
  users: {
    editor: { name: "Edith" },
    other: { name: "Otto" },
    viewer: { role: "viewer", name: "Vera" },
    admin: { role: "admin", name: "Ada" },
  },
});
let database: TestDatabase;
/** A second app instance on the same database: the colleague's writes come through it. */
let otherInstance: Database;
let slug: string;
let editor: TestUser;
let other: TestUser;
let viewer: TestUser;
let admin: TestUser;

beforeAll(async () => {
  ({ database } = setup);
  otherInstance = await openPostgres(database.url, { max: 4 });
  slug = setup.collections.tickets.slug;
  ({ editor, other, viewer, admin } = setup.users);
});

afterAll(async () => {
  await otherInstance?.close();
});

async function createRecords(count: number, collection = slug): Promise<RecordView[]> {
  const records: RecordView[] = [];
  for (let start = 0; start < count; start += 25) {
    const size = Math.min(25, count - start);
    records.push(
      ...(await Promise.all(
        Array.from({ length: size }, (_, i) =>
          createTestRecord(
            database.db,
            editor,
            { slug: collection },
            { title: `T${start + i}`, status: "Open", priority: 1 },
          ),
        ),
      )),
    );
  }
  return records;
}

/** The colleague's save through the other instance, from the version the record is at. */
async function saveAsOther(record: { id: string; version: number }, values: Record<string, unknown>) {
  const result = await saveRecord(otherInstance.db, other, {
    recordId: record.id,
    baseVersion: record.version,
    values,
    patch: true,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.record;
}

const bulk = (body: unknown, init: { token?: string; headers?: Record<string, string>; slug?: string } = {}) =>
  callRoute(bulkRoute, {
    method: "POST",
    path: `/api/collections/${init.slug ?? slug}/bulk`,
    params: { slug: init.slug ?? slug },
    token: init.token ?? editor.token,
    json: body,
    ...(init.headers ? { headers: init.headers } : {}),
  });

const undo = (batchId: string, token = editor.token) =>
  callRoute(undoRoute, { method: "POST", path: `/api/batches/${batchId}/undo`, params: { batchId }, token });

type StoredRow = { id: string; version: number; data: Record<string, unknown> };

async function storedRows(ids: string[]): Promise<Map<string, StoredRow>> {
  const rows = await queryRows<StoredRow>(
    database.db,
    sql`select id, version, data from records where id = any(${`{${ids.join(",")}}`}::uuid[])`,
  );
  return new Map(rows.map((r) => [r.id, r]));
}

async function batchRevisions(batchId: string): Promise<{ record_id: string; version: number; action: string }[]> {
  return queryRows(
    database.db,
    sql`select record_id, version, action from revisions where batch_id = ${batchId} order by record_id`,
  );
}

describe("POST /api/collections/:slug/bulk", () => {
  it("600 records bulk-updated while a colleague changed 30 of them: 570 updated, 15 merged, 15 conflicts, then undo", async () => {
    const records = await createRecords(600);
    // The versions the person read (all 1), before the colleague's changes land.
    const items = records.map((r) => ({ id: r.id, version: r.version, data: { status: "Closed" } }));
    const sameField = records.slice(0, 15);
    const otherField = records.slice(15, 30);
    await Promise.all([
      ...sameField.map((r) => saveAsOther(r, { status: "Pending" })),
      ...otherField.map((r) => saveAsOther(r, { title: `${r.data.title} (renamed)` })),
    ]);

    const response = await bulk({ op: "update", items });
    expect(response.status).toBe(200);
    const { batchId, summary, results } = response.body;
    expect(summary).toMatchObject({ updated: 570, merged: 15, conflict: 15, unchanged: 0, locked: 0, not_found: 0 });
    expect(results.map((r: { id: string }) => r.id)).toEqual(records.map((r) => r.id));
    for (const [i, result] of results.entries()) {
      if (i < 15) {
        expect(result).toEqual({
          id: records[i]?.id,
          status: "conflict",
          version: 2,
          conflicts: [{ field: "status", by: { id: other.id, name: "Otto" }, at: expect.any(String) }],
        });
      } else if (i < 30) expect(result).toEqual({ id: records[i]?.id, status: "merged", version: 3 });
      else expect(result).toEqual({ id: records[i]?.id, status: "updated", version: 2 });
    }

    // Every written record has exactly one new revision carrying the batch id; the conflicts none.
    const revisions = await batchRevisions(batchId);
    expect(revisions).toHaveLength(585);
    expect(new Set(revisions.map((r) => r.record_id)).size).toBe(585);
    const byRecord = new Map(revisions.map((r) => [r.record_id, r]));
    for (const r of sameField) expect(byRecord.has(r.id)).toBe(false);
    for (const r of otherField) expect(byRecord.get(r.id)?.action).toBe("merge");
    expect(byRecord.get(records[100]?.id ?? "")?.action).toBe("update");
    const stored = await storedRows(records.map((r) => r.id));
    for (const r of sameField) expect(stored.get(r.id)).toMatchObject({ version: 2, data: { status: "Pending" } });
    for (const r of otherField) {
      expect(stored.get(r.id)).toMatchObject({
        version: 3,
        data: { status: "Closed", title: `${r.data.title} (renamed)` },
      });
    }

    // Meanwhile the colleague sets 5 of the batch's records to another status: undo must leave them.
    const laterChanged = records.slice(30, 35);
    await Promise.all(laterChanged.map((r) => saveAsOther({ id: r.id, version: 2 }, { status: "Pending" })));

    const undone = await undo(batchId);
    expect(undone.status).toBe(200);
    // The 15 merged records are still at the version the batch made: a plain revert, like the rest.
    expect(undone.body.summary).toMatchObject({ updated: 580, merged: 0, conflict: 5 });
    for (const [i, result] of undone.body.results.entries()) {
      if (i >= 15 && i < 20) {
        expect(result).toEqual({
          id: records[i + 15]?.id,
          status: "conflict",
          version: 3,
          conflicts: [{ field: "status", by: { id: other.id, name: "Otto" }, at: expect.any(String) }],
        });
      }
    }
    expect(undone.body.results).toHaveLength(585);
    const afterUndo = await storedRows(records.map((r) => r.id));
    for (const r of records.slice(35))
      expect(afterUndo.get(r.id)).toMatchObject({ version: 3, data: { status: "Open" } });
    for (const r of otherField) {
      // Reverted only on the batch's field: the colleague's title stays.
      expect(afterUndo.get(r.id)).toMatchObject({
        version: 4,
        data: { status: "Open", title: `${r.data.title} (renamed)` },
      });
    }
    for (const r of laterChanged)
      expect(afterUndo.get(r.id)).toMatchObject({ version: 3, data: { status: "Pending" } });
    for (const r of sameField) expect(afterUndo.get(r.id)).toMatchObject({ version: 2, data: { status: "Pending" } });
    const undoRevisions = await batchRevisions(undone.body.batchId);
    expect(undoRevisions).toHaveLength(580);
    expect(new Set(undoRevisions.map((r) => r.action))).toEqual(new Set(["revert"]));

    const fetched = await callRoute(getBatchRoute, {
      path: `/api/batches/${batchId}`,
      params: { batchId },
      token: viewer.token,
    });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({
      id: batchId,
      kind: "bulk",
      user: { id: editor.id, name: "Edith" },
      at: expect.any(String),
      summary: { updated: 570, merged: 15, conflict: 15 },
    });
    expect(fetched.body.results).toEqual(results);
  });

  it("a colleague writing at the same time as the batch never loses a write", async () => {
    const records = await createRecords(200);
    const items = records.map((r) => ({ id: r.id, version: r.version, data: { status: "Closed" } }));
    const colleague = records.slice(0, 40).map(async (r, i) => {
      const result = await saveRecord(otherInstance.db, other, {
        recordId: r.id,
        baseVersion: 1,
        values: i % 2 === 0 ? { status: "Pending" } : { priority: 3 },
        patch: true,
      });
      return result.ok;
    });
    const [response, ...accepted] = await Promise.all([bulk({ op: "update", items }), ...colleague]);
    expect(response?.status).toBe(200);
    const stored = await storedRows(records.map((r) => r.id));
    for (const [i, result] of (response?.body.results ?? []).entries()) {
      const row = stored.get(records[i]?.id ?? "");
      if (i < 40 && accepted[i]) {
        // The colleague's write landed first: the batch merged (other field) or reported a conflict.
        expect(result.status).toBe(i % 2 === 0 ? "conflict" : "merged");
        expect(row?.data.status).toBe(i % 2 === 0 ? "Pending" : "Closed");
        if (i % 2 === 1) expect(row?.data.priority).toBe(3);
      } else {
        expect(result.status).toBe("updated");
        expect(row?.data.status).toBe("Closed");
      }
      expect(row?.version).toBe(result.version);
    }
  });

  it("in a lease collection, a record someone else holds is locked with the holder; free ones are written", async () => {
    const leased = await createCollection(database.db, { fields: FIELDS, editMode: "lease" });
    const records = await createRecords(3, leased.slug);
    const [held, free, mine] = records as [RecordView, RecordView, RecordView];
    const lease = await acquireLease(otherInstance.db, other, { recordId: held.id });
    expect(lease.ok).toBe(true);
    expect((await acquireLease(database.db, editor, { recordId: mine.id })).ok).toBe(true);
    const response = await bulk(
      { op: "update", items: records.map((r) => ({ id: r.id, version: 1, data: { priority: 4 } })) },
      { slug: leased.slug },
    );
    expect(response.status).toBe(200);
    expect(response.body.results).toEqual([
      { id: held.id, status: "locked", version: 1, holder: { id: other.id, name: "Otto" } },
      { id: free.id, status: "updated", version: 2 },
      { id: mine.id, status: "updated", version: 2 },
    ]);
    const stored = await storedRows([held.id]);
    expect(stored.get(held.id)).toMatchObject({ version: 1, data: { priority: 1 } });
  });

  it("an Idempotency-Key repeat returns the same batch and writes nothing more", async () => {
    const records = await createRecords(5);
    const body = { op: "update", items: records.map((r) => ({ id: r.id, version: 1, data: { priority: 2 } })) };
    const key = randomUUID();
    const [first, second] = await Promise.all([
      bulk(body, { headers: { "Idempotency-Key": key } }),
      bulk(body, { headers: { "Idempotency-Key": key } }),
    ]);
    const third = await bulk(body, { headers: { "Idempotency-Key": key } });
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(third.body).toEqual(first.body);
    expect(first.body.summary.updated).toBe(5);
    const batches = await queryRows(database.db, sql`select id from batches where id = ${first.body.batchId}`);
    expect(batches).toHaveLength(1);
    expect(await batchRevisions(first.body.batchId)).toHaveLength(5);
    const stored = await storedRows(records.map((r) => r.id));
    for (const r of records) expect(stored.get(r.id)?.version).toBe(2);
  });

  it("an Idempotency-Key reused with another body is refused 422 idempotency_mismatch and writes nothing", async () => {
    const records = await createRecords(3);
    const key = randomUUID();
    const body = { op: "update", items: records.map((r) => ({ id: r.id, version: 1, data: { priority: 3 } })) };
    const first = await bulk(body, { headers: { "Idempotency-Key": key } });
    expect(first.status).toBe(200);
    const changed = { op: "update", items: records.map((r) => ({ id: r.id, version: 1, data: { priority: 5 } })) };
    expectError(await bulk(changed, { headers: { "Idempotency-Key": key } }), 422, "idempotency_mismatch");
    const otherOp = { op: "delete", items: records.map((r) => ({ id: r.id, version: 2 })) };
    expectError(await bulk(otherOp, { headers: { "Idempotency-Key": key } }), 422, "idempotency_mismatch");
    // The same body again is still the first answer; another person's same key is their own.
    expect((await bulk(body, { headers: { "Idempotency-Key": key } })).body).toEqual(first.body);
    const theirs = await bulk(changed, { headers: { "Idempotency-Key": key }, token: other.token });
    expect(theirs.status).toBe(200);
    expect(theirs.body.batchId).not.toBe(first.body.batchId);
    const stored = await storedRows(records.map((r) => r.id));
    for (const r of records) expect(stored.get(r.id)?.data.priority).toBe(3);
    // Two different bodies with one key at once: one is applied, the other refused.
    const racing = await createRecords(2);
    const raceKey = randomUUID();
    const answers = await Promise.all(
      [1, 4].map((priority) =>
        bulk(
          { op: "update", items: racing.map((r) => ({ id: r.id, version: 1, data: { priority } })) },
          { headers: { "Idempotency-Key": raceKey } },
        ),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 422]);
    const [batchCount] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from batches where request_key like ${`%:${raceKey}`}`,
    );
    expect(batchCount?.n).toBe(1);
  });

  it("reports unchanged, not_found, invalid and deleted per item, in order", async () => {
    const [a, b, c, d] = await createRecords(4);
    if (!a || !b || !c || !d) throw new Error("records");
    await saveAsOther(d, { title: "gone soon" });
    const response = await bulk({
      op: "update",
      items: [
        { id: a.id, version: 1, data: { status: "Open" } },
        { id: randomUUID(), version: 1, data: { status: "Open" } },
        { id: b.id, version: 1, data: { priority: 9, colour: "red" } },
        { id: "not-a-uuid", version: 1, data: { status: "Closed" } },
      ],
    });
    expect(response.body.results).toEqual([
      { id: a.id, status: "unchanged", version: 1 },
      { id: expect.any(String), status: "not_found" },
      { id: b.id, status: "invalid", version: 1, fields: { priority: "Must be at most 5", colour: "Unknown field" } },
      { id: "not-a-uuid", status: "not_found" },
    ]);
    const deleted = await bulk({
      op: "delete",
      items: [
        { id: c.id, version: 1 },
        { id: d.id, version: 1 },
      ],
    });
    expect(deleted.body.results).toEqual([
      { id: c.id, status: "deleted", version: 2 },
      {
        id: d.id,
        status: "conflict",
        version: 2,
        conflicts: [{ field: "title", by: { id: other.id, name: "Otto" }, at: expect.any(String) }],
      },
    ]);
    expect(deleted.body.summary).toMatchObject({ deleted: 1, conflict: 1 });
    // Deleted meanwhile: not_found.
    const late = await bulk({ op: "update", items: [{ id: c.id, version: 1, data: { priority: 2 } }] });
    expect(late.body.results).toEqual([{ id: c.id, status: "not_found" }]);
    // Undo of the delete brings the record back.
    const undone = await undo(deleted.body.batchId);
    expect(undone.body.results).toEqual([{ id: c.id, status: "updated", version: 3 }]);
    const stored = await storedRows([c.id]);
    expect(stored.get(c.id)?.version).toBe(3);
    const [row] = await queryRows<{ deleted: boolean }>(
      database.db,
      sql`select deleted_at is not null as deleted from records where id = ${c.id}`,
    );
    expect(row?.deleted).toBe(false);
  });

  it("refuses malformed requests as a whole and checks roles", async () => {
    const [a] = await createRecords(1);
    if (!a) throw new Error("record");
    const malformed = await callRoute(bulkRoute, {
      method: "POST",
      path: `/api/collections/${slug}/bulk`,
      params: { slug },
      token: editor.token,
      body: "{nope",
    });
    expectError(malformed, 400, "malformed_json");
    expectError(await bulk({ op: "update", items: [] }), 422, "invalid");
    expectError(await bulk({ op: "merge", items: [{ id: a.id, version: 1 }] }), 422, "invalid");
    const duplicate = await bulk({
      op: "delete",
      items: [
        { id: a.id, version: 1 },
        { id: a.id, version: 1 },
      ],
    });
    expectError(duplicate, 422, "invalid");
    expect(duplicate.body.fields).toHaveProperty("items.1.id");
    const tooMany = await bulk({
      op: "delete",
      items: Array.from({ length: 5001 }, () => ({ id: randomUUID(), version: 1 })),
    });
    expectError(tooMany, 422, "invalid");
    expectError(
      await bulk({ op: "delete", items: [{ id: a.id, version: 1 }] }, { token: viewer.token }),
      403,
      "forbidden",
    );
    expectError(await bulk({ op: "delete", items: [{ id: a.id, version: 1 }] }, { slug: "nope" }), 404, "not_found");

    const made = await bulk({ op: "update", items: [{ id: a.id, version: 1, data: { priority: 3 } }] });
    expectError(await undo(made.body.batchId, other.token), 403, "forbidden");
    expectError(await undo(randomUUID()), 404, "not_found");
    expectError(await undo("nope"), 404, "not_found");
    const byAdmin = await undo(made.body.batchId, admin.token);
    expect(byAdmin.body.summary.updated).toBe(1);
    // A second undo answers with the first one.
    expect((await undo(made.body.batchId)).body).toEqual(byAdmin.body);
  });

  it("a capacity below the seats already reserved is that record's invalid; the others are written and mirrored", async () => {
    const events = await createCollection(database.db, {
      fields: [
        { key: "name", label: "Name", type: "text", required: true },
        { key: "capacity", label: "Capacity", type: "integer", min: 0 },
      ],
    });
    await queryRows(database.db, sql`update collections set capacity_field = 'capacity' where id = ${events.id}`);
    const full = await createTestRecord(database.db, editor, events, { name: "Full", capacity: 10 });
    const empty = await createTestRecord(database.db, editor, events, { name: "Empty", capacity: 10 });
    expect((await reserveSeats(database.db, other, { recordId: full.id, seats: 6 })).ok).toBe(true);
    const response = await bulk(
      { op: "update", items: [full, empty].map((r) => ({ id: r.id, version: 1, data: { capacity: 4 } })) },
      { slug: events.slug },
    );
    expect(response.status).toBe(200);
    expect(response.body.results).toEqual([
      { id: full.id, status: "invalid", version: 1, fields: { capacity: expect.stringContaining("6 seats") } },
      { id: empty.id, status: "updated", version: 2 },
    ]);
    const counters = await queryRows<{ record_id: string; capacity: number }>(
      database.db,
      sql`select record_id, capacity from record_capacity where record_id in (${full.id}, ${empty.id})`,
    );
    expect(new Map(counters.map((c) => [c.record_id, c.capacity]))).toEqual(
      new Map([
        [full.id, 10],
        [empty.id, 4],
      ]),
    );
  });

  it("undo of a batch that created records deletes them, unless someone changed them since", async () => {
    const { applyBatch } = await import("@/lib/batches/apply-batch");
    const { findBatchCollection } = await import("@/lib/batches/batches");
    const collection = await findBatchCollection(database.db, slug);
    if (!collection) throw new Error("collection");
    const made = await applyBatch(database.db, editor, {
      collection,
      kind: "import",
      items: [
        { op: "create", values: { title: "Imported 1", status: "Open" } },
        { op: "create", values: { title: "Imported 2", status: "Open" } },
      ],
    });
    expect(made.summary.created).toBe(2);
    const [first, second] = made.results;
    if (!first?.id || !second?.id) throw new Error("created ids");
    await saveAsOther({ id: second.id, version: 1 }, { priority: 5 });
    const undone = await undo(made.batchId ?? "");
    expect(undone.body.results).toEqual([
      { id: first.id, status: "deleted", version: 2 },
      {
        id: second.id,
        status: "conflict",
        version: 2,
        conflicts: [{ field: "priority", by: { id: other.id, name: "Otto" }, at: expect.any(String) }],
      },
    ]);
    const rows = await queryRows<{ id: string; deleted: boolean }>(
      database.db,
      sql`select id, deleted_at is not null as deleted from records where id in (${first.id}, ${second.id})`,
    );
    expect(new Map(rows.map((r) => [r.id, r.deleted]))).toEqual(
      new Map([
        [first.id, true],
        [second.id, false],
      ]),
    );
  });

  it("two batches over the same records in opposite orders, at once: both finish, each record gets both fields", async () => {
    const { applyBatch } = await import("@/lib/batches/apply-batch");
    const { findBatchCollection } = await import("@/lib/batches/batches");
    const collection = await findBatchCollection(database.db, slug);
    if (!collection) throw new Error("collection");
    const records = await createRecords(1200);
    const reversed = [...records].reverse();
    const [mine, theirs] = await Promise.all([
      bulk({ op: "update", items: records.map((r) => ({ id: r.id, version: 1, data: { status: "Closed" } })) }),
      applyBatch(otherInstance.db, other, {
        collection,
        kind: "bulk",
        items: reversed.map((r) => ({ op: "update" as const, id: r.id, version: 1, set: { priority: 3 } })),
      }),
    ]);
    expect(mine.status).toBe(200);
    expect(mine.body.summary.updated + mine.body.summary.merged).toBe(1200);
    expect(theirs.summary.updated + theirs.summary.merged).toBe(1200);
    const stored = await storedRows(records.map((r) => r.id));
    for (const r of records)
      expect(stored.get(r.id)).toMatchObject({ version: 3, data: { status: "Closed", priority: 3 } });
  });
});
