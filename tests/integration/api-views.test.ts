import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as createViewRoute, GET as listViewsRoute } from "@/app/api/collections/[slug]/views/route";
import { DELETE as deleteViewRoute, GET as getViewRoute, PATCH as patchViewRoute } from "@/app/api/views/[id]/route";
import { queryRows } from "@/db/client";
import { findCollectionById } from "@/lib/collections";
import type { FieldDefinition } from "@/lib/fields";
import { getListPreferences, setListPreferences } from "@/lib/views/preferences";
import { updateView, type ViewJson } from "@/lib/views/views";
import { callRoute, expectError } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import type { TestDatabase, TestUser } from "../support/test-database";

const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", listed: true },
  { key: "status", label: "Status", type: "select", options: ["Open", "Closed"], listed: true },
  { key: "owner", label: "Owner", type: "user" },
];

const setup = setUpTestDatabase({
  max: 12,
  collections: { items: { fields: FIELDS } },
  users: {
    alice: { name: "Alice" },
    bob: { name: "Bob" },
    carol: { role: "viewer", name: "Carol" },
    admin: { role: "admin", name: "Admin" },
  },
});
let database: TestDatabase;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let admin: TestUser;
let slug: string;
let collectionId: string;

beforeAll(() => {
  ({ database } = setup);
  ({ slug, id: collectionId } = setup.collections.items);
  ({ alice, bob, carol, admin } = setup.users);
});

const create = (user: TestUser, json: unknown) =>
  callRoute(createViewRoute, {
    method: "POST",
    path: `/api/collections/${slug}/views`,
    params: { slug },
    token: user.token,
    json,
  });
const listFor = (user: TestUser) =>
  callRoute(listViewsRoute, { path: `/api/collections/${slug}/views`, params: { slug }, token: user.token });
const patch = (user: TestUser, id: string, json: unknown, ifMatch?: string) =>
  callRoute(patchViewRoute, {
    method: "PATCH",
    path: `/api/views/${id}`,
    params: { id },
    token: user.token,
    json,
    headers: ifMatch === undefined ? {} : { "If-Match": ifMatch },
  });
const remove = (user: TestUser, id: string, ifMatch?: string) =>
  callRoute(deleteViewRoute, {
    method: "DELETE",
    path: `/api/views/${id}`,
    params: { id },
    token: user.token,
    headers: ifMatch === undefined ? {} : { "If-Match": ifMatch },
  });

const MY_OPEN = { status: { _eq: "Open" }, owner: { _eq: "$me" } };

describe("views", () => {
  it("saves a shared view with its filter, sort and columns: 201, ETag, revision 1", async () => {
    const response = await create(alice, {
      name: " My open ",
      shared: true,
      filter: MY_OPEN,
      sort: "title",
      dir: "asc",
      columns: ["title", "updatedAt"],
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("etag")).toBe('"1"');
    expect(response.headers.get("location")).toBe(`/api/views/${response.body.id}`);
    expect(response.body).toMatchObject({
      collection: slug,
      name: "My open",
      shared: true,
      filter: MY_OPEN,
      sort: "title",
      dir: "asc",
      columns: ["title", "updatedAt"],
      version: 1,
      owner: { id: alice.id, name: "Alice" },
    });
    const revisions = await queryRows<{ version: number; action: string }>(
      database.db,
      sql`select version, action from entity_revisions where kind = 'view' and entity_id = ${response.body.id}`,
    );
    expect(revisions).toEqual([{ version: 1, action: "create" }]);
    const read = await callRoute(getViewRoute, {
      path: `/api/views/${response.body.id}`,
      params: { id: response.body.id },
      token: bob.token,
    });
    expect(read.status).toBe(200);
    expect(read.headers.get("etag")).toBe('"1"');
  });

  it("lists my views and the shared ones, never someone else's personal view", async () => {
    const mine = await create(bob, { name: "Bob's own", filter: {} });
    const shared = await create(alice, { name: "Team", shared: true, filter: {} });
    const hidden = await create(alice, { name: "Alice's own", filter: {} });
    const names = (await listFor(bob)).body.items.map((v: ViewJson) => v.name);
    expect(names).toContain("Bob's own");
    expect(names).toContain("Team");
    expect(names).not.toContain("Alice's own");
    expect(mine.status + shared.status + hidden.status).toBe(603);
    // Someone else's personal view: as if it did not exist.
    expectError(await patch(bob, hidden.body.id, { name: "x" }, '"1"'), 404, "not_found");
    expectError(await remove(bob, hidden.body.id, '"1"'), 404, "not_found");
    expectError(
      await callRoute(getViewRoute, { path: "/", params: { id: hidden.body.id }, token: bob.token }),
      404,
      "not_found",
    );
  });

  it("lets viewers save personal views only", async () => {
    expect((await create(carol, { name: "Carol's", filter: MY_OPEN })).status).toBe(201);
    expectError(await create(carol, { name: "Carol shares", shared: true, filter: {} }), 403, "forbidden");
    const own = await create(carol, { name: "Carol 2", filter: {} });
    expectError(await patch(carol, own.body.id, { shared: true }, '"1"'), 403, "forbidden");
  });

  it("checks the filter, sort and columns like the list does: 422 naming each", async () => {
    const response = await create(alice, {
      name: "Bad",
      filter: { status: "Open" },
      sort: "nope",
      columns: ["title", "ghost"],
    });
    expectError(response, 422, "invalid");
    expect(Object.keys(response.body.fields).sort()).toEqual(["columns", "filter", "sort"]);
    expect(response.body.fields.filter).toContain("status");
    expectError(await create(alice, { name: "", filter: {} }), 422, "invalid");
    expectError(await create(alice, { name: "x", filter: [] }), 422, "invalid");
    expectError(await create(alice, { name: "x", filter: {}, extra: 1 }), 422, "invalid");
  });

  it("a shared view: its author or an admin may change or delete it, others get 403", async () => {
    const view = (await create(alice, { name: "Shared", shared: true, filter: {} })).body;
    expectError(await patch(bob, view.id, { name: "Bob's now" }, '"1"'), 403, "forbidden");
    expectError(await remove(bob, view.id, '"1"'), 403, "forbidden");
    const renamed = await patch(admin, view.id, { name: "Admin renamed" }, '"1"');
    expect(renamed.status).toBe(200);
    expect(renamed.headers.get("etag")).toBe('"2"');
    expect(renamed.body).toMatchObject({ name: "Admin renamed", version: 2, updatedBy: { id: admin.id } });
    expect((await remove(alice, view.id, '"2"')).status).toBe(204);
    expect((await listFor(alice)).body.items.map((v: ViewJson) => v.id)).not.toContain(view.id);
    const revisions = await queryRows<{ version: number; action: string }>(
      database.db,
      sql`select version, action from entity_revisions where kind = 'view' and entity_id = ${view.id} order by version`,
    );
    expect(revisions).toEqual([
      { version: 1, action: "create" },
      { version: 2, action: "update" },
      { version: 3, action: "delete" },
    ]);
  });

  it("needs If-Match (428, also for *), and answers a stale one with 412, the current view and the changes since", async () => {
    const view = (await create(alice, { name: "Versioned", shared: true, filter: {} })).body;
    expectError(await patch(alice, view.id, { name: "x" }), 428, "precondition_required");
    expectError(await patch(alice, view.id, { name: "x" }, "*"), 428, "precondition_required");
    expectError(await remove(alice, view.id), 428, "precondition_required");
    expect((await patch(alice, view.id, { filter: MY_OPEN }, '"1"')).status).toBe(200);
    const stale = await patch(alice, view.id, { name: "late" }, '"1"');
    expectError(stale, 412, "version_mismatch");
    expect(stale.headers.get("etag")).toBe('"2"');
    expect(stale.body.current).toMatchObject({ id: view.id, version: 2, filter: MY_OPEN, name: "Versioned" });
    expect(stale.body.changes).toEqual([
      expect.objectContaining({
        version: 2,
        action: "update",
        user: { id: alice.id, name: "Alice" },
        changes: { filter: { from: {}, to: MY_OPEN } },
      }),
    ]);
    expectError(await remove(alice, view.id, '"1"'), 412, "version_mismatch");
    expectError(await patch(alice, "not-a-uuid", { name: "x" }, '"1"'), 404, "not_found");
  });

  it("10 concurrent changes from one version, on two instances: exactly 1 accepted, 9 × 412", async () => {
    const view = (await create(alice, { name: "Race", shared: true, filter: {} })).body;
    // Half through the route handlers' pool, half straight on another pool: two app instances.
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        if (i % 2 === 0) return (await patch(alice, view.id, { name: `Race ${i}` }, '"1"')).status;
        const result = await updateView(database.db, alice, (id) => findCollectionById(database.db, id), {
          id: view.id,
          baseVersion: 1,
          changes: { name: `Race ${i}` },
        });
        return result.ok ? 200 : result.error.code === "version_mismatch" ? 412 : 500;
      }),
    );
    expect(outcomes.filter((s) => s === 200)).toHaveLength(1);
    expect(outcomes.filter((s) => s === 412)).toHaveLength(9);
    const [row] = await queryRows<{ version: number; revisions: number }>(
      database.db,
      sql`select v.version, (select count(*)::int from entity_revisions r where r.kind = 'view' and r.entity_id = v.id) as revisions
            from views v where v.id = ${view.id}`,
    );
    expect(row).toEqual({ version: 2, revisions: 2 });
  });

  it("answers 404 for an unknown collection", async () => {
    expectError(
      await callRoute(listViewsRoute, { path: "/", params: { slug: "nope" }, token: alice.token }),
      404,
      "not_found",
    );
  });

  it("remembers each person's columns and default view; deleting the view clears it as a default", async () => {
    const view = (await create(alice, { name: "Default", shared: true, filter: {} })).body;
    await setListPreferences(database.db, bob.id, collectionId, {
      columns: [{ key: "status", width: 120 }, { key: "title" }],
    });
    await setListPreferences(database.db, bob.id, collectionId, { defaultViewId: view.id });
    expect(await getListPreferences(database.db, bob.id, collectionId)).toEqual({
      columns: [{ key: "status", width: 120 }, { key: "title" }],
      defaultViewId: view.id,
    });
    expect(await getListPreferences(database.db, alice.id, collectionId)).toEqual({
      columns: null,
      defaultViewId: null,
    });
    expect((await remove(alice, view.id, '"1"')).status).toBe(204);
    expect((await getListPreferences(database.db, bob.id, collectionId)).defaultViewId).toBeNull();
  });
});
