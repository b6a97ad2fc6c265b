import { beforeAll, describe, expect, it } from "vitest";
import { POST as restoreRoute } from "@/app/api/records/[id]/restore/route";
import type { FieldDefinition } from "@/lib/fields";
import { deleteRecord } from "@/lib/records/delete-record";
import { callRoute, expectError } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { createTestRecord, storedRevisions, type TestDatabase, type TestUser } from "../support/test-database";

const FIELDS: FieldDefinition[] = [{ key: "title", label: "Title", type: "text", listed: true }];

const setup = setUpTestDatabase({
  max: 12,
  collections: { items: { fields: FIELDS } },
  users: { alice: { name: "Alice" }, bob: { name: "Bob" }, viewer: { role: "viewer" } },
});
let database: TestDatabase;
let alice: TestUser;
let bob: TestUser;
let viewer: TestUser;
let slug: string;

beforeAll(() => {
  ({ database } = setup);
  slug = setup.collections.items.slug;
  ({ alice, bob, viewer } = setup.users);
});

const restore = (user: TestUser, id: string, ifMatch?: string) =>
  callRoute(restoreRoute, {
    method: "POST",
    path: `/api/records/${id}/restore`,
    params: { id },
    token: user.token,
    headers: ifMatch === undefined ? {} : { "If-Match": ifMatch },
  });

async function deletedRecord(title: string) {
  const record = await createTestRecord(database.db, alice, { slug }, { title });
  const deleted = await deleteRecord(database.db, alice, { recordId: record.id, baseVersion: 1 });
  if (!deleted.ok) throw new Error("delete failed");
  return record;
}

describe("POST /api/records/:id/restore", () => {
  it("brings a deleted record back with its values as a new version, action restore", async () => {
    const record = await deletedRecord("Back again");
    const response = await restore(bob, record.id, '"2"');
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"3"');
    expect(response.body).toMatchObject({
      id: record.id,
      version: 3,
      data: { title: "Back again" },
      updatedBy: { id: bob.id },
    });
    const revisions = await storedRevisions(database.db, record.id);
    expect(revisions.map((r) => [r.version, r.action, r.userId])).toEqual([
      [1, "create", alice.id],
      [2, "delete", alice.id],
      [3, "restore", bob.id],
    ]);
  });

  it("answers 409 not_deleted for a record that is not deleted, 404 for none, 428 without If-Match, 403 for viewers", async () => {
    const live = await createTestRecord(database.db, alice, { slug }, { title: "Alive" });
    expectError(await restore(bob, live.id, '"1"'), 409, "not_deleted");
    expectError(await restore(bob, "00000000-0000-4000-8000-000000000000", '"1"'), 404, "not_found");
    expectError(await restore(bob, "nope", '"1"'), 404, "not_found");
    const gone = await deletedRecord("Gone");
    expectError(await restore(bob, gone.id), 428, "precondition_required");
    expectError(await restore(viewer, gone.id, '"2"'), 403, "forbidden");
  });

  it("answers 412 with the current record for a stale version", async () => {
    const gone = await deletedRecord("Stale");
    const response = await restore(bob, gone.id, '"1"');
    expectError(response, 412, "version_mismatch");
    expect(response.body.current).toMatchObject({ id: gone.id, version: 2 });
    expect(response.body.changes.map((c: { action: string }) => c.action)).toEqual(["delete"]);
  });

  it("of 6 concurrent restores from the deleted version exactly one is accepted", async () => {
    const gone = await deletedRecord("Race");
    const statuses = await Promise.all(
      Array.from({ length: 6 }, (_, i) => restore(i % 2 ? alice : bob, gone.id, '"2"')),
    );
    expect(statuses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(statuses.filter((r) => r.status === 412 || r.status === 409)).toHaveLength(5);
    expect((await storedRevisions(database.db, gone.id)).map((r) => r.action)).toEqual(["create", "delete", "restore"]);
  });
});
