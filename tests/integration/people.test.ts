import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as listCollections } from "@/app/api/collections/route";
import { POST as acceptInviteRoute } from "@/app/api/invites/[token]/route";
import * as meRoute from "@/app/api/me/route";
import { GET as getRecord, PATCH as patchRecord } from "@/app/api/records/[id]/route";
import { POST as signIn, DELETE as signOut } from "@/app/api/session/route";
import { DELETE as revokeToken } from "@/app/api/tokens/[id]/route";
import * as tokensRoute from "@/app/api/tokens/route";
import { POST as resetRoute } from "@/app/api/users/[id]/reset/route";
import * as userRoute from "@/app/api/users/[id]/route";
import * as usersRoute from "@/app/api/users/route";
import { queryRows } from "@/db/client";
import type { FieldDefinition } from "@/lib/fields";
import { acquireLease } from "@/lib/leases/acquire-lease";
import { callRoute, expectError } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import {
  createTestDatabase,
  createTestRecord,
  createUser,
  type TestDatabase,
  type TestUser,
} from "../support/test-database";

/** People, invites, API tokens and sessions (DESIGN.md "People and tokens"; issue 10, defect 10). */

const FIELDS: FieldDefinition[] = [{ key: "title", label: "Title", type: "text", required: true }];
const STRONG = "violet lantern orbit 42";

const setup = setUpTestDatabase({
  max: 20,
  collections: {
    tickets: { fields: FIELDS, name: "Tickets" },
    customers: { fields: FIELDS, name: "Customers", editMode: "lease" },
  },
  // The one admin with a password in this database: the last_admin tests rely on it.
  users: { ada: { role: "admin", name: "Ada" }, editor: { name: "Eddie" } },
});
let database: TestDatabase;
let ada: TestUser;
let editor: TestUser;
let tickets: string;
let customers: string;

beforeAll(() => {
  ({ database } = setup);
  tickets = setup.collections.tickets.slug;
  customers = setup.collections.customers.slug;
  ({ ada, editor } = setup.users);
});

let counter = 0;
const freshEmail = () => `person${++counter}-${Date.now()}@example.test`;

const invite = (json: unknown, as: { token?: string } = ada) =>
  callRoute(usersRoute.POST, { method: "POST", path: "/api/users", json, token: as.token });
const getUser = (id: string, as: { token?: string } = ada) =>
  callRoute(userRoute.GET, { path: `/api/users/${id}`, params: { id }, token: as.token });
const patchUser = (id: string, json: unknown, ifMatch: string | null, as: { token?: string } = ada) =>
  callRoute(userRoute.PATCH, {
    method: "PATCH",
    path: `/api/users/${id}`,
    params: { id },
    json,
    token: as.token,
    headers: ifMatch === null ? {} : { "if-match": ifMatch },
  });
const accept = (token: string, json: unknown) =>
  callRoute(acceptInviteRoute, { method: "POST", path: `/api/invites/${token}`, params: { token }, json });
const collections = (token: string) => callRoute(listCollections, { path: "/api/collections", token });
const tokenOf = (url: string) => new URL(url).pathname.replace("/invite/", "");

async function usersSnapshot() {
  return queryRows(
    database.db,
    sql`select id, email, name, role, active, version, password_hash from users order by id`,
  );
}

/** Invites and accepts: a signed-in person with a password, and their session token. */
async function newPerson(role: "viewer" | "editor" | "admin" = "editor", name = "Pat") {
  const invited = await invite({ email: freshEmail(), name, role });
  expect(invited.status).toBe(201);
  const accepted = await accept(tokenOf(invited.body.inviteUrl), { password: STRONG });
  expect(accepted.status).toBe(200);
  return { id: invited.body.user.id as string, token: accepted.body.token as string, email: invited.body.user.email };
}

describe("invites", () => {
  it("invite → accept → sign in: 201 {user, inviteUrl}, the link sets a password and signs in, once", async () => {
    const email = freshEmail();
    const invited = await invite({ email: `  ${email.toUpperCase()} `, name: "Ines", role: "editor" });
    expect(invited.status).toBe(201);
    expect(invited.body.user).toEqual({
      id: expect.any(String),
      email,
      name: "Ines",
      role: "editor",
      active: true,
      version: 1,
      createdAt: expect.any(String),
      lastSeenAt: null,
    });
    expect(invited.body.inviteUrl).toMatch(/^http:\/\/localhost:3000\/invite\/[A-Za-z0-9_-]{40,}$/);
    const token = tokenOf(invited.body.inviteUrl);
    // Stored hashed: the token itself is nowhere in the database.
    const [stored] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from invites where token_hash = ${token}`,
    );
    expect(stored?.n).toBe(0);

    // An invited person cannot sign in before accepting.
    const before = await callRoute(signIn, { method: "POST", path: "/api/session", json: { email, password: STRONG } });
    expectError(before, 401, "invalid_credentials");

    const accepted = await accept(token, { password: STRONG, name: "Ines Q" });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({
      user: { id: invited.body.user.id, name: "Ines Q", email, role: "editor" },
      token: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(accepted.headers.get("set-cookie")).toMatch(/tandem_session=.+HttpOnly/i);
    expect((await collections(accepted.body.token)).status).toBe(200);

    const signedIn = await callRoute(signIn, {
      method: "POST",
      path: "/api/session",
      json: { email, password: STRONG },
    });
    expect(signedIn.status).toBe(200);

    // Used: 404, and nothing changes.
    const snapshot = await usersSnapshot();
    expectError(await accept(token, { password: "another strong one 7" }), 404, "not_found");
    expect(await usersSnapshot()).toEqual(snapshot);

    const user = await getUser(invited.body.user.id);
    expect(user.body).toMatchObject({ version: 2, name: "Ines Q" });
    expect(Object.keys(user.body).sort()).toEqual(
      ["active", "createdAt", "email", "id", "lastSeenAt", "name", "role", "version"].sort(),
    );
    expect(user.headers.get("etag")).toBe('"2"');
  });

  it("an expired or unknown link is a 404; a weak password is a 422 naming password, and the link still works", async () => {
    const invited = await invite({ email: freshEmail(), name: "Exp", role: "viewer" });
    const token = tokenOf(invited.body.inviteUrl);
    const snapshot = await usersSnapshot();
    for (const weak of ["short", "password123", "qwertyuiop", "aaaaaaaaaaaa"]) {
      const answer = await accept(token, { password: weak });
      expectError(answer, 422, "invalid");
      expect(Object.keys(answer.body.fields)).toEqual(["password"]);
    }
    expect(await usersSnapshot()).toEqual(snapshot);
    expectError(await accept("x".repeat(43), { password: STRONG }), 404, "not_found");
    expectError(await accept("%00", { password: STRONG }), 404, "not_found");

    await queryRows(
      database.db,
      sql`update invites set expires_at = now() - interval '1 second' where used_at is null`,
    );
    expectError(await accept(token, { password: STRONG }), 404, "not_found");
    expect(await usersSnapshot()).toEqual(snapshot);
  });

  it("refuses a taken email (409 email_taken), bad fields (422 naming each), non-admins (403); people unchanged", async () => {
    const snapshot = await usersSnapshot();
    expectError(await invite({ email: ada.email.toUpperCase(), name: "Dup", role: "editor" }), 409, "email_taken");
    const bad = await invite({ email: `${"x".repeat(250)}@example.test`, name: "", role: "owner", extra: 1 });
    expectError(bad, 422, "invalid");
    expect(Object.keys(bad.body.fields).sort()).toEqual(["email", "extra", "name", "role"]);
    const types = await invite({ email: 5, name: ["a"], role: null });
    expect(Object.keys(types.body.fields).sort()).toEqual(["email", "name", "role"]);
    expectError(await invite({ email: "not-an-email", name: "N", role: "editor" }), 422, "invalid");
    expectError(await invite({ email: freshEmail(), name: "N", role: "editor" }, editor), 403, "forbidden");
    expectError(await invite({ email: freshEmail(), name: "N", role: "editor" }, {}), 401, "unauthenticated");
    const malformed = await callRoute(usersRoute.POST, {
      method: "POST",
      path: "/api/users",
      body: "{",
      token: ada.token,
    });
    expectError(malformed, 400, "malformed_json");
    expect(await usersSnapshot()).toEqual(snapshot);
  });
});

describe("PATCH /api/users/:id", () => {
  it("changes a person with If-Match: 200, new ETag, one revision; 428 without; 412 with the changes when stale", async () => {
    const person = await newPerson("editor", "Ravi");
    const start = (await getUser(person.id)).body.version as number;
    expectError(await patchUser(person.id, { name: "Ravi K" }, null), 428, "precondition_required");
    expectError(await patchUser(person.id, { name: "Ravi K" }, "*"), 428, "precondition_required");
    const ok = await patchUser(person.id, { name: "Ravi K", role: "viewer" }, `"${start}"`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ name: "Ravi K", role: "viewer", version: start + 1 });
    expect(ok.headers.get("etag")).toBe(`"${start + 1}"`);

    const stale = await patchUser(person.id, { name: "Other" }, `"${start}"`);
    expectError(stale, 412, "version_mismatch");
    expect(stale.body.current).toMatchObject({ id: person.id, name: "Ravi K", version: start + 1 });
    expect(stale.body.changes).toEqual([
      {
        version: start + 1,
        action: "update",
        user: { id: ada.id, name: "Ada" },
        at: expect.any(String),
        changes: { name: { from: "Ravi", to: "Ravi K" }, role: { from: "editor", to: "viewer" } },
      },
    ]);
    // A lowered role takes effect at once: the next write is a 403.
    const record = await createTestRecord(database.db, editor, { slug: tickets }, { title: "T" });
    const write = await callRoute(patchRecord, {
      method: "PATCH",
      path: `/api/records/${record.id}`,
      params: { id: record.id },
      token: person.token,
      json: { data: { title: "U" } },
      headers: { "if-match": '"1"' },
    });
    expectError(write, 403, "forbidden");
  });

  it("10 concurrent PATCHes of one person from one version: exactly 1 × 200, 9 × 412, one revision", async () => {
    const person = await newPerson("editor", "Concurrent");
    const start = (await getUser(person.id)).body.version as number;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        patchUser(person.id, { name: `Name ${i}`, role: i % 2 ? "viewer" : "editor" }, `"${start}"`),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(412)]);
    const [count] = await queryRows<{ n: number; version: number }>(
      database.db,
      sql`select count(*)::int as n, max(version) as version from entity_revisions
           where kind = 'user' and entity_id = ${person.id} and version > ${start}`,
    );
    expect(count).toEqual({ n: 1, version: start + 1 });
  });

  it("hostile input: 4xx for wrong types, huge strings, unknown keys, an empty patch and non-uuid ids; nothing changes", async () => {
    const person = await newPerson("viewer", "Hostile");
    const version = (await getUser(person.id)).body.version as number;
    const snapshot = await usersSnapshot();
    const tag = `"${version}"`;
    for (const body of [
      { active: "no" },
      { role: "owner" },
      { name: "x".repeat(10_000) },
      { name: 12 },
      { email: "new@example.test" },
      {},
      ["active"],
      null,
    ]) {
      expectError(await patchUser(person.id, body, tag), 422, "invalid");
    }
    expectError(await getUser("not-a-uuid"), 404, "not_found");
    expectError(await patchUser("not-a-uuid", { name: "X" }, tag), 404, "not_found");
    expectError(await patchUser("00000000-0000-4000-8000-000000000000", { name: "X" }, tag), 404, "not_found");
    expectError(await patchUser(person.id, { name: "X" }, tag, editor), 403, "forbidden");
    expectError(await patchUser(person.id, { name: "X" }, "garbage"), 400, "bad_request");
    expect(await usersSnapshot()).toEqual(snapshot);
  });
});

describe("API tokens", () => {
  it("a read token reads (200) and gets 403 on every write; shown once, stored hashed, prefix tdm_", async () => {
    const created = await callRoute(tokensRoute.POST, {
      method: "POST",
      path: "/api/tokens",
      token: editor.token,
      json: { name: "reports", scope: "read", expiresInDays: 30 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: "reports",
      scope: "read",
      token: expect.stringMatching(/^tdm_[A-Za-z0-9_-]{40,}$/),
      expiresAt: expect.any(String),
    });
    const read = created.body.token as string;
    const [row] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from api_tokens where token_hash = ${read} or prefix = ${read}`,
    );
    expect(row?.n).toBe(0);

    expect((await collections(read)).status).toBe(200);
    const record = await createTestRecord(database.db, editor, { slug: tickets }, { title: "Read me" });
    expect(
      (await callRoute(getRecord, { path: `/api/records/${record.id}`, params: { id: record.id }, token: read }))
        .status,
    ).toBe(200);
    const write = await callRoute(patchRecord, {
      method: "PATCH",
      path: `/api/records/${record.id}`,
      params: { id: record.id },
      token: read,
      json: { data: { title: "Nope" } },
      headers: { "if-match": '"1"' },
    });
    expectError(write, 403, "forbidden");
    expectError(
      await callRoute(tokensRoute.POST, {
        method: "POST",
        path: "/api/tokens",
        token: read,
        json: { name: "x", scope: "write" },
      }),
      403,
      "forbidden",
    );
    expectError(
      await callRoute(meRoute.PATCH, {
        method: "PATCH",
        path: "/api/me",
        token: read,
        json: { currentPassword: "x", name: "Y" },
      }),
      403,
      "forbidden",
    );
    expect(
      (
        await callRoute(getRecord, {
          path: `/api/records/${record.id}`,
          params: { id: record.id },
          token: editor.token,
        })
      ).body.version,
    ).toBe(1);

    const listed = await callRoute(tokensRoute.GET, { path: "/api/tokens", token: editor.token });
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        id: created.body.id,
        name: "reports",
        scope: "read",
        prefix: read.slice(0, 12),
        lastUsedAt: expect.any(String),
      }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(read);
  });

  it("a write token writes; revoked → 401 at once; expired → 401; only its owner or an admin revokes", async () => {
    const created = await callRoute(tokensRoute.POST, {
      method: "POST",
      path: "/api/tokens",
      token: editor.token,
      json: { name: "sync", scope: "write" },
    });
    const write = created.body.token as string;
    expect(created.body.expiresAt).toBeNull();
    const record = await createTestRecord(database.db, editor, { slug: tickets }, { title: "Write me" });
    const patched = await callRoute(patchRecord, {
      method: "PATCH",
      path: `/api/records/${record.id}`,
      params: { id: record.id },
      token: write,
      json: { data: { title: "Written" } },
      headers: { "if-match": '"1"' },
    });
    expect(patched.status).toBe(200);

    const other = await newPerson("editor", "Other");
    const byOther = await callRoute(revokeToken, {
      method: "DELETE",
      path: `/api/tokens/${created.body.id}`,
      params: { id: created.body.id },
      token: other.token,
    });
    expectError(byOther, 404, "not_found");
    expect((await collections(write)).status).toBe(200);
    const revoked = await callRoute(revokeToken, {
      method: "DELETE",
      path: `/api/tokens/${created.body.id}`,
      params: { id: created.body.id },
      token: editor.token,
    });
    expect(revoked.status).toBe(204);
    expectError(await collections(write), 401, "unauthenticated");

    const expiring = await callRoute(tokensRoute.POST, {
      method: "POST",
      path: "/api/tokens",
      token: editor.token,
      json: { name: "soon", scope: "read", expiresInDays: 1 },
    });
    expect((await collections(expiring.body.token)).status).toBe(200);
    await queryRows(
      database.db,
      sql`update api_tokens set expires_at = now() - interval '1 second' where id = ${expiring.body.id}`,
    );
    expectError(await collections(expiring.body.token), 401, "unauthenticated");
    expectError(await collections("tdm_forged"), 401, "unauthenticated");

    // Admins see and revoke everyone's.
    const another = await callRoute(tokensRoute.POST, {
      method: "POST",
      path: "/api/tokens",
      token: editor.token,
      json: { name: "admin revokes", scope: "read" },
    });
    const all = await callRoute(tokensRoute.GET, { path: "/api/tokens?all=1", token: ada.token });
    expect(all.body.items.map((t: { id: string }) => t.id)).toContain(another.body.id);
    expectError(await callRoute(tokensRoute.GET, { path: "/api/tokens?all=1", token: editor.token }), 403, "forbidden");
    const byAdmin = await callRoute(revokeToken, {
      method: "DELETE",
      path: `/api/tokens/${another.body.id}`,
      params: { id: another.body.id },
      token: ada.token,
    });
    expect(byAdmin.status).toBe(204);
    expectError(await collections(another.body.token), 401, "unauthenticated");
  });

  it("hostile token requests get 4xx naming the fields", async () => {
    const bad = await callRoute(tokensRoute.POST, {
      method: "POST",
      path: "/api/tokens",
      token: editor.token,
      json: { name: "x".repeat(1000), scope: "admin", expiresInDays: 1.5, extra: true },
    });
    expectError(bad, 422, "invalid");
    expect(Object.keys(bad.body.fields).sort()).toEqual(["expiresInDays", "extra", "name", "scope"]);
    expectError(
      await callRoute(revokeToken, {
        method: "DELETE",
        path: "/api/tokens/nope",
        params: { id: "nope" },
        token: editor.token,
      }),
      404,
      "not_found",
    );
    expectError(await callRoute(tokensRoute.GET, { path: "/api/tokens?all=yes", token: ada.token }), 400, "bad_query");
  });
});

describe("me", () => {
  it("GET /api/me; PATCH needs the current password (422 naming it), checks the new one, ends my other sessions", async () => {
    const person = await newPerson("editor", "Mia");
    const me = await callRoute(meRoute.GET, { path: "/api/me", token: person.token });
    expect(me.body).toMatchObject({ id: person.id, name: "Mia", role: "editor", active: true });
    const snapshot = await usersSnapshot();
    const wrong = await callRoute(meRoute.PATCH, {
      method: "PATCH",
      path: "/api/me",
      token: person.token,
      json: { name: "Mia B", currentPassword: "not it at all" },
    });
    expectError(wrong, 422, "invalid");
    expect(Object.keys(wrong.body.fields)).toEqual(["currentPassword"]);
    const weak = await callRoute(meRoute.PATCH, {
      method: "PATCH",
      path: "/api/me",
      token: person.token,
      json: { password: "password1234", currentPassword: STRONG },
    });
    expect(Object.keys(weak.body.fields)).toEqual(["password"]);
    const missing = await callRoute(meRoute.PATCH, {
      method: "PATCH",
      path: "/api/me",
      token: person.token,
      json: { name: "M" },
    });
    expect(Object.keys(missing.body.fields)).toEqual(["currentPassword"]);
    expect(await usersSnapshot()).toEqual(snapshot);

    const other = await callRoute(signIn, {
      method: "POST",
      path: "/api/session",
      json: { email: person.email, password: STRONG },
    });
    const changed = await callRoute(meRoute.PATCH, {
      method: "PATCH",
      path: "/api/me",
      token: person.token,
      json: { name: "Mia B", password: "a new strong passphrase", currentPassword: STRONG },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: "Mia B" });
    expect((await collections(person.token)).status).toBe(200);
    expectError(await collections(other.body.token), 401, "unauthenticated");
    expectError(await callRoute(meRoute.GET, { path: "/api/me" }), 401, "unauthenticated");
  });
});

describe("sessions", () => {
  it("sign out everywhere ends every session of mine (204), not my API tokens", async () => {
    const person = await newPerson("editor", "Sol");
    const second = await callRoute(signIn, {
      method: "POST",
      path: "/api/session",
      json: { email: person.email, password: STRONG },
    });
    const token = await callRoute(tokensRoute.POST, {
      method: "POST",
      path: "/api/tokens",
      token: person.token,
      json: { name: "script", scope: "read" },
    });
    const everywhere = await callRoute(signOut, {
      method: "DELETE",
      path: "/api/session?everywhere=1",
      token: person.token,
    });
    expect(everywhere.status).toBe(204);
    expectError(await collections(person.token), 401, "unauthenticated");
    expectError(await collections(second.body.token), 401, "unauthenticated");
    expect((await collections(token.body.token)).status).toBe(200);
    expectError(
      await callRoute(signOut, { method: "DELETE", path: "/api/session?everywhere=1" }),
      401,
      "unauthenticated",
    );
    expectError(await callRoute(signOut, { method: "DELETE", path: "/api/session?everywhere=yes" }), 400, "bad_query");
  });

  it("a session idle longer than SESSION_IDLE_MINUTES ends; use within it keeps it and marks last seen", async () => {
    const person = await newPerson("editor", "Idle");
    await queryRows(
      database.db,
      sql`update sessions set last_seen_at = now() - interval '5 minutes' where user_id = ${person.id}`,
    );
    expect((await collections(person.token)).status).toBe(200);
    const [seen] = await queryRows<{ session_fresh: boolean; user_seen: boolean }>(
      database.db,
      sql`select bool_and(s.last_seen_at > now() - interval '1 minute') as session_fresh,
                 bool_and(u.last_seen_at > now() - interval '1 minute') as user_seen
            from sessions s join users u on u.id = s.user_id where u.id = ${person.id}`,
    );
    expect(seen).toEqual({ session_fresh: true, user_seen: true });
    await queryRows(
      database.db,
      sql`update sessions set last_seen_at = now() - interval '721 minutes' where user_id = ${person.id}`,
    );
    expectError(await collections(person.token), 401, "unauthenticated");
    process.env.SESSION_IDLE_MINUTES = "800";
    try {
      expect((await collections(person.token)).status).toBe(200);
    } finally {
      delete process.env.SESSION_IDLE_MINUTES;
    }
  });

  it("expired and idle sessions are purged", async () => {
    const { purgeExpiredSessions } = await import("@/lib/auth/sessions");
    const person = await newPerson("viewer", "Purge");
    await queryRows(
      database.db,
      sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${person.id}`,
    );
    await purgeExpiredSessions(database.db, { force: true });
    const [left] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from sessions where user_id = ${person.id}`,
    );
    expect(left?.n).toBe(0);
  });

  it("a reset link ends the person's sessions; the link sets a new password", async () => {
    const person = await newPerson("editor", "Reset");
    const reset = await callRoute(resetRoute, {
      method: "POST",
      path: `/api/users/${person.id}/reset`,
      params: { id: person.id },
      token: ada.token,
    });
    expect(reset.status).toBe(200);
    expect(reset.body.resetUrl).toMatch(/\/invite\/[A-Za-z0-9_-]+$/);
    expectError(await collections(person.token), 401, "unauthenticated");
    const accepted = await accept(tokenOf(reset.body.resetUrl), { password: "brand new passphrase 9" });
    expect(accepted.status).toBe(200);
    expectError(
      await callRoute(resetRoute, {
        method: "POST",
        path: "/api/users/x/reset",
        params: { id: "x" },
        token: ada.token,
      }),
      404,
      "not_found",
    );
  });
});

describe("deactivation", () => {
  it("ends sessions and tokens (401), refuses sign-in, releases leases with a lease_events row; reactivation lets them sign in", async () => {
    const person = await newPerson("editor", "Dee");
    const token = await callRoute(tokensRoute.POST, {
      method: "POST",
      path: "/api/tokens",
      token: person.token,
      json: { name: "script", scope: "write" },
    });
    const record = await createTestRecord(database.db, editor, { slug: customers }, { title: "Leased" });
    const actor = { id: person.id, name: "Dee", email: person.email, role: "editor" as const };
    const lease = await acquireLease(database.db, actor, { recordId: record.id });
    expect(lease.ok).toBe(true);

    const version = (await getUser(person.id)).body.version as number;
    const off = await patchUser(person.id, { active: false }, `"${version}"`);
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);

    expectError(await collections(person.token), 401, "unauthenticated");
    expectError(await collections(token.body.token), 401, "unauthenticated");
    expectError(
      await callRoute(signIn, {
        method: "POST",
        path: "/api/session",
        json: { email: person.email, password: STRONG },
      }),
      401,
      "invalid_credentials",
    );
    const leases = await queryRows(database.db, sql`select 1 from leases where user_id = ${person.id}`);
    expect(leases).toHaveLength(0);
    const events = await queryRows<{ action: string; actor_id: string; previous_holder_id: string }>(
      database.db,
      sql`select action, actor_id, previous_holder_id from lease_events where record_id = ${record.id}`,
    );
    expect(events).toEqual([{ action: "deactivated", actor_id: ada.id, previous_holder_id: person.id }]);

    const on = await patchUser(person.id, { active: true }, `"${version + 1}"`);
    expect(on.status).toBe(200);
    const again = await callRoute(signIn, {
      method: "POST",
      path: "/api/session",
      json: { email: person.email, password: STRONG },
    });
    expect(again.status).toBe(200);
    // Revoked tokens stay revoked.
    expectError(await collections(token.body.token), 401, "unauthenticated");
  });
});

describe("last_admin", () => {
  it("the last active admin with a password cannot be demoted or deactivated (409); an invited admin does not count", async () => {
    const version = (await getUser(ada.id)).body.version as number;
    const snapshot = await usersSnapshot();
    expectError(await patchUser(ada.id, { role: "editor" }, `"${version}"`), 409, "last_admin");
    expectError(await patchUser(ada.id, { active: false }, `"${version}"`), 409, "last_admin");

    const invitedAdmin = await invite({ email: freshEmail(), name: "Invited Admin", role: "admin" });
    expect(invitedAdmin.status).toBe(201);
    const afterInvite = await usersSnapshot();
    expectError(await patchUser(ada.id, { role: "viewer" }, `"${version}"`), 409, "last_admin");
    expect(await usersSnapshot()).toEqual(afterInvite);
    expect(afterInvite.length).toBe(snapshot.length + 1);

    // A second admin who accepted: now Ada may step down, and the other is the last.
    const other = await accept(tokenOf(invitedAdmin.body.inviteUrl), { password: STRONG });
    expect(other.status).toBe(200);
    const down = await patchUser(ada.id, { role: "editor" }, `"${version}"`);
    expect(down.status).toBe(200);
    const otherVersion = (await callRoute(meRoute.GET, { path: "/api/me", token: other.body.token })).body
      .version as number;
    expectError(
      await patchUser(invitedAdmin.body.user.id, { active: false }, `"${otherVersion}"`, { token: other.body.token }),
      409,
      "last_admin",
    );
  });
});

describe("last_admin under concurrency", () => {
  it("two admins demoting each other at the same moment: exactly one succeeds, one admin remains (5 rounds)", async () => {
    const { updateUser } = await import("@/lib/users/people");
    const own = await createTestDatabase({ max: 6 });
    try {
      for (let round = 0; round < 5; round++) {
        const a = await createUser(own.db, { role: "admin", name: `A${round}` });
        const b = await createUser(own.db, { role: "admin", name: `B${round}` });
        // Only these two are active admins with a password.
        await queryRows(
          own.db,
          sql`update users set active = false where role = 'admin' and id not in (${a.id}, ${b.id})`,
        );
        const outcomes = await Promise.all([
          updateUser(own.db, a, { userId: b.id, baseVersion: 1, patch: { role: "editor" } }),
          updateUser(own.db, b, { userId: a.id, baseVersion: 1, patch: { active: false } }),
        ]);
        expect(outcomes.map((o) => (o.ok ? "ok" : o.error.code)).sort()).toEqual(["last_admin", "ok"]);
        const [left] = await queryRows<{ n: number }>(
          own.db,
          sql`select count(*)::int as n from users where role = 'admin' and active and password_hash is not null`,
        );
        expect(left?.n).toBe(1);
      }
    } finally {
      await own.drop();
    }
  });
});

describe("a read-only database", () => {
  it("still authenticates sessions and tokens for reading: marking them seen is best-effort", async () => {
    const { authorize } = await import("@/lib/auth/authorize");
    const { openPostgres } = await import("@/db/client");
    const own = await createTestDatabase({ max: 2 });
    try {
      const person = await createUser(own.db, { name: "Reader" });
      const { createApiToken } = await import("@/lib/auth/api-tokens");
      const token = await createApiToken(own.db, person, { name: "ro", scope: "read" });
      await queryRows(own.db, sql`update sessions set last_seen_at = now() - interval '5 minutes'`);
      await queryRows(
        own.db,
        sql.raw(`alter database "${new URL(own.url).pathname.slice(1)}" set default_transaction_read_only = on`),
      );
      const readOnly = await openPostgres(own.url, { max: 1 });
      try {
        const bySession = await authorize(readOnly.db, person.token, "viewer");
        const byToken = await authorize(readOnly.db, token.token, "viewer");
        expect([bySession.ok, byToken.ok]).toEqual([true, true]);
      } finally {
        await readOnly.close();
      }
    } finally {
      await own.drop();
    }
  });
});
