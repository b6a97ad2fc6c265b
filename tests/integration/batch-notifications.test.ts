import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as undoRoute } from "@/app/api/batches/[batchId]/undo/route";
import { POST as bulkRoute } from "@/app/api/collections/[slug]/bulk/route";
import { POST as importRoute } from "@/app/api/collections/[slug]/import/route";
import { queryRows } from "@/db/client";
import { bulkEdit } from "@/lib/batches/batches";
import { importCsv } from "@/lib/batches/import-csv";
import type { FieldDefinition } from "@/lib/fields";
import { setFollowing } from "@/lib/follows";
import type { RecordView } from "@/lib/records/record-view";
import { saveRecord } from "@/lib/records/save-record";
import { callRoute } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { createTestRecord, createUser, type TestDatabase, type TestUser } from "../support/test-database";

/**
 * Notifications from batches (DESIGN.md "Notifications"): a bulk edit, an import or an undo that
 * replaced a value someone had set tells that person once per record written (never the
 * writer); an undo is a revert, so the record's other editors hear `restored`.
 */

const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", required: true },
  { key: "status", label: "Status", type: "select", options: ["Open", "Pending", "Closed"] },
  { key: "priority", label: "Priority", type: "integer", min: 1, max: 5 },
];

const setup = setUpTestDatabase({
  collections: { tickets: { fields: FIELDS, name: "Tickets" } },
  users: {
    edith: { name: "Edith" },
    alice: { name: "Alice" },
    otto: { name: "Otto" },
    ada: { role: "admin", name: "Ada" },
  },
});
let database: TestDatabase;
let slug: string;
let edith: TestUser;
let alice: TestUser;
let otto: TestUser;
let ada: TestUser;

beforeAll(() => {
  ({ database } = setup);
  slug = setup.collections.tickets.slug;
  ({ edith, alice, otto, ada } = setup.users);
});

type NotificationRow = {
  user_id: string;
  kind: string;
  record_id: string;
  actor_id: string;
  message: string;
  fields: string[];
  details: Record<string, unknown>;
};

async function notificationsOn(recordIds: string[]): Promise<NotificationRow[]> {
  return queryRows<NotificationRow>(
    database.db,
    sql`select user_id, kind, record_id, actor_id, message, fields, details from notifications
         where record_id = any(${`{${recordIds.join(",")}}`}::uuid[])
         order by at, kind, user_id`,
  );
}

async function save(as: TestUser, record: { id: string; version: number }, values: Record<string, unknown>) {
  const result = await saveRecord(database.db, as, {
    recordId: record.id,
    baseVersion: record.version,
    values,
    patch: true,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.record;
}

const bulk = (as: TestUser, body: unknown) =>
  callRoute(bulkRoute, {
    method: "POST",
    path: `/api/collections/${slug}/bulk`,
    params: { slug },
    token: as.token,
    json: body,
  });

const undo = (as: TestUser, batchId: string) =>
  callRoute(undoRoute, { method: "POST", path: `/api/batches/${batchId}/undo`, params: { batchId }, token: as.token });

const importFile = (as: TestUser, csv: string, query = "") =>
  callRoute(importRoute, {
    method: "POST",
    path: `/api/collections/${slug}/import${query ? `?${query}` : ""}`,
    params: { slug },
    token: as.token,
    body: csv,
    headers: { "content-type": "text/csv" },
  });

/** A record Edith created, whose status Alice then set and whose priority Otto then set (version 3). */
async function sharedRecord(title: string): Promise<RecordView> {
  const created = await createTestRecord(database.db, edith, { slug }, { title, status: "Open", priority: 1 });
  const byAlice = await save(alice, created, { status: "Pending" });
  return save(otto, byAlice, { priority: 4 });
}

describe("notifications from batches", () => {
  it("a bulk edit that replaced Alice's and Otto's values tells each once, naming their fields; never the writer", async () => {
    const record = await sharedRecord("Printer jams");
    const response = await bulk(edith, {
      op: "update",
      items: [{ id: record.id, version: 3, data: { title: "Printer fixed", status: "Closed", priority: 2 } }],
    });
    expect(response.status).toBe(200);
    const { batchId, results } = response.body as { batchId: string; results: { status: string }[] };
    expect(results[0]?.status).toBe("updated");

    const rows = await notificationsOn([record.id]);
    expect(rows).toHaveLength(2);
    expect(rows.some((row) => row.user_id === edith.id)).toBe(false);
    const toAlice = rows.filter((row) => row.user_id === alice.id);
    expect(toAlice).toEqual([
      {
        user_id: alice.id,
        kind: "overwritten",
        record_id: record.id,
        actor_id: edith.id,
        message: "Edith bulk-edited over your Status",
        fields: ["status"],
        details: {
          version: 4,
          cause: "bulk",
          batchId,
          revertedFrom: null,
          values: { status: { mine: "Pending", theirs: "Closed" } },
          labels: { status: "Status" },
        },
      },
    ]);
    const toOtto = rows.filter((row) => row.user_id === otto.id);
    expect(toOtto).toHaveLength(1);
    expect(toOtto[0]).toMatchObject({
      kind: "overwritten",
      fields: ["priority"],
      message: "Edith bulk-edited over your Priority",
      details: { values: { priority: { mine: 4, theirs: 2 } } },
    });
  });

  it("one notification per person per record, with every field of theirs the write replaced", async () => {
    const created = await createTestRecord(database.db, edith, { slug }, { title: "Scanner", status: "Open" });
    const byAlice = await save(alice, created, { status: "Pending", priority: 3, title: "Scanner 2" });
    const second = await createTestRecord(database.db, edith, { slug }, { title: "Fax", status: "Open" });
    const secondByAlice = await save(alice, second, { priority: 5 });
    const response = await bulk(otto, {
      op: "update",
      items: [
        { id: byAlice.id, version: byAlice.version, data: { status: "Closed", priority: 1, title: "Scanner 3" } },
        { id: secondByAlice.id, version: secondByAlice.version, data: { priority: 2 } },
      ],
    });
    expect(response.status).toBe(200);
    const rows = await notificationsOn([byAlice.id, secondByAlice.id]);
    expect(rows.map((row) => [row.user_id, row.record_id, row.fields]).sort()).toEqual(
      [
        [alice.id, byAlice.id, ["priority", "status", "title"]],
        [alice.id, secondByAlice.id, ["priority"]],
      ].sort(),
    );
    expect(rows.find((row) => row.record_id === byAlice.id)?.message).toBe(
      "Otto bulk-edited over your Priority, Status, Title",
    );
  });

  it("the writer replacing their own values, a conflict and an unchanged item tell nobody", async () => {
    // Alice's own values, bulk-edited by Alice: nobody else set them.
    const own = await createTestRecord(database.db, alice, { slug }, { title: "Own", status: "Open" });
    // A conflict: Otto changed the status after the version Edith names.
    const contested = await sharedRecord("Contested");
    // Unchanged: the value is already what the item sets.
    const same = await sharedRecord("Same");
    const first = await bulk(alice, { op: "update", items: [{ id: own.id, version: 1, data: { status: "Closed" } }] });
    expect(first.status).toBe(200);
    const second = await bulk(edith, {
      op: "update",
      items: [
        { id: contested.id, version: 2, data: { priority: 5 } },
        { id: same.id, version: 3, data: { status: "Pending", priority: 4 } },
      ],
    });
    const body = second.body as { results: { status: string }[] };
    expect(body.results.map((r) => r.status)).toEqual(["conflict", "unchanged"]);
    expect(await notificationsOn([own.id, contested.id, same.id])).toEqual([]);
  });

  it("someone who unfollowed the record, or is no longer active, is not told", async () => {
    const record = await sharedRecord("Quiet");
    expect(await setFollowing(database.db, alice.id, record.id, false)).toBe(true);
    const gone = await createUser(database.db, { name: "Gone" });
    const byGone = await save(gone, record, { title: "Set by Gone" });
    await queryRows(database.db, sql`update users set active = false where id = ${gone.id}`);
    const response = await bulk(edith, {
      op: "update",
      items: [{ id: record.id, version: byGone.version, data: { status: "Closed", priority: 1, title: "Loud" } }],
    });
    expect(response.status).toBe(200);
    const rows = await notificationsOn([record.id]);
    expect(rows.map((row) => row.user_id)).toEqual([otto.id]);
  });

  it("an import tells the people whose values it replaced; its dry run tells nobody", async () => {
    const record = await sharedRecord("Imported");
    const csv = `id,version,title,status,priority\n${record.id},3,Imported,Closed,4\n,,Brand new,Open,1\n`;
    const dry = await importFile(edith, csv, "dryRun=1");
    expect(dry.status).toBe(200);
    const dryBody = dry.body as { batchId: string | null; summary: Record<string, number> };
    expect(dryBody.batchId).toBeNull();
    expect(dryBody.summary).toMatchObject({ updated: 1, created: 1 });
    expect(await notificationsOn([record.id])).toEqual([]);

    const real = await importFile(edith, csv);
    expect(real.status).toBe(200);
    const realBody = real.body as { batchId: string };
    const rows = await notificationsOn([record.id]);
    // Only the status cell differs from version 3: Alice's value; Otto's priority was kept.
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      user_id: alice.id,
      kind: "overwritten",
      actor_id: edith.id,
      message: "Edith imported over your Status",
      fields: ["status"],
      details: {
        cause: "import",
        batchId: realBody.batchId,
        values: { status: { mine: "Pending", theirs: "Closed" } },
      },
    });
    const [created] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from notifications n join revisions v on v.record_id = n.record_id
           where v.batch_id = ${realBody.batchId} and v.action = 'create'`,
    );
    expect(created?.n).toBe(0);
  });

  it("an undo by the batch's author tells the record's other editors `restored`, not the author", async () => {
    const record = await sharedRecord("Undo mine");
    const edited = await bulk(edith, {
      op: "update",
      items: [{ id: record.id, version: 3, data: { status: "Closed" } }],
    });
    const { batchId } = edited.body as { batchId: string };
    const before = (await notificationsOn([record.id])).length;
    expect(before).toBe(1); // Alice: overwritten by the bulk edit

    const undone = await undo(edith, batchId);
    expect(undone.status).toBe(200);
    const undoBody = undone.body as { batchId: string; results: { status: string }[] };
    expect(undoBody.results.map((r) => r.status)).toEqual(["updated"]);
    const rows = (await notificationsOn([record.id])).slice(before);
    expect(rows.map((row) => [row.user_id, row.kind]).sort()).toEqual(
      [
        [alice.id, "restored"],
        [otto.id, "restored"],
      ].sort(),
    );
    for (const row of rows) {
      expect(row).toMatchObject({
        actor_id: edith.id,
        fields: [],
        message: "Edith undid a batch on a record you edited (back to version 3)",
        details: { version: 5, revertedFrom: 3, cause: "undo", batchId: undoBody.batchId },
      });
    }
  });

  it("an admin's undo of someone else's batch tells its author `overwritten` and the other editors `restored`", async () => {
    const record = await sharedRecord("Undo theirs");
    const edited = await bulk(edith, {
      op: "update",
      items: [{ id: record.id, version: 3, data: { status: "Closed" } }],
    });
    const { batchId } = edited.body as { batchId: string };
    const before = (await notificationsOn([record.id])).length;
    const undone = await undo(ada, batchId);
    expect(undone.status).toBe(200);
    const rows = (await notificationsOn([record.id])).slice(before);
    expect(rows.map((row) => [row.user_id, row.kind]).sort()).toEqual(
      [
        [alice.id, "restored"],
        [edith.id, "overwritten"],
        [otto.id, "restored"],
      ].sort(),
    );
    expect(rows.find((row) => row.user_id === edith.id)).toMatchObject({
      message: "Ada undid a batch over your Status",
      fields: ["status"],
      details: { cause: "undo", revertedFrom: 3, values: { status: { mine: "Closed", theirs: "Pending" } } },
    });
    expect(rows.some((row) => row.user_id === ada.id)).toBe(false);
  });

  it("a bulk edit of 5,000 records Alice imported tells her 5,000 times, in one statement's time", async () => {
    const lines = Array.from({ length: 5_000 }, (_, i) => `Row ${i},Open,1`);
    const imported = await importCsv(database.db, alice, {
      slug,
      bytes: new TextEncoder().encode(`title,status,priority\n${lines.join("\n")}\n`),
      dryRun: false,
    });
    if (!imported.ok) throw new Error(JSON.stringify(imported.error));
    expect(imported.summary.created).toBe(5_000);
    const ids = imported.results.map((r) => r.id ?? "");
    const started = performance.now();
    const edited = await bulkEdit(database.db, edith, {
      slug,
      request: { op: "update", items: ids.map((id) => ({ id, version: 1, data: { status: "Closed", priority: 2 } })) },
    });
    const elapsed = performance.now() - started;
    if (!edited.ok) throw new Error(JSON.stringify(edited.error));
    expect(edited.summary.updated).toBe(5_000);
    const [counted] = await queryRows<{ n: number; people: number; wrong: number }>(
      database.db,
      sql`select count(*)::int as n, count(distinct user_id)::int as people,
                 count(*) filter (where fields <> '["priority","status"]'::jsonb)::int as wrong
            from notifications where details->>'batchId' = ${edited.batchId}`,
    );
    expect(counted).toEqual({ n: 5_000, people: 1, wrong: 0 });
    console.info(`[batch-notifications] 5,000-record bulk edit with 5,000 notifications: ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(60_000);
  }, 120_000);
});
