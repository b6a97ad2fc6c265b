import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import * as leaseRoute from "@/app/api/records/[id]/lease/route";
import * as recordRoute from "@/app/api/records/[id]/route";
import { queryRows } from "@/db/client";
import type { FieldDefinition } from "@/lib/fields";
import { acquireLease } from "@/lib/leases/acquire-lease";
import { type ApiResponse, callRoute, ORIGIN } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { createTestRecord, type TestDatabase, type TestUser } from "../support/test-database";

/** The lease endpoints (DESIGN.md, HTTP API), called as Next calls the route handlers. */

const FIELDS: FieldDefinition[] = [
  { key: "name", label: "Name", type: "text", required: true },
  { key: "notes", label: "Notes", type: "longtext" },
];

const setup = setUpTestDatabase({
  collections: { customers: { fields: FIELDS, editMode: "lease" }, tickets: { fields: FIELDS } },
  users: {
    alice: { name: "Alice" },
    bob: { name: "Bob" },
    carol: { name: "Carol", role: "viewer" },
    admin: { name: "Admin", role: "admin" },
  },
});
let database: TestDatabase;
let customers: string;
let tickets: string;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let admin: TestUser;

beforeAll(() => {
  ({ database } = setup);
  customers = setup.collections.customers.slug;
  tickets = setup.collections.tickets.slug;
  ({ alice, bob, carol, admin } = setup.users);
});

const lease = {
  get: (id: string, as?: TestUser) =>
    callRoute(leaseRoute.GET, { path: `/api/records/${id}/lease`, params: { id }, token: as?.token }),
  post: (id: string, as?: TestUser, query = "", body?: unknown) =>
    callRoute(leaseRoute.POST, {
      method: "POST",
      path: `/api/records/${id}/lease${query}`,
      params: { id },
      token: as?.token,
      ...(typeof body === "string" ? { body } : body === undefined ? {} : { json: body }),
    }),
  delete: (id: string, as?: TestUser, query = "") =>
    callRoute(leaseRoute.DELETE, {
      method: "DELETE",
      path: `/api/records/${id}/lease${query}`,
      params: { id },
      token: as?.token,
    }),
};

function patch(id: string, as: TestUser, version: number, data: Record<string, unknown>): Promise<ApiResponse> {
  return callRoute(recordRoute.PATCH, {
    method: "PATCH",
    path: `/api/records/${id}`,
    params: { id },
    token: as.token,
    json: { data },
    headers: { "if-match": `"${version}"` },
  });
}

async function newCustomer(): Promise<string> {
  return (await createTestRecord(database.db, admin, { slug: customers }, { name: "Ada Lovelace" })).id;
}

async function expireLease(recordId: string): Promise<void> {
  await queryRows(
    database.db,
    sql`update leases set expires_at = now() - interval '1 second' where record_id = ${recordId}`,
  );
}

describe("POST /api/records/:id/lease", () => {
  it("acquires (200) and renews for the holder; anyone else gets 423 naming the holder", async () => {
    const id = await newCustomer();

    const acquired = await lease.post(id, alice);
    expect(acquired.status).toBe(200);
    const body = acquired.body as Record<string, unknown>;
    expect(body).toMatchObject({
      recordId: id,
      holder: { id: alice.id, name: "Alice" },
      acquiredAt: expect.any(String),
      renewedAt: expect.any(String),
      expiresAt: expect.any(String),
      expired: false,
    });

    const locked = await lease.post(id, bob);
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({
      error: "locked",
      message: expect.stringContaining("Alice is editing this record"),
      holder: { id: alice.id, name: "Alice" },
      acquiredAt: body.acquiredAt,
      expiresAt: body.expiresAt,
    });

    const renewed = await lease.post(id, alice);
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ holder: { id: alice.id }, acquiredAt: body.acquiredAt });

    const seen = await lease.get(id, carol);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ holder: { id: alice.id, name: "Alice" }, expired: false });
  });

  it("?takeover=1: 403 for an editor before expiry, 422 for an admin without a reason, 200 with one", async () => {
    const id = await newCustomer();
    expect((await lease.post(id, alice)).status).toBe(200);

    const editor = await lease.post(id, bob, "?takeover=1", { reason: "I need it" });
    expect(editor.status).toBe(403);
    expect(editor.body).toMatchObject({ error: "forbidden" });
    const noReason = await lease.post(id, admin, "?takeover=1");
    expect(noReason.status).toBe(422);
    expect(noReason.body).toMatchObject({ error: "invalid", fields: { reason: expect.any(String) } });

    const taken = await lease.post(id, admin, "?takeover=1", { reason: "Month-end close" });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ holder: { id: admin.id, name: "Admin" } });
    const [event] = await queryRows<{ actor_id: string; previous_holder_id: string; reason: string }>(
      database.db,
      sql`select actor_id, previous_holder_id, reason from lease_events where record_id = ${id}`,
    );
    expect(event).toEqual({ actor_id: admin.id, previous_holder_id: alice.id, reason: "Month-end close" });
  });

  it("?takeover=1 after expiry: any editor takes it (200)", async () => {
    const id = await newCustomer();
    expect((await lease.post(id, alice)).status).toBe(200);
    await expireLease(id);

    const taken = await lease.post(id, bob, "?takeover=1");
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ holder: { id: bob.id, name: "Bob" }, expired: false });
  });

  it("answers 401, 403 (viewer), 404, 409 (optimistic collection), 400 (malformed JSON)", async () => {
    const id = await newCustomer();
    const optimistic = await createTestRecord(database.db, admin, { slug: tickets }, { name: "Printer jams" });

    expect((await lease.post(id)).status).toBe(401);
    expect((await lease.get(id)).status).toBe(401);
    expect((await lease.post(id, carol)).status).toBe(403);
    expect((await lease.post(crypto.randomUUID(), alice)).status).toBe(404);
    expect((await lease.get("not-a-record", carol)).status).toBe(404);
    // Ids enter at the route: one that is not a uuid names nothing, whatever the method.
    for (const call of [lease.get, lease.post, lease.delete]) {
      const response = await call("not-a-uuid", admin);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ error: "not_found" });
    }
    const notLeased = await lease.post(optimistic.id, alice);
    expect(notLeased.status).toBe(409);
    expect(notLeased.body).toMatchObject({ error: "not_leased" });
    expect((await lease.post(id, admin, "?takeover=1", "{oops")).status).toBe(400);
    expect((await lease.get(id, carol)).body).toEqual({ holder: null });
  });
});

describe("POST /api/records/:id/lease, its optional body", () => {
  it("takes no body, a blank one, or {reason}; 413 too_large for one over 1 MiB, 422 for unknown keys", async () => {
    const id = await newCustomer();
    expect((await lease.post(id, alice)).status).toBe(200);
    expect((await lease.post(id, alice, "", "  \n")).status).toBe(200);
    expect((await lease.post(id, alice, "", {})).status).toBe(200);

    const huge = await lease.post(id, admin, "?takeover=1", { reason: "x".repeat(1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ error: "too_large" });
    const unknown = await lease.post(id, admin, "?takeover=1", { reason: "Audit", force: true });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ error: "invalid", fields: { force: "Unknown field" } });
    expect((await lease.get(id, carol)).body).toMatchObject({ holder: { id: alice.id } });
  });
});

describe("PATCH in a lease collection", () => {
  it("is 423 naming the holder for anyone else, and keeps the version check (412) for the holder", async () => {
    const id = await newCustomer();
    expect((await lease.post(id, alice)).status).toBe(200);

    const byBob = await patch(id, bob, 1, { notes: "Bob was here" });
    expect(byBob.status).toBe(423);
    expect(byBob.body).toMatchObject({ error: "locked", holder: { id: alice.id, name: "Alice" } });

    const byAlice = await patch(id, alice, 1, { notes: "Alice's notes" });
    expect(byAlice.status).toBe(200);
    expect(byAlice.headers.get("etag")).toBe('"2"');
    const stale = await patch(id, alice, 1, { notes: "stale" });
    expect(stale.status).toBe(412);

    // After an admin's take-over, the old holder's next PATCH is refused naming the admin.
    expect((await lease.post(id, admin, "?takeover=1", { reason: "Review" })).status).toBe(200);
    const afterTakeover = await patch(id, alice, 2, { notes: "Alice again" });
    expect(afterTakeover.status).toBe(423);
    expect(afterTakeover.body).toMatchObject({ error: "locked", holder: { id: admin.id, name: "Admin" } });
    const [row] = await queryRows<{ version: number; notes: string }>(
      database.db,
      sql`select version, data ->> 'notes' as notes from records where id = ${id}`,
    );
    expect(row).toEqual({ version: 2, notes: "Alice's notes" });
  });
});

describe("DELETE /api/records/:id/lease", () => {
  it("is 403 for another editor, 204 for the holder, and 204 for an admin breaking it (?reason= recorded)", async () => {
    const id = await newCustomer();
    expect((await lease.post(id, alice)).status).toBe(200);

    const byBob = await lease.delete(id, bob);
    expect(byBob.status).toBe(403);
    expect(byBob.body).toMatchObject({ error: "forbidden" });
    expect((await lease.delete(id, alice)).status).toBe(204);
    expect((await lease.get(id, carol)).body).toEqual({ holder: null });

    expect((await lease.post(id, bob)).status).toBe(200);
    // Breaking someone else's lease needs a reason (issue 10, defect 10): 422 naming it, lease kept.
    for (const query of ["", "?reason=", "?reason=%20%20"]) {
      const noReason = await lease.delete(id, admin, query);
      expect(noReason.status).toBe(422);
      expect(noReason.body).toMatchObject({ error: "invalid", fields: { reason: expect.stringContaining("Say why") } });
    }
    expect((await lease.get(id, carol)).body).toMatchObject({ holder: { id: bob.id } });
    expect((await lease.delete(id, admin, "?reason=Bob%20went%20home")).status).toBe(204);
    const [event] = await queryRows<{ action: string; previous_holder_id: string; reason: string }>(
      database.db,
      sql`select action, previous_holder_id, reason from lease_events where record_id = ${id}`,
    );
    expect(event).toEqual({ action: "break", previous_holder_id: bob.id, reason: "Bob went home" });
  });

  it("?tab= lets a closing tab go without releasing what another tab of the same user holds; 400 for a bad tab", async () => {
    const id = await newCustomer();
    const tab = "33333333-3333-4333-8333-333333333333";
    const otherTab = "44444444-4444-4444-8444-444444444444";
    expect((await acquireLease(database.db, alice, { recordId: id, tab })).ok).toBe(true);

    const bad = await lease.delete(id, alice, "?tab=not-a-uuid");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: "bad_query", message: expect.stringContaining("tab") });

    expect((await lease.delete(id, alice, `?tab=${otherTab}`)).status).toBe(204);
    expect((await lease.get(id, carol)).body).toMatchObject({ holder: { id: alice.id } });
    expect((await lease.delete(id, alice, `?tab=${tab}`)).status).toBe(204);
    expect((await lease.get(id, carol)).body).toEqual({ holder: null });
  });

  it("accepts the page's own cookie-authenticated release (pagehide) and refuses a cross-origin one", async () => {
    const id = await newCustomer();
    expect((await lease.post(id, alice)).status).toBe(200);
    const release = (origin: string) =>
      callRoute(leaseRoute.DELETE, {
        method: "DELETE",
        path: `/api/records/${id}/lease`,
        params: { id },
        cookie: alice.token,
        headers: { origin },
      });

    const crossSite = await release("https://evil.example");
    expect(crossSite.status).toBe(403);
    expect((await lease.get(id, carol)).body).toMatchObject({ holder: { id: alice.id } });

    const sameSite = await release(ORIGIN);
    expect(sameSite.status).toBe(204);
    expect((await lease.get(id, carol)).body).toEqual({ holder: null });
  });
});
