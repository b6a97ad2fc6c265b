import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getActivity } from "@/app/api/activity/route";
import { DELETE as deleteCommentRoute, PATCH as patchComment } from "@/app/api/comments/[id]/route";
import { GET as notificationEvents } from "@/app/api/notifications/events/route";
import { POST as markRead } from "@/app/api/notifications/read/route";
import { GET as getNotifications } from "@/app/api/notifications/route";
import { GET as listCommentsRoute, POST as postComment } from "@/app/api/records/[id]/comments/route";
import { PUT as putFollow } from "@/app/api/records/[id]/follow/route";
import { POST as restoreVersion } from "@/app/api/records/[id]/revisions/[version]/restore/route";
import { GET as listRevisionsRoute } from "@/app/api/records/[id]/revisions/route";
import { PATCH as patchRecord } from "@/app/api/records/[id]/route";
import { type Database, openPostgres, queryRows } from "@/db/client";
import { addComment } from "@/lib/comments";
import type { FieldDefinition } from "@/lib/fields";
import { acquireLease } from "@/lib/leases/acquire-lease";
import { releaseLease } from "@/lib/leases/release-lease";
import { type LiveEvent, subscribe, subscribePerson } from "@/lib/live-events";
import type { RecordView } from "@/lib/records/record-view";
import { revertRecord } from "@/lib/records/revert-record";
import { saveRecord } from "@/lib/records/save-record";
import { callRoute, expectError, ORIGIN } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import {
  createCollection,
  createTestRecord,
  createUser,
  storedRevisions,
  type TestDatabase,
  type TestUser,
} from "../support/test-database";

const FIELDS: FieldDefinition[] = [
  { key: "name", label: "Name", type: "text", required: true },
  { key: "phone", label: "Phone", type: "text" },
  { key: "email", label: "Email", type: "email" },
  { key: "notes", label: "Notes", type: "longtext" },
];

const CONTENDERS = 10;

const setup = setUpTestDatabase({
  max: CONTENDERS + 2,
  collections: {
    customers: { fields: FIELDS, name: "Customers" },
    leased: { fields: FIELDS, name: "Leased", editMode: "lease" },
  },
  users: {
    alice: { name: `Alice ${Date.now()}` },
    bob: { name: `Bob ${Date.now()}` },
    carol: { name: `Carol ${Date.now()}` },
    dave: { name: `Dave ${Date.now()}` },
    admin: { name: `Admin ${Date.now()}`, role: "admin" },
  },
});
let database: TestDatabase;
let slug: string;
let leased: string;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dave: TestUser;
let admin: TestUser;

beforeAll(() => {
  ({ database } = setup);
  slug = setup.collections.customers.slug;
  leased = setup.collections.leased.slug;
  ({ alice, bob, carol, dave, admin } = setup.users);
});

type NotificationRow = { user_id: string; kind: string; fields: string[]; details: Record<string, unknown> };

async function notificationsOf(recordId: string): Promise<NotificationRow[]> {
  return queryRows<NotificationRow>(
    database.db,
    sql`select user_id, kind, fields, details from notifications where record_id = ${recordId} order by at, user_id`,
  );
}

async function saved(user: TestUser, record: Pick<RecordView, "id" | "version">, values: Record<string, unknown>) {
  const result = await saveRecord(database.db, user, {
    recordId: record.id,
    baseVersion: record.version,
    values,
    patch: true,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.record;
}

function restore(user: TestUser, id: string, version: number, ifMatch?: string) {
  return callRoute(restoreVersion, {
    method: "POST",
    path: `/api/records/${id}/revisions/${version}/restore`,
    params: { id, version: String(version) },
    token: user.token,
    headers: ifMatch === undefined ? {} : { "If-Match": ifMatch },
  });
}

async function recordVersion(id: string): Promise<number> {
  const [row] = await queryRows<{ version: number }>(database.db, sql`select version from records where id = ${id}`);
  return row?.version ?? 0;
}

describe("restore a version", () => {
  it("writes a new version equal to the old snapshot, action revert, naming the version it came from", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Acme", phone: "111" });
    const v2 = await saved(bob, v1, { phone: "222", email: "b@acme.test" });
    const response = await restore(alice, v1.id, 1, `"${v2.version}"`);
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"3"');
    expect(response.body).toMatchObject({ id: v1.id, version: 3, data: { name: "Acme", phone: "111" } });
    expect(response.body.data).not.toHaveProperty("email");
    const revisions = await storedRevisions(database.db, v1.id);
    expect(revisions.at(-1)).toMatchObject({
      version: 3,
      action: "revert",
      snapshot: { name: "Acme", phone: "111" },
      changes: { phone: { from: "222", to: "111" }, email: { from: "b@acme.test", to: null } },
    });
    const [row] = await queryRows<{ reverted_from: number }>(
      database.db,
      sql`select reverted_from from revisions where record_id = ${v1.id} and version = 3`,
    );
    expect(row?.reverted_from).toBe(1);
    const history = await callRoute(listRevisionsRoute, {
      path: `/api/records/${v1.id}/revisions`,
      params: { id: v1.id },
      token: carol.token,
    });
    expect(history.body[0]).toMatchObject({ version: 3, action: "revert", batchId: null, revertedFrom: 1 });
    expect(history.body[1]).toMatchObject({ version: 2, batchId: null });
  });

  it("answers 412 with the changes when the record moved, writes nothing and tells nobody", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Stale Ltd", phone: "1" });
    const v2 = await saved(bob, v1, { phone: "2" });
    await saved(carol, v2, { phone: "3" });
    const response = await restore(dave, v1.id, 1, '"2"');
    expectError(response, 412, "version_mismatch");
    expect(response.body.current).toMatchObject({ version: 3, data: { phone: "3" } });
    expect(response.body.changes).toMatchObject([{ version: 3, user: { id: carol.id }, changes: { phone: {} } }]);
    expect(await recordVersion(v1.id)).toBe(3);
    expect(await notificationsOf(v1.id)).toEqual([]);
  });

  it("needs If-Match (428, also for *) and answers 404 for an unknown version or record", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Precondition" });
    expectError(await restore(alice, v1.id, 1), 428, "precondition_required");
    expectError(await restore(alice, v1.id, 1, "*"), 428, "precondition_required");
    expectError(await restore(alice, v1.id, 9, '"1"'), 404, "not_found");
    expectError(await restore(alice, v1.id, 0, '"1"'), 404, "not_found");
    expectError(await restore(alice, "00000000-0000-4000-8000-000000000000", 1, '"1"'), 404, "not_found");
    expectError(await restore(alice, "not-a-uuid", 1, '"1"'), 404, "not_found");
    const viewer = await createUser(database.db, { role: "viewer" });
    expectError(await restore(viewer, v1.id, 1, '"1"'), 403, "forbidden");
  });

  it(`lets exactly one of ${CONTENDERS} concurrent reverts and saves from one version win, across two instances`, async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Race", phone: "0" });
    const v2 = await saved(bob, v1, { phone: "1" });
    // A second app instance: its own pool on the same database.
    const second: Database = await openPostgres(database.url, { max: CONTENDERS });
    const instance = (i: number) => (i % 4 < 2 ? database.db : second.db);
    const outcomes = await Promise.all(
      Array.from({ length: CONTENDERS }, (_, i) =>
        i % 2 === 0
          ? revertRecord(instance(i), carol, { recordId: v1.id, version: 1, baseVersion: v2.version })
          : saveRecord(instance(i), dave, {
              recordId: v1.id,
              baseVersion: v2.version,
              values: { phone: `save ${i}` },
              patch: true,
            }),
      ),
    );
    await second.close();
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok && o.error.code === "conflict")).toHaveLength(CONTENDERS - 1);
    const revisions = await storedRevisions(database.db, v1.id);
    expect(revisions.map((r) => r.version)).toEqual([1, 2, 3]);
    const winner = revisions[2];
    // A winning revert told Bob once (his phone was replaced) and Alice (who created it) that it
    // went back; a winning plain save told nobody.
    const told = await notificationsOf(v1.id);
    if (winner?.action === "revert") {
      expect(Object.fromEntries(told.map((n) => [n.user_id, n.kind]))).toEqual({
        [bob.id]: "overwritten",
        [alice.id]: "restored",
      });
      expect(told).toHaveLength(2);
    } else expect(told).toEqual([]);
  });
});

describe("notifications", () => {
  it("an overwrite tells each person whose value it replaced once, naming all their fields, never the writer", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Globex", phone: "100" });
    const v2 = await saved(carol, v1, { email: "carol@globex.test", notes: "Carol's notes" });
    const v3 = await saved(alice, v2, { phone: "101" });
    // Bob overwrites phone (Alice's), email and notes (Carol's), and sets nothing of his own before.
    const result = await saveRecord(database.db, bob, {
      recordId: v1.id,
      baseVersion: v3.version,
      values: { name: "Globex", phone: "999", email: "bob@globex.test" },
      action: "overwrite",
    });
    expect(result.ok).toBe(true);
    const told = await notificationsOf(v1.id);
    expect(told).toHaveLength(2);
    const forAlice = told.find((n) => n.user_id === alice.id);
    const forCarol = told.find((n) => n.user_id === carol.id);
    expect(forAlice).toMatchObject({
      kind: "overwritten",
      fields: ["phone"],
      details: { version: 4, values: { phone: { mine: "101", theirs: "999" } } },
    });
    expect(forCarol).toMatchObject({
      kind: "overwritten",
      fields: ["email", "notes"],
      details: {
        version: 4,
        values: { email: { mine: "carol@globex.test", theirs: "bob@globex.test" }, notes: { mine: "Carol's notes" } },
      },
    });
    const api = await callRoute(getNotifications, { path: "/api/notifications?unread=1", token: alice.token });
    expect(api.status).toBe(200);
    const item = api.body.items.find((n: { recordId: string }) => n.recordId === v1.id);
    expect(item).toMatchObject({
      kind: "overwritten",
      recordId: v1.id,
      by: { id: bob.id, name: bob.name },
      fields: ["phone"],
      read: false,
      message: expect.stringContaining("Phone"),
      at: expect.any(String),
      id: expect.any(String),
    });
    expect(api.body.unread).toBeGreaterThanOrEqual(1);
  });

  it("plain updates and merges tell nobody", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Quiet", phone: "1" });
    const v2 = await saved(bob, v1, { phone: "2" });
    await saveRecord(database.db, carol, {
      recordId: v1.id,
      baseVersion: v2.version,
      values: { name: "Quiet", phone: "3" },
      action: "merge",
    });
    expect(await notificationsOf(v1.id)).toEqual([]);
  });

  it("a revert tells whoever had a value replaced (overwritten) and every other editor (restored), once each", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Initech", phone: "1" });
    const v2 = await saved(bob, v1, { phone: "2" });
    const v3 = await saved(carol, v2, { email: "c@initech.test" });
    // Dave edited too but then unfollowed: he hears nothing.
    const v4 = await saved(dave, v3, { notes: "dave" });
    const v5 = await saved(dave, v4, { notes: "" });
    await callRoute(putFollow, {
      method: "PUT",
      path: `/api/records/${v1.id}/follow`,
      params: { id: v1.id },
      token: dave.token,
      json: { following: false },
    });
    // Alice restores version 2: Bob's phone stays, Carol's email goes; Dave's notes were already empty.
    const result = await revertRecord(database.db, alice, { recordId: v1.id, version: 2, baseVersion: v5.version });
    expect(result.ok).toBe(true);
    const told = await notificationsOf(v1.id);
    expect(told.map((n) => [n.user_id, n.kind, n.fields])).toEqual(
      [
        [carol.id, "overwritten", ["email"]],
        [bob.id, "restored", []],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(told.find((n) => n.kind === "restored")?.details).toMatchObject({ version: 6, revertedFrom: 2 });
  });

  it("a stale overwrite (refused) creates no notification", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Refused", phone: "1" });
    await saved(bob, v1, { phone: "2" });
    const result = await saveRecord(database.db, carol, {
      recordId: v1.id,
      baseVersion: 1,
      values: { name: "Refused", phone: "3" },
      action: "overwrite",
    });
    expect(result.ok).toBe(false);
    expect(await notificationsOf(v1.id)).toEqual([]);
  });

  it("an overwrite that rolls back with its transaction leaves no notification", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Rollback", phone: "1" });
    await expect(
      database.db.transaction(async (tx) => {
        const result = await saveRecord(tx, bob, {
          recordId: v1.id,
          baseVersion: 1,
          values: { name: "Rollback", phone: "2" },
          action: "overwrite",
        });
        expect(result.ok).toBe(true);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await notificationsOf(v1.id)).toEqual([]);
    expect(await recordVersion(v1.id)).toBe(1);
  });

  it("a lease taken over or broken always tells its holder, once", async () => {
    const record = await createTestRecord(database.db, admin, { slug: leased }, { name: "Locked" });
    expect((await acquireLease(database.db, alice, { recordId: record.id })).ok).toBe(true);
    const takeover = await acquireLease(database.db, admin, {
      recordId: record.id,
      takeover: true,
      reason: "Contract due",
    });
    expect(takeover.ok).toBe(true);
    // Alice never edited it (no follow): she is told anyway.
    let told = await notificationsOf(record.id);
    expect(told).toMatchObject([{ user_id: alice.id, kind: "lease_taken", details: { reason: "Contract due" } }]);
    // The admin gives it back to Bob; then breaks Bob's.
    expect((await releaseLease(database.db, admin, { recordId: record.id })).ok).toBe(true);
    expect((await acquireLease(database.db, bob, { recordId: record.id })).ok).toBe(true);
    expect((await releaseLease(database.db, admin, { recordId: record.id, reason: "Going home" })).ok).toBe(true);
    told = await notificationsOf(record.id);
    expect(told.map((n) => [n.user_id, n.kind])).toEqual([
      [alice.id, "lease_taken"],
      [bob.id, "lease_taken"],
    ]);
    expect(told[1]?.details).toMatchObject({ how: "break", reason: "Going home" });
  });

  it("marking read affects only one's own notifications", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Reading", phone: "1" });
    const v2 = await saved(carol, v1, { email: "c@reading.test" });
    await saveRecord(database.db, bob, {
      recordId: v1.id,
      baseVersion: v2.version,
      values: { name: "Reading" },
      action: "overwrite",
    });
    const [forAlice = "", forCarol = ""] = await Promise.all(
      [alice, carol].map(async (user) => {
        const [row] = await queryRows<{ id: string }>(
          database.db,
          sql`select id from notifications where record_id = ${v1.id} and user_id = ${user.id}`,
        );
        return row?.id ?? "";
      }),
    );
    // Alice marks Carol's notification (and her own): only hers is read.
    const response = await callRoute(markRead, {
      method: "POST",
      path: "/api/notifications/read",
      token: alice.token,
      json: { ids: [forAlice, forCarol] },
    });
    expect(response.status).toBe(204);
    const read = await queryRows<{ id: string; read: boolean }>(
      database.db,
      sql`select id, read_at is not null as read from notifications where record_id = ${v1.id}`,
    );
    expect(Object.fromEntries(read.map((r) => [r.id, r.read]))).toEqual({ [forAlice]: true, [forCarol]: false });
    // "All" is all of mine only.
    await callRoute(markRead, {
      method: "POST",
      path: "/api/notifications/read",
      token: bob.token,
      json: { all: true },
    });
    const [carolUnread] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from notifications where id = ${forCarol} and read_at is null`,
    );
    expect(carolUnread?.n).toBe(1);
    await callRoute(markRead, {
      method: "POST",
      path: "/api/notifications/read",
      token: carol.token,
      json: { all: true },
    });
    const unread = await callRoute(getNotifications, { path: "/api/notifications?unread=1", token: carol.token });
    expect(unread.body).toEqual({ items: [], unread: 0 });
    expectError(
      await callRoute(markRead, { method: "POST", path: "/api/notifications/read", token: carol.token, json: {} }),
      422,
      "invalid",
    );
  });
});

describe("comments", () => {
  it("never change the record's version and never make a concurrent save a conflict", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Talkative" });
    const posted = await callRoute(postComment, {
      method: "POST",
      path: `/api/records/${v1.id}/comments`,
      params: { id: v1.id },
      token: bob.token,
      json: { body: "Called them <b>today</b>, see https://example.com/x." },
    });
    expect(posted.status).toBe(201);
    expect(posted.headers.get("etag")).toBe('"1"');
    expect(await recordVersion(v1.id)).toBe(1);
    // A save from version 1, after comments and alongside more, is accepted.
    const [save] = await Promise.all([
      callRoute(patchRecord, {
        method: "PATCH",
        path: `/api/records/${v1.id}`,
        params: { id: v1.id },
        token: alice.token,
        headers: { "If-Match": '"1"' },
        json: { data: { phone: "5" } },
      }),
      ...Array.from({ length: 5 }, (_, i) => addComment(database.db, carol, { recordId: v1.id, body: `note ${i}` })),
    ]);
    expect(save.status).toBe(200);
    expect(save.body.version).toBe(2);
    const list = await callRoute(listCommentsRoute, {
      path: `/api/records/${v1.id}/comments`,
      params: { id: v1.id },
      token: dave.token,
    });
    expect(list.body.items).toHaveLength(6);
    expect(list.body.items[0]).toMatchObject({
      body: "Called them <b>today</b>, see https://example.com/x.",
      author: { id: bob.id },
      version: 1,
    });
  });

  it("are edited and deleted by their author only, against the version seen (412 when stale), with revisions", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Edits" });
    const added = await addComment(database.db, bob, { recordId: v1.id, body: "first" });
    if (!added.ok) throw new Error("comment refused");
    const id = added.comment.id;
    const patch = (user: TestUser, ifMatch: string | null, body: string) =>
      callRoute(patchComment, {
        method: "PATCH",
        path: `/api/comments/${id}`,
        params: { id },
        token: user.token,
        headers: ifMatch ? { "If-Match": ifMatch } : {},
        json: { body },
      });
    expectError(await patch(bob, null, "x"), 428, "precondition_required");
    expectError(await patch(alice, '"1"', "not mine"), 403, "forbidden");
    const edited = await patch(bob, '"1"', "second");
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ version: 2, body: "second", edited: true });
    const stale = await patch(bob, '"1"', "third");
    expectError(stale, 412, "version_mismatch");
    expect(stale.body.current).toMatchObject({ version: 2, body: "second" });
    expect(stale.body.changes).toMatchObject([{ version: 2, changes: { body: { from: "first", to: "second" } } }]);
    expectError(await patch(bob, '"2"', " ".repeat(3)), 422, "invalid");
    expectError(await patch(bob, '"2"', "x".repeat(5001)), 422, "invalid");
    const removed = await callRoute(deleteCommentRoute, {
      method: "DELETE",
      path: `/api/comments/${id}`,
      params: { id },
      token: bob.token,
      headers: { "If-Match": '"2"' },
    });
    expect(removed.status).toBe(204);
    const revisions = await queryRows<{ version: number; action: string }>(
      database.db,
      sql`select version, action from entity_revisions where kind = 'comment' and entity_id = ${id} order by version`,
    );
    expect(revisions).toEqual([
      { version: 1, action: "create" },
      { version: 2, action: "update" },
      { version: 3, action: "delete" },
    ]);
    expect(await recordVersion(v1.id)).toBe(1);
    expectError(await patch(bob, '"3"', "back"), 404, "not_found");
  });

  it("mentions tell the people named, once each, and an edit tells only newly mentioned people", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Mentions" });
    const added = await addComment(database.db, bob, {
      recordId: v1.id,
      body: `@${alice.name} can you call? cc @${carol.name} and @${alice.name} and @${bob.name}`,
    });
    if (!added.ok) throw new Error("comment refused");
    let told = await notificationsOf(v1.id);
    expect(told.map((n) => [n.user_id, n.kind]).sort()).toEqual(
      [
        [alice.id, "mention"],
        [carol.id, "mention"],
      ].sort(),
    );
    const edited = await callRoute(patchComment, {
      method: "PATCH",
      path: `/api/comments/${added.comment.id}`,
      params: { id: added.comment.id },
      token: bob.token,
      headers: { "If-Match": '"1"' },
      json: { body: `@${alice.name} and now @${dave.name}` },
    });
    expect(edited.status).toBe(200);
    told = await notificationsOf(v1.id);
    expect(told.filter((n) => n.user_id === dave.id)).toHaveLength(1);
    expect(told).toHaveLength(3);
  });

  it("a refused comment (empty, unknown record, viewer) writes nothing", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Refusals" });
    const viewer = await createUser(database.db, { role: "viewer" });
    const post = (user: TestUser, id: string, body: unknown) =>
      callRoute(postComment, {
        method: "POST",
        path: `/api/records/${id}/comments`,
        params: { id },
        token: user.token,
        json: body,
      });
    expectError(await post(bob, v1.id, { body: "" }), 422, "invalid");
    expectError(await post(bob, v1.id, { text: "hi" }), 422, "invalid");
    expectError(await post(bob, "00000000-0000-4000-8000-000000000000", { body: "hi" }), 404, "not_found");
    expectError(await post(viewer, v1.id, { body: "hi" }), 403, "forbidden");
    const [row] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from comments where record_id = ${v1.id}`,
    );
    expect(row?.n).toBe(0);
  });
});

describe("activity", () => {
  it("pages through every revision exactly once, newest first, with before = nextCursor", async () => {
    const own = (await createCollection(database.db, { fields: FIELDS, name: "Paged" })).slug;
    const expected = new Set<string>();
    for (let i = 0; i < 7; i++) {
      let record = await createTestRecord(database.db, alice, { slug: own }, { name: `Paged ${i}` });
      expected.add(`${record.id}:1`);
      for (let j = 0; j < 3; j++) {
        record = await saved(j % 2 ? bob : carol, record, { phone: `${i}-${j}` });
        expected.add(`${record.id}:${record.version}`);
      }
    }
    const seen: string[] = [];
    const ats: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response: Awaited<ReturnType<typeof callRoute>> = await callRoute(getActivity, {
        path: `/api/activity?collection=${own}&limit=5${cursor ? `&before=${cursor}` : ""}`,
        token: dave.token,
      });
      expect(response.status).toBe(200);
      for (const item of response.body.items) {
        seen.push(`${item.recordId}:${item.version}`);
        ats.push(item.at);
        expect(item).toMatchObject({ title: expect.stringMatching(/^Paged \d$/), batchId: null });
      }
      cursor = response.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(seen).toHaveLength(expected.size);
    expect(new Set(seen)).toEqual(expected);
    expect([...ats].sort().reverse()).toEqual(ats);
    const bobsOnly = await callRoute(getActivity, {
      path: `/api/activity?collection=${own}&user=${bob.id}&limit=100`,
      token: dave.token,
    });
    expect(bobsOnly.body.items).toHaveLength(7);
    expect(bobsOnly.body.items.every((i: { user: { id: string } }) => i.user.id === bob.id)).toBe(true);
    const mine = await callRoute(getActivity, { path: `/api/activity?collection=${own}&user=$me`, token: dave.token });
    expect(mine.body).toEqual({ items: [], nextCursor: null });
  });

  it("answers 400 for a bad query", async () => {
    for (const query of [
      "limit=0",
      "limit=x",
      "user=nobody",
      "collection=no-such",
      "before=garbage",
      "action=eat",
      "x=1",
    ]) {
      expectError(
        await callRoute(getActivity, { path: `/api/activity?${query}`, token: dave.token }),
        400,
        "bad_query",
      );
    }
  });
});

describe("live events", () => {
  it("a person's stream hears of a notification for them on commit, and a record's stream of a comment", async () => {
    const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Live" });
    const forAlice: LiveEvent[] = [];
    const forBob: LiveEvent[] = [];
    const onRecord: LiveEvent[] = [];
    const stops = await Promise.all([
      subscribePerson(alice.id, (e) => forAlice.push(e)),
      subscribePerson(bob.id, (e) => forBob.push(e)),
      subscribe(v1.id, (e) => onRecord.push(e)),
    ]);
    // Record events only flow for records someone has open (a presence row).
    await queryRows(
      database.db,
      sql`insert into presence (id, record_id, user_id) values (gen_random_uuid(), ${v1.id}, ${carol.id})`,
    );
    try {
      const added = await addComment(database.db, bob, { recordId: v1.id, body: `@${alice.name} look` });
      expect(added.ok).toBe(true);
      await expect.poll(() => forAlice.some((e) => e.kind === "notification")).toBe(true);
      await expect.poll(() => onRecord.some((e) => e.kind === "comment")).toBe(true);
      expect(forBob).toEqual([]);
      expect(await recordVersion(v1.id)).toBe(1);
    } finally {
      for (const stop of stops) stop();
    }
  });
});

describe("GET /api/notifications/events", () => {
  /** Reads `unread` events from the stream until one carries `wanted`. */
  async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, wanted: number): Promise<number[]> {
    const decoder = new TextDecoder();
    const seen: number[] = [];
    let buffer = "";
    while (!seen.includes(wanted)) {
      const { done, value } = await reader.read();
      if (done) throw new Error("the stream ended");
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split("\n").find((line) => line.startsWith("data: "));
        if (frame.startsWith("event: unread") && data) seen.push(JSON.parse(data.slice(6)).unread);
      }
    }
    return seen;
  }

  it("sends my unread count first and again when a notification for me commits or is read", async () => {
    const erin = await createUser(database.db, { name: `Erin ${Date.now()}` });
    const controller = new AbortController();
    const response = await notificationEvents(
      new Request(new URL("/api/notifications/events", ORIGIN), {
        headers: { authorization: `Bearer ${erin.token}`, host: new URL(ORIGIN).host },
        signal: controller.signal,
      }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    if (!response.body) throw new Error("an event stream has a body");
    const reader = response.body.getReader();
    try {
      expect(await readUntil(reader, 0)).toEqual([0]);
      const v1 = await createTestRecord(database.db, alice, { slug }, { name: "Streamed" });
      await addComment(database.db, bob, { recordId: v1.id, body: `hello @${erin.name}` });
      expect((await readUntil(reader, 1)).at(-1)).toBe(1);
      await callRoute(markRead, {
        method: "POST",
        path: "/api/notifications/read",
        token: erin.token,
        json: { all: true },
      });
      expect((await readUntil(reader, 0)).at(-1)).toBe(0);
    } finally {
      controller.abort();
    }
  });
});
