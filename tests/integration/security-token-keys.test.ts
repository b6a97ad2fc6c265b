import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tokensRoute from "@/app/api/tokens/route";
import { queryRows } from "@/db/client";
import { callRoute, closeRouteDatabase, expectError, useDatabaseInRoutes } from "../support/api";
import { createTestDatabase, createUser, type TestDatabase, type TestUser } from "../support/test-database";

/**
 * POST /api/tokens honours Idempotency-Key like every other creating POST (DESIGN.md: a repeat
 * of an applied request returns the first answer). The secret is stored hashed, so a repeat
 * answers the same token without it, and says so (lib/auth/api-tokens.ts).
 */

let database: TestDatabase;
let eddie: TestUser;
let vera: TestUser;

beforeAll(async () => {
  database = await createTestDatabase({ max: 20 });
  useDatabaseInRoutes(database);
  eddie = await createUser(database.db, { name: "Eddie" });
  vera = await createUser(database.db, { name: "Vera", role: "viewer" });
});

afterAll(async () => {
  await closeRouteDatabase();
  await database?.drop();
});

const create = (json: unknown, key: string | null, as: TestUser = eddie) =>
  callRoute(tokensRoute.POST, {
    method: "POST",
    path: "/api/tokens",
    token: as.token,
    json,
    headers: key === null ? {} : { "idempotency-key": key },
  });

async function tokensNamed(name: string): Promise<{ id: string; user_id: string }[]> {
  return queryRows(database.db, sql`select id, user_id from api_tokens where name = ${name}`);
}

/** Whether a secret authenticates: listing one's own tokens needs only a valid one. */
async function works(secret: string): Promise<boolean> {
  return (await callRoute(tokensRoute.GET, { path: "/api/tokens", token: secret })).status === 200;
}

describe("POST /api/tokens with an Idempotency-Key", () => {
  it("a repeat makes no second token: 201, the same token's fields, no secret, and says why", async () => {
    const body = { name: "Nightly export", scope: "read", expiresInDays: 30 };
    const first = await create(body, "token-once");
    expect(first.status).toBe(201);
    expect(first.body.token).toMatch(/^tdm_/);
    expect(first.body.replayed).toBeUndefined();
    const again = await create(body, "token-once");
    expect(again.status).toBe(201);
    expect(again.headers.get("cache-control")).toBe("no-store");
    expect(again.body).toEqual({
      id: first.body.id,
      name: "Nightly export",
      scope: "read",
      expiresAt: first.body.expiresAt,
      token: null,
      replayed: true,
      message: expect.stringMatching(/shown once.*revoke the token and make another/),
    });
    expect(await tokensNamed("Nightly export")).toHaveLength(1);
    // The repeat changed nothing about the first secret: it still works.
    expect(await works(first.body.token)).toBe(true);
  });

  it("the same key with another body is 422 idempotency_mismatch, and makes nothing", async () => {
    expect((await create({ name: "First use", scope: "read" }, "token-mismatch")).status).toBe(201);
    for (const other of [
      { name: "Second use", scope: "read" },
      { name: "First use", scope: "write" },
      { name: "First use", scope: "read", expiresInDays: 7 },
    ]) {
      expectError(await create(other, "token-mismatch"), 422, "idempotency_mismatch");
    }
    expect(await tokensNamed("Second use")).toHaveLength(0);
    expect(await tokensNamed("First use")).toHaveLength(1);
  });

  it("ten concurrent sends with one key make exactly one token: one answer has the secret, nine are repeats", async () => {
    const body = { name: "Raced", scope: "write" };
    const answers = await Promise.all(Array.from({ length: 10 }, () => create(body, "token-race")));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const withSecret = answers.filter((a) => typeof a.body.token === "string");
    expect(withSecret).toHaveLength(1);
    expect(answers.filter((a) => a.body.token === null && a.body.replayed === true)).toHaveLength(9);
    expect(await tokensNamed("Raced")).toHaveLength(1);
    expect(await works(withSecret[0]?.body.token)).toBe(true);
  });

  it("keys are per person: another person's same key makes their own token", async () => {
    const body = { name: "Shared key name", scope: "read" };
    const mine = await create(body, "token-per-person");
    const theirs = await create(body, "token-per-person", vera);
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.token).toMatch(/^tdm_/);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect((await tokensNamed("Shared key name")).map((t) => t.user_id).sort()).toEqual([eddie.id, vera.id].sort());
  });

  it("a repeat after the token was revoked still answers it (the key lives as long as the token's row)", async () => {
    const body = { name: "Short-lived", scope: "read" };
    const first = await create(body, "token-revoked");
    await queryRows(database.db, sql`update api_tokens set revoked_at = now() where id = ${first.body.id}`);
    const again = await create(body, "token-revoked");
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: first.body.id, token: null, replayed: true });
    expect(await tokensNamed("Short-lived")).toHaveLength(1);
  });

  it("without a key every POST makes a token; a malformed key is 400 and makes none", async () => {
    const body = { name: "Keyless", scope: "read" };
    expect((await create(body, null)).status).toBe(201);
    expect((await create(body, null)).status).toBe(201);
    expect(await tokensNamed("Keyless")).toHaveLength(2);
    expectError(await create({ name: "Bad key", scope: "read" }, "has space"), 400, "bad_request");
    expect(await tokensNamed("Bad key")).toHaveLength(0);
  });
});
