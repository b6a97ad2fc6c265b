import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Tx } from "@/db/client";
import type { FieldDefinition } from "@/lib/fields";
import { createRecord } from "@/lib/records/create-record";
import { deleteRecord } from "@/lib/records/delete-record";
import type { RecordView } from "@/lib/records/record-view";
import { restoreRecord } from "@/lib/records/restore-record";
import { saveRecord } from "@/lib/records/save-record";
import type { SaveResult } from "@/lib/records/write-outcome";
import { whileLocked } from "../support/lock-gate";
import { setUpTestDatabase } from "../support/set-up-test-database";
import {
  createTestRecord,
  createUser,
  storedRevisions,
  type TestDatabase,
  type TestUser,
} from "../support/test-database";

const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", required: true },
  { key: "count", label: "Count", type: "integer" },
  { key: "notes", label: "Notes", type: "longtext" },
];

const SAVES = 50;
const WORKERS = 16;
const INCREMENTS = 15;

let database: TestDatabase;
let slug: string;
let alice: TestUser;
let bob: TestUser;

const setup = setUpTestDatabase({
  // One connection per concurrent client, so every save really runs on its own session.
  max: SAVES,
  collections: { items: { fields: FIELDS } },
  users: { alice: { name: "Alice" }, bob: { name: "Bob" } },
});

beforeAll(() => {
  ({ database } = setup);
  slug = setup.collections.items.slug;
  ({ alice, bob } = setup.users);
});

async function newRecord(values: Record<string, unknown> = { title: "Start", count: 0 }): Promise<RecordView> {
  return createTestRecord(database.db, alice, { slug }, values);
}

async function currentRow(id: string): Promise<{ version: number; data: Record<string, unknown> }> {
  const [row] = await queryRows<{ version: number; data: Record<string, unknown> }>(
    database.db,
    sql`select version, data from records where id = ${id}`,
  );
  if (!row) throw new Error(`no record ${id}`);
  return row;
}

/** Holds the record's row lock until `waiters` saves are blocked on it (see tests/support/lock-gate.ts). */
function whileRowLocked<T>(
  recordId: string,
  waiters: number,
  start: () => Promise<T>,
  whileHeld: (tx: Tx) => Promise<unknown> = async () => {},
): Promise<T> {
  return whileLocked(
    database.url,
    { waiters },
    (tx) => tx.execute(sql`select id from records where id = ${recordId} for update`),
    start,
    whileHeld,
  );
}

function tally(results: SaveResult[]) {
  const ok = results.filter((r) => r.ok);
  const conflicts = results.flatMap((r) => (!r.ok && r.error.code === "conflict" ? [r.error] : []));
  const other = results.filter((r) => !r.ok && r.error.code !== "conflict");
  return { ok, conflicts, other };
}

describe("saveRecord under concurrency", () => {
  it(`accepts exactly one of ${SAVES} concurrent saves based on the same version; the rest conflict`, async () => {
    const record = await newRecord();

    const results = await whileRowLocked(record.id, SAVES, () =>
      Promise.all(
        Array.from({ length: SAVES }, (_, i) =>
          saveRecord(database.db, i % 2 ? alice : bob, {
            recordId: record.id,
            baseVersion: 1,
            values: { title: `Save ${i}`, count: i },
          }),
        ),
      ),
    );

    const { ok, conflicts, other } = tally(results);
    expect(other).toEqual([]);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(SAVES - 1);
    const winner = ok[0]?.record;
    expect(winner?.version).toBe(2);
    for (const conflict of conflicts) {
      expect(conflict.current.version).toBe(2);
      expect(conflict.current.data).toEqual(winner?.data);
      expect(conflict.changes.map((c) => c.version)).toEqual([2]);
      expect(conflict.changes[0]?.changes.title).toEqual({ from: "Start", to: winner?.data.title });
    }

    const row = await currentRow(record.id);
    expect(row).toEqual({ version: 2, data: winner?.data });
    const revisions = await storedRevisions(database.db, record.id);
    expect(revisions.map((r) => [r.version, r.action])).toEqual([
      [1, "create"],
      [2, "update"],
    ]);
    expect(revisions[1]?.snapshot).toEqual(winner?.data);
  });

  it(`loses no update: ${WORKERS} workers × ${INCREMENTS} read-modify-write increments, retrying on conflict`, async () => {
    const record = await newRecord({ title: "Counter", count: 0 });
    const users = await Promise.all(Array.from({ length: WORKERS }, () => createUser(database.db)));

    const worker = async (user: TestUser) => {
      let seen: RecordView = record;
      for (let done = 0; done < INCREMENTS; ) {
        const count = Number(seen.data.count);
        const result = await saveRecord(database.db, user, {
          recordId: record.id,
          baseVersion: seen.version,
          values: { ...seen.data, count: count + 1 },
        });
        if (result.ok) {
          done += 1;
          seen = result.record;
        } else if (result.error.code === "conflict") {
          seen = result.error.current;
        } else {
          throw new Error(`unexpected outcome: ${JSON.stringify(result.error)}`);
        }
      }
    };
    await Promise.all(users.map(worker));

    const total = WORKERS * INCREMENTS;
    const row = await currentRow(record.id);
    expect(row.data.count).toBe(total);
    expect(row.version).toBe(total + 1);

    const revisions = await storedRevisions(database.db, record.id);
    expect(revisions.map((r) => r.version)).toEqual(Array.from({ length: total + 1 }, (_, i) => i + 1));
    expect(revisions.filter((r) => r.action === "update")).toHaveLength(total);
    // Every increment started from the value its predecessor wrote.
    for (const revision of revisions.slice(1)) {
      expect(revision.changes).toEqual({ count: { from: revision.version - 2, to: revision.version - 1 } });
      expect(revision.snapshot.count).toBe(revision.version - 1);
    }
    // Each worker's increments are all there.
    const perUser = new Map<string, number>();
    for (const r of revisions.slice(1)) perUser.set(r.userId, (perUser.get(r.userId) ?? 0) + 1);
    expect(users.map((u) => perUser.get(u.id))).toEqual(users.map(() => INCREMENTS));
  });
});

describe("retried saves (save ids)", () => {
  it("answers a repeated save with its first outcome and writes one revision", async () => {
    const record = await newRecord();
    const saveId = randomUUID();
    const save = () =>
      saveRecord(database.db, alice, {
        recordId: record.id,
        baseVersion: 1,
        values: { title: "Once", count: 1 },
        saveId,
      });

    const first = await save();
    const again = await save();

    expect(first).toMatchObject({ ok: true, replayed: false, record: { version: 2, data: { title: "Once" } } });
    expect(again).toMatchObject({ ok: true, replayed: true, record: { version: 2, data: { title: "Once" } } });
    expect((await storedRevisions(database.db, record.id)).map((r) => r.version)).toEqual([1, 2]);
  });

  it("replays the first outcome even after someone else saved in between", async () => {
    const record = await newRecord();
    const saveId = randomUUID();
    const input = { recordId: record.id, baseVersion: 1, values: { title: "Mine", count: 1 }, saveId };
    const first = await saveRecord(database.db, alice, input);
    expect(first.ok).toBe(true);
    const theirs = await saveRecord(database.db, bob, {
      recordId: record.id,
      baseVersion: 2,
      values: { title: "Theirs", count: 2 },
    });
    expect(theirs.ok).toBe(true);

    const again = await saveRecord(database.db, alice, input);

    expect(again).toMatchObject({ ok: true, replayed: true, record: { version: 2, data: { title: "Mine" } } });
    expect(await currentRow(record.id)).toMatchObject({ version: 3, data: { title: "Theirs" } });
  });

  it("applies a save sent concurrently several times exactly once", async () => {
    const record = await newRecord();
    const saveId = randomUUID();
    const copies = 10;

    const results = await whileRowLocked(record.id, copies, () =>
      Promise.all(
        Array.from({ length: copies }, () =>
          saveRecord(database.db, alice, {
            recordId: record.id,
            baseVersion: 1,
            values: { title: "Retried", count: 7 },
            saveId,
          }),
        ),
      ),
    );

    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => (r.ok ? r.record.version : null))).toEqual(results.map(() => 2));
    expect(results.filter((r) => r.ok && !r.replayed)).toHaveLength(1);
    const revisions = await storedRevisions(database.db, record.id);
    expect(revisions.map((r) => [r.version, r.saveId])).toEqual([
      [1, null],
      [2, saveId],
    ]);
  });

  it("does not mistake another record's save id for a replay", async () => {
    const one = await newRecord();
    const other = await newRecord();
    const saveId = randomUUID();
    const first = await saveRecord(database.db, alice, {
      recordId: one.id,
      baseVersion: 1,
      values: { title: "One" },
      saveId,
    });
    expect(first.ok).toBe(true);

    const reused = await saveRecord(database.db, alice, {
      recordId: other.id,
      baseVersion: 1,
      values: { title: "Other" },
      saveId,
    });

    expect(reused).toEqual({ ok: false, error: { code: "idempotency_mismatch" } });
    expect(await currentRow(other.id)).toMatchObject({ version: 1, data: { title: "Start" } });
  });

  it("answers a repeated delete with ok (replayed), sequentially and concurrently", async () => {
    const sequential = await newRecord();
    const saveId = randomUUID();
    const first = await deleteRecord(database.db, alice, { recordId: sequential.id, baseVersion: 1, saveId });
    const again = await deleteRecord(database.db, alice, { recordId: sequential.id, baseVersion: 1, saveId });
    expect(first).toEqual({ ok: true, version: 2, replayed: false });
    expect(again).toEqual({ ok: true, version: 2, replayed: true });

    const concurrent = await newRecord();
    const concurrentId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        deleteRecord(database.db, alice, { recordId: concurrent.id, baseVersion: 1, saveId: concurrentId }),
      ),
    );
    expect(results).toContainEqual({ ok: true, version: 2, replayed: false });
    expect(results.filter((r) => !(r.ok && r.version === 2))).toEqual([]);
    expect(results.filter((r) => r.ok && !r.replayed)).toHaveLength(1);

    for (const id of [sequential.id, concurrent.id]) {
      expect((await storedRevisions(database.db, id)).map((r) => r.action)).toEqual(["create", "delete"]);
    }
  });

  it("replays a repeated restore, but not a restore sent with another write's save id or other values", async () => {
    const record = await newRecord();
    const deleteId = randomUUID();
    expect(await deleteRecord(database.db, alice, { recordId: record.id, baseVersion: 1, saveId: deleteId })).toEqual({
      ok: true,
      version: 2,
      replayed: false,
    });
    const restoreId = randomUUID();
    const restore = (values: Record<string, unknown>, saveId = restoreId) =>
      restoreRecord(database.db, alice, { recordId: record.id, deletedVersion: 2, values, saveId });

    expect(await restore({ title: "Back" })).toMatchObject({ ok: true, replayed: false, record: { version: 3 } });
    expect(await restore({ title: " Back ", count: null })).toMatchObject({
      ok: true,
      replayed: true,
      record: { version: 3, data: { title: "Back" } },
    });
    expect(await restore({ title: "Back again" })).toEqual({ ok: false, error: { code: "idempotency_mismatch" } });
    expect(await restore({ title: "Back" }, deleteId)).toEqual({ ok: false, error: { code: "idempotency_mismatch" } });
    // A save sent with the restore's id is not that restore either.
    const save = await saveRecord(database.db, alice, {
      recordId: record.id,
      baseVersion: 2,
      values: { title: "Back" },
      saveId: restoreId,
    });
    expect(save).toEqual({ ok: false, error: { code: "idempotency_mismatch" } });
    expect((await storedRevisions(database.db, record.id)).map((r) => r.action)).toEqual([
      "create",
      "delete",
      "restore",
    ]);
  });

  it("creates one record for a create sent twice, sequentially and concurrently", async () => {
    const saveId = randomUUID();
    const create = () => createRecord(database.db, alice, { collectionSlug: slug, values: { title: "New" }, saveId });
    const first = await create();
    const again = await create();
    expect(first).toMatchObject({ ok: true, replayed: false, record: { version: 1 } });
    expect(again).toMatchObject({ ok: true, replayed: true, record: { version: 1, data: { title: "New" } } });
    expect(again.ok && again.record.id).toBe(first.ok && first.record.id);

    const concurrentId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        createRecord(database.db, bob, { collectionSlug: slug, values: { title: "Raced" }, saveId: concurrentId }),
      ),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const ids = new Set(results.map((r) => (r.ok ? r.record.id : null)));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.ok && !r.replayed)).toHaveLength(1);

    const [stored] = await queryRows<{ records: number; revisions: number }>(
      database.db,
      sql`select (select count(*)::int from records where data ->> 'title' in ('New', 'Raced')) as records,
                 (select count(*)::int from revisions where save_id in (${saveId}, ${concurrentId})) as revisions`,
    );
    expect(stored).toEqual({ records: 2, revisions: 2 });
  });
});

describe("saving a deleted record", () => {
  it("answers not_found naming who deleted it, not conflict", async () => {
    const record = await newRecord();
    const deleted = await deleteRecord(database.db, bob, { recordId: record.id, baseVersion: 1 });
    expect(deleted.ok).toBe(true);

    const result = await saveRecord(database.db, alice, {
      recordId: record.id,
      baseVersion: 1,
      values: { title: "Too late" },
    });

    expect(result).toMatchObject({
      ok: false,
      error: { code: "not_found", deleted: { at: expect.any(String), by: { id: bob.id, name: "Bob" } } },
    });
    expect(await currentRow(record.id)).toMatchObject({ version: 2, data: { title: "Start" } });
  });

  it("answers not_found when the delete commits while the save waits for the row", async () => {
    const record = await newRecord();

    const result = await whileRowLocked(
      record.id,
      1,
      () => saveRecord(database.db, alice, { recordId: record.id, baseVersion: 1, values: { title: "Late" } }),
      (tx) => deleteRecord(tx, bob, { recordId: record.id, baseVersion: 1 }),
    );

    expect(result).toMatchObject({ ok: false, error: { code: "not_found", deleted: { by: { id: bob.id } } } });
    expect(await currentRow(record.id)).toMatchObject({ version: 2, data: { title: "Start" } });
  });
});
