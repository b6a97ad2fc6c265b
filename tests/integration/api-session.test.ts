import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as listCollections } from "@/app/api/collections/route";
import { GET as health } from "@/app/api/health/route";
import { POST as signIn, DELETE as signOut } from "@/app/api/session/route";
import { queryRows } from "@/db/client";
import { loginThrottle, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { callRoute, closeRouteDatabase, expectError, ORIGIN, useDatabaseInRoutes } from "../support/api";
import { createTestDatabase, createUser, type TestDatabase, type TestUser } from "../support/test-database";

const PASSWORD = "correct horse battery staple";
/** LOGIN_MAX_FAILURES's default (lib/env.ts): attempts per email and per client address within the window. */
const MAX_FAILURES = 10;

let database: TestDatabase;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

beforeAll(async () => {
  database = await createTestDatabase();
  useDatabaseInRoutes(database);
  [alice, bob, carol] = await Promise.all([
    createUser(database.db, { name: "Alice", password: PASSWORD }),
    createUser(database.db, { name: "Bob", password: PASSWORD }),
    createUser(database.db, { name: "Carol", role: "viewer", password: PASSWORD }),
  ]);
});

afterAll(async () => {
  await closeRouteDatabase();
  await database?.drop();
});

let addresses = 0;
/** Failures are counted per client address too: each test signs in from its own. */
function newAddress(): string {
  addresses += 1;
  return `203.0.113.${addresses}`;
}

/** A sign-in from the socket address `address` (as the app's server entry records it). */
const login = (json: unknown, address: string, headers: Record<string, string> = {}) =>
  callRoute(signIn, { method: "POST", path: "/api/session", json, peer: address, headers });

const collections = (auth: { token?: string; cookie?: string }) =>
  callRoute(listCollections, { path: "/api/collections", ...auth });

describe("POST /api/session", () => {
  it("signs in: 200 {user, token}, an httpOnly session cookie, and a token that works as a Bearer too", async () => {
    const response = await login({ email: alice.email, password: PASSWORD }, newAddress());

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      user: { id: alice.id, name: "Alice", email: alice.email, role: "editor" },
      token: expect.any(String),
      expiresAt: expect.any(String),
    });
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`tandem_session=${response.body.token};`);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*Path=\//i);

    expect((await collections({ token: response.body.token })).status).toBe(200);
    expect((await collections({ cookie: response.body.token })).status).toBe(200);
  });

  it("ignores case and surrounding spaces in the email", async () => {
    const response = await login({ email: `  ${carol.email.toUpperCase()} `, password: PASSWORD }, newAddress());
    expect(response.status).toBe(200);
    expect(response.body.user.role).toBe("viewer");
  });

  it("answers 401 with the same body for an unknown email and a wrong password, and sets no cookie", async () => {
    const address = newAddress();
    const unknown = await login({ email: "nobody@example.test", password: PASSWORD }, address);
    const wrong = await login({ email: alice.email, password: "wrong password" }, address);

    expectError(unknown, 401, "invalid_credentials");
    expect(wrong.status).toBe(unknown.status);
    expect(wrong.body).toEqual(unknown.body);
    expect(unknown.headers.get("set-cookie")).toBeNull();
    expect(wrong.headers.get("set-cookie")).toBeNull();
  });

  it(`answers 429 after ${MAX_FAILURES} failures for an email from one address, even with the right password`, async () => {
    const address = newAddress();
    for (let i = 0; i < MAX_FAILURES; i++) {
      expectError(await login({ email: bob.email, password: `guess ${i}` }, address), 401, "invalid_credentials");
    }

    const blocked = await login({ email: bob.email, password: PASSWORD }, address);
    expectError(blocked, 429, "rate_limited");
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    // Bob, from his own machine, and other people are not locked out.
    expect((await login({ email: bob.email, password: PASSWORD }, newAddress())).status).toBe(200);
    expect((await login({ email: carol.email, password: PASSWORD }, newAddress())).status).toBe(200);
  });

  it("cannot be made to lock an account out with made-up X-Forwarded-For addresses (no trusted proxy)", async () => {
    // Defect 1 of issue 10: the throttle keyed on the first X-Forwarded-For entry, so ten
    // guesses from ten invented addresses locked the real owner out for 15 minutes.
    const victim = await createUser(database.db, { name: "Vera", role: "admin", password: PASSWORD });
    const attacker = newAddress();
    for (let i = 0; i < MAX_FAILURES + 5; i++) {
      await login({ email: victim.email, password: `guess ${i}` }, attacker, { "x-forwarded-for": `198.18.0.${i}` });
    }
    expectError(
      await login({ email: victim.email, password: PASSWORD }, attacker, { "x-forwarded-for": "198.18.1.1" }),
      429,
      "rate_limited",
    );
    const owner = await login({ email: victim.email, password: PASSWORD }, newAddress(), {
      "x-forwarded-for": "198.18.0.1",
    });
    expect(owner.status).toBe(200);
  });

  it("beyond the per-account limit refuses addresses with failures but never an address without any", async () => {
    const victim = await createUser(database.db, { name: "Walt", password: PASSWORD });
    process.env.LOGIN_MAX_ACCOUNT_FAILURES = "5";
    try {
      // Guesses spread over many addresses, two each.
      const guessers = Array.from({ length: 4 }, () => newAddress());
      for (const address of guessers) {
        for (let i = 0; i < 2; i++) await login({ email: victim.email, password: `guess ${i}` }, address);
      }
      for (const address of guessers) {
        expectError(await login({ email: victim.email, password: PASSWORD }, address), 429, "rate_limited");
      }
      // A fresh address gets its one try; after a failure it is refused too.
      const fresh = newAddress();
      expectError(await login({ email: victim.email, password: "wrong" }, fresh), 401, "invalid_credentials");
      expectError(await login({ email: victim.email, password: PASSWORD }, fresh), 429, "rate_limited");
      // The owner, from an address without failures, signs in.
      expect((await login({ email: victim.email, password: PASSWORD }, newAddress())).status).toBe(200);
    } finally {
      delete process.env.LOGIN_MAX_ACCOUNT_FAILURES;
    }
  });

  it(`answers 429 after ${MAX_FAILURES} failures from one address, whatever the email`, async () => {
    const address = newAddress();
    for (let i = 0; i < MAX_FAILURES; i++) {
      const response = await login({ email: `stranger${i}@example.test`, password: "guess" }, address);
      expectError(response, 401, "invalid_credentials");
    }

    expectError(await login({ email: alice.email, password: PASSWORD }, address), 429, "rate_limited");
    expect((await login({ email: alice.email, password: PASSWORD }, newAddress())).status).toBe(200);
  });

  it(`lets at most ${MAX_FAILURES} of 30 concurrent wrong guesses for one email reach the password check`, async () => {
    const victim = await createUser(database.db, { name: "Victor", password: PASSWORD });
    const attacker = newAddress();
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login({ email: victim.email, password: `guess ${i}` }, attacker)),
    );

    const answers = guesses.map((response) => response.body.error);
    expect(answers.filter((error) => error === "invalid_credentials")).toHaveLength(MAX_FAILURES);
    expect(answers.filter((error) => error === "rate_limited")).toHaveLength(30 - MAX_FAILURES);

    // The right password is refused too from that address, until the window has passed.
    expectError(await login({ email: victim.email, password: PASSWORD }, attacker), 429, "rate_limited");
    await queryRows(
      database.db,
      sql`update login_throttle set window_started_at = now() - interval '16 minutes'
          where key in (${`pair:${attacker}|${victim.email}`}, ${`ip:${attacker}`})`,
    );
    expect((await login({ email: victim.email, password: PASSWORD }, attacker)).status).toBe(200);
    const left = await queryRows(
      database.db,
      sql`select 1 from login_throttle where key = ${`pair:${attacker}|${victim.email}`}`,
    );
    expect(left).toEqual([]);
  });

  it("purges throttle rows whose window has ended at the next sign-in", async () => {
    await queryRows(
      database.db,
      sql`insert into login_throttle (key, failures, window_started_at)
          values ('ip:198.51.100.200', 3, now() - interval '20 minutes'), ('ip:198.51.100.201', 0, now())`,
    );
    await login({ email: carol.email, password: PASSWORD }, newAddress());
    const left = await queryRows(
      database.db,
      sql`select key from login_throttle where key in ('ip:198.51.100.200', 'ip:198.51.100.201')`,
    );
    expect(left).toEqual([]);
  });

  it("does not charge an address for its successful sign-ins, nor an account for refused attempts", async () => {
    const address = newAddress();
    for (let i = 0; i < MAX_FAILURES + 2; i++) {
      expect((await login({ email: carol.email, password: PASSWORD }, address)).status).toBe(200);
    }
    // A blocked address cannot lock other people's accounts out by naming them.
    const blocked = newAddress();
    for (let i = 0; i < MAX_FAILURES; i++) await login({ email: `nobody${i}@example.test`, password: "x" }, blocked);
    for (let i = 0; i < MAX_FAILURES + 2; i++) {
      expectError(await login({ email: alice.email, password: "guess" }, blocked), 429, "rate_limited");
    }
    expect((await login({ email: alice.email, password: PASSWORD }, address)).status).toBe(200);
  });

  it("signs in 30 people at once from one office address: others' successes never refuse anyone", async () => {
    // Issue 10: attempts were counted before the password check, so the 11th concurrent
    // sign-in behind one NAT address got 429. Only failures count now.
    const passwordHash = await hashPassword(PASSWORD);
    const office = await database.db
      .insert(users)
      .values(
        Array.from({ length: 30 }, (_, i) => ({
          email: `office${i}-${Date.now()}@example.test`,
          name: `Office ${i}`,
          role: "editor" as const,
          passwordHash,
        })),
      )
      .returning({ email: users.email });
    const address = newAddress();

    const answers = await Promise.all(office.map(({ email }) => login({ email, password: PASSWORD }, address)));

    expect(answers.map((response) => response.status)).toEqual(office.map(() => 200));
    const charged = await database.db
      .select()
      .from(loginThrottle)
      .where(eq(loginThrottle.key, `ip:${address}`));
    expect(charged.filter((row) => row.failures > 0)).toEqual([]);
    // The address still answers for its failures: ten of them close it.
    for (let i = 0; i < MAX_FAILURES; i++) {
      expectError(
        await login({ email: office[0]?.email, password: `guess ${i}` }, address),
        401,
        "invalid_credentials",
      );
    }
    expectError(await login({ email: office[1]?.email, password: PASSWORD }, address), 429, "rate_limited");
  });

  it("counts requests without a known peer address under one 'unknown' address", async () => {
    const garbage = ["x".repeat(5000), "not-an-ip", "203.0.113.300", "<script>"];
    for (const forwardedFor of garbage) {
      const response = await callRoute(signIn, {
        method: "POST",
        path: "/api/session",
        json: { email: "nobody@example.test", password: "guess" },
        headers: { "x-forwarded-for": forwardedFor, "x-tandem-peer": `forged ${forwardedFor}` },
      });
      expectError(response, 401, "invalid_credentials");
    }

    const keys = await queryRows<{ key: string; failures: number }>(
      database.db,
      sql`select key, failures from login_throttle where key like 'ip:%' and key not like 'ip:203.0.113.%'`,
    );
    expect(keys).toEqual([{ key: "ip:unknown", failures: garbage.length }]);
    await queryRows(
      database.db,
      sql`delete from login_throttle where key in ('ip:unknown', 'email:nobody@example.test', 'pair:unknown|nobody@example.test')`,
    );
  });

  it("sets the cookie's attributes in one place: Secure behind a trusted https proxy only, SameSite=Lax, Max-Age", async () => {
    const attributes = (response: { headers: Headers }) =>
      (response.headers.get("set-cookie") ?? "").split(/;\s*/).slice(1).sort();
    const plain = await login({ email: carol.email, password: PASSWORD }, newAddress());
    // Any client can send X-Forwarded-Proto: it decides nothing unless a trusted proxy sent it.
    const claimed = await login({ email: carol.email, password: PASSWORD }, newAddress(), {
      "x-forwarded-proto": "https",
    });
    process.env.TRUSTED_PROXIES = "1";
    let proxied: Awaited<ReturnType<typeof login>>;
    try {
      proxied = await login({ email: carol.email, password: PASSWORD }, "10.0.0.9", {
        "x-forwarded-proto": "https",
        "x-forwarded-for": newAddress(),
      });
    } finally {
      delete process.env.TRUSTED_PROXIES;
    }
    expect(attributes(plain)).toEqual(["HttpOnly", "Max-Age=604800", "Path=/", "SameSite=Lax"]);
    expect(attributes(claimed)).toEqual(["HttpOnly", "Max-Age=604800", "Path=/", "SameSite=Lax"]);
    expect(attributes(proxied)).toEqual(["HttpOnly", "Max-Age=604800", "Path=/", "SameSite=Lax", "Secure"]);
  });

  it("answers 400 for malformed JSON and 422 naming missing or unknown fields", async () => {
    const address = newAddress();
    expectError(
      await callRoute(signIn, {
        method: "POST",
        path: "/api/session",
        body: "{email",
        peer: address,
      }),
      400,
      "malformed_json",
    );
    const invalid = await login({ email: alice.email, remember: true }, address);
    expectError(invalid, 422, "invalid");
    expect(Object.keys(invalid.body.fields).sort()).toEqual(["password", "remember"]);
  });

  it("answers 400, not 500, for an email PostgreSQL cannot store (NUL)", async () => {
    expectError(await login({ email: "a\u0000@example.test", password: PASSWORD }, newAddress()), 400, "bad_request");
  });

  it("refuses the well-known demo password outside the local demo, unless DEMO_PASSWORD sets it", async () => {
    // Defect 2 of issue 10: with DATABASE_URL (as here) "tandem-demo" is never a valid password by default.
    const demo = await createUser(database.db, { name: "Demo", role: "admin", password: "tandem-demo" });
    expectError(await login({ email: demo.email, password: "tandem-demo" }, newAddress()), 401, "invalid_credentials");
    process.env.DEMO_PASSWORD = "tandem-demo";
    try {
      expect((await login({ email: demo.email, password: "tandem-demo" }, newAddress())).status).toBe(200);
    } finally {
      delete process.env.DEMO_PASSWORD;
    }
  });

  it("refuses a sign-in from a foreign Origin (403)", async () => {
    const response = await login({ email: alice.email, password: PASSWORD }, newAddress(), {
      origin: "https://evil.example",
    });
    expectError(response, 403, "forbidden");
    expect(response.headers.get("set-cookie")).toBeNull();
  });
});

describe("DELETE /api/session", () => {
  it("answers 204, clears the cookie and ends the session", async () => {
    const { body } = await login({ email: alice.email, password: PASSWORD }, newAddress());
    expect((await collections({ cookie: body.token })).status).toBe(200);

    const response = await callRoute(signOut, {
      method: "DELETE",
      path: "/api/session",
      cookie: body.token,
      headers: { origin: ORIGIN },
    });

    expect(response.status).toBe(204);
    expect(response.headers.get("set-cookie")).toMatch(/tandem_session=;.*Max-Age=0/);
    expectError(await collections({ cookie: body.token }), 401, "unauthenticated");
    expectError(await collections({ token: body.token }), 401, "unauthenticated");
  });

  it("ends a Bearer session too", async () => {
    const { body } = await login({ email: carol.email, password: PASSWORD }, newAddress());
    const response = await callRoute(signOut, { method: "DELETE", path: "/api/session", token: body.token });
    expect(response.status).toBe(204);
    expectError(await collections({ token: body.token }), 401, "unauthenticated");
  });

  it("refuses to end every session for a read-only API token (403), and ends none", async () => {
    const { createApiToken } = await import("@/lib/auth/api-tokens");
    const { body } = await login({ email: bob.email, password: PASSWORD }, newAddress());
    const read = await createApiToken(database.db, bob, { name: "Dashboard", scope: "read" });
    const response = await callRoute(signOut, {
      method: "DELETE",
      path: "/api/session?everywhere=1",
      token: read.token,
    });
    expectError(response, 403, "forbidden");
    expect((await collections({ token: body.token })).status).toBe(200);
  });
});

describe("GET /api/health", () => {
  it("answers 200 {ok: true, db: 'postgres'}", async () => {
    const response = await callRoute(health, { path: "/api/health" });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: true, db: "postgres" });
  });

  it("leaves no timer behind: its 2 s timeout is cleared once the database answers", async () => {
    const started: unknown[] = [];
    const cleared = new Set<unknown>();
    const realSetTimeout = globalThis.setTimeout;
    const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((
      run: () => void,
      ms?: number,
      ...args: unknown[]
    ) => {
      const handle = realSetTimeout(run, ms, ...args);
      if (ms === 2000) started.push(handle);
      return handle;
    }) as typeof setTimeout);
    const clearTimeoutSpy = vi.spyOn(globalThis, "clearTimeout");
    try {
      expect((await callRoute(health, { path: "/api/health" })).status).toBe(200);
      for (const call of clearTimeoutSpy.mock.calls) cleared.add(call[0]);
    } finally {
      setTimeoutSpy.mockRestore();
      clearTimeoutSpy.mockRestore();
    }
    expect(started).toHaveLength(1);
    expect(cleared.has(started[0])).toBe(true);
  });
});
