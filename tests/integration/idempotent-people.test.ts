import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as acceptInviteRoute } from "@/app/api/invites/[token]/route";
import { DELETE as revokeToken } from "@/app/api/tokens/[id]/route";
import * as tokensRoute from "@/app/api/tokens/route";
import * as usersRoute from "@/app/api/users/route";
import { queryRows } from "@/db/client";
import { callRoute, closeRouteDatabase, expectError, useDatabaseInRoutes } from "../support/api";
import { createTestDatabase, createUser, type TestDatabase, type TestUser } from "../support/test-database";

/**
 * Idempotency-Key on POST /api/users and DELETE /api/tokens/:id (DESIGN.md: a repeat of an
 * applied request returns the first answer; issue 10).
 */

const STRONG = "violet lantern orbit 42";

let database: TestDatabase;
let ada: TestUser;
let editor: TestUser;

beforeAll(async () => {
  database = await createTestDatabase({ max: 20 });
  useDatabaseInRoutes(database);
  ada = await createUser(database.db, { role: "admin", name: "Ada" });
  editor = await createUser(database.db, { name: "Eddie" });
});

afterAll(async () => {
  await closeRouteDatabase();
  await database?.drop();
});

const invite = (json: unknown, key: string) =>
  callRoute(usersRoute.POST, {
    method: "POST",
    path: "/api/users",
    token: ada.token,
    json,
    headers: { "idempotency-key": key },
  });

const linkToken = (url: string) => new URL(url).pathname.split("/").pop() ?? "";

const accept = (token: string) =>
  callRoute(acceptInviteRoute, {
    method: "POST",
    path: `/api/invites/${token}`,
    params: { token },
    json: { password: STRONG },
  });

async function peopleWithEmail(email: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from users where email = ${email}`,
  );
  return row?.n ?? -1;
}

describe("POST /api/users with an Idempotency-Key", () => {
  it("a repeat invites no one again: the same person, and a fresh link that replaces the first", async () => {
    const body = { email: "once@example.test", name: "Once", role: "editor" };
    const first = await invite(body, "invite-once");
    const again = await invite(body, "invite-once");
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.user).toEqual(first.body.user);
    expect(await peopleWithEmail("once@example.test")).toBe(1);
    // Only the link's hash is kept: the repeat's link replaces the first one.
    expectError(await accept(linkToken(first.body.inviteUrl)), 404, "not_found");
    expect((await accept(linkToken(again.body.inviteUrl))).status).toBe(200);
    // Once the link is used, a repeat still names the person, with no link to give.
    const late = await invite(body, "invite-once");
    expect(late.status).toBe(201);
    expect(late.body).toMatchObject({ user: { id: first.body.user.id }, inviteUrl: null });
  });

  it("the same key for someone else is 422 idempotency_mismatch, and invites no one", async () => {
    expect((await invite({ email: "a@example.test", name: "A", role: "viewer" }, "k-mismatch")).status).toBe(201);
    const other = await invite({ email: "b@example.test", name: "B", role: "viewer" }, "k-mismatch");
    expectError(other, 422, "idempotency_mismatch");
    expect(await peopleWithEmail("b@example.test")).toBe(0);
  });

  it("ten concurrent sends of one invite make one person, and all ten answer 201 with them", async () => {
    const body = { email: "race@example.test", name: "Race", role: "editor" };
    const answers = await Promise.all(Array.from({ length: 10 }, () => invite(body, "invite-race")));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.user.id)).size).toBe(1);
    expect(await peopleWithEmail("race@example.test")).toBe(1);
  });

  it("without a key, a second invite of the same email is still 409 email_taken", async () => {
    const body = { email: "twice@example.test", name: "Twice", role: "editor" };
    const send = () => callRoute(usersRoute.POST, { method: "POST", path: "/api/users", token: ada.token, json: body });
    expect((await send()).status).toBe(201);
    expectError(await send(), 409, "email_taken");
  });
});

describe("DELETE /api/tokens/:id with an Idempotency-Key", () => {
  it("a repeat answers 204 again; without a key a revoked token is 404", async () => {
    const created = await callRoute(tokensRoute.POST, {
      method: "POST",
      path: "/api/tokens",
      token: editor.token,
      json: { name: "Script", scope: "read" },
    });
    expect(created.status).toBe(201);
    const revoke = (key?: string, as: TestUser = editor) =>
      callRoute(revokeToken, {
        method: "DELETE",
        path: `/api/tokens/${created.body.id}`,
        params: { id: created.body.id },
        token: as.token,
        headers: key ? { "idempotency-key": key } : {},
      });
    expect((await revoke("revoke-1")).status).toBe(204);
    expect((await revoke("revoke-1")).status).toBe(204);
    expectError(await revoke(), 404, "not_found");
    // Someone else's token stays unknown to them, key or not.
    const stranger = await createUser(database.db, { name: "Stranger" });
    expectError(await revoke("revoke-1", stranger), 404, "not_found");
    const [row] = await queryRows<{ revoked: boolean }>(
      database.db,
      sql`select revoked_at is not null as revoked from api_tokens where id = ${created.body.id}`,
    );
    expect(row?.revoked).toBe(true);
  });
});
