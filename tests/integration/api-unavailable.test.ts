import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listCollections } from "@/app/api/collections/route";
import { GET as health } from "@/app/api/health/route";
import { GET as getRecord } from "@/app/api/records/[id]/route";
import { POST as signIn } from "@/app/api/session/route";
import { callRoute, closeRouteDatabase, expectError } from "../support/api";
import { freePort } from "../support/postgres-server";

/** The route handlers, pointed at a port where no database listens. */
beforeAll(async () => {
  process.env.DATABASE_URL = `postgres://tandem:tandem@127.0.0.1:${await freePort()}/tandem`;
});

afterAll(async () => {
  await closeRouteDatabase();
});

describe("with the database unreachable", () => {
  it("GET /api/health answers 503", async () => {
    const response = await callRoute(health, { path: "/api/health" });
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ ok: false, db: "postgres", error: "unavailable" });
  });

  it("API routes answer 503 unavailable with Retry-After, never 500", async () => {
    const responses = [
      await callRoute(listCollections, { path: "/api/collections", token: "some-token" }),
      await callRoute(getRecord, {
        path: "/api/records/5e0c8f7a-1b2c-4d3e-8f9a-0b1c2d3e4f5a",
        params: { id: "5e0c8f7a-1b2c-4d3e-8f9a-0b1c2d3e4f5a" },
        token: "some-token",
      }),
      await callRoute(signIn, {
        method: "POST",
        path: "/api/session",
        json: { email: "alice@example.test", password: "whatever" },
      }),
    ];
    for (const response of responses) {
      expectError(response, 503, "unavailable");
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });
});
