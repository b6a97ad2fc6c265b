import { describe, expect, it } from "vitest";
import type { RecordView, RevisionView } from "@/lib/records/record-view";
import { type ApiError, errorResponse } from "./http-errors";

const alice = { id: "0b6f3c1e-8a4d-4c2b-9f1e-2d3c4b5a6978", name: "Alice" };
const current: RecordView = {
  id: "5e0c8f7a-1b2c-4d3e-8f9a-0b1c2d3e4f5a",
  collection: "tickets",
  version: 4,
  data: { title: "Printer jams" },
  createdAt: "2026-01-01T10:00:00.000Z",
  createdBy: alice,
  updatedAt: "2026-01-02T10:00:00.000Z",
  updatedBy: alice,
};
const changes: RevisionView[] = [
  { version: 4, action: "update", user: alice, at: current.updatedAt, changes: { title: { from: "A", to: "B" } } },
];

type Expected<C extends ApiError["code"]> = {
  error: Extract<ApiError, { code: C }>;
  status: number;
  /** The body's `error` and any details it must carry besides the message. */
  body: Record<string, unknown>;
  headers?: Record<string, string>;
};

/** One entry per code: adding a code to ApiError without a case here fails the type check. */
const CASES: { [C in ApiError["code"]]: Expected<C> } = {
  unauthenticated: { error: { code: "unauthenticated" }, status: 401, body: { error: "unauthenticated" } },
  forbidden: {
    error: { code: "forbidden", message: "You need to be an editor to do this; you are a viewer." },
    status: 403,
    body: { error: "forbidden", message: "You need to be an editor to do this; you are a viewer." },
  },
  not_found: { error: { code: "not_found" }, status: 404, body: { error: "not_found" } },
  conflict: {
    error: { code: "conflict", current, changes },
    status: 412,
    body: { error: "version_mismatch", current, changes },
    headers: { ETag: '"4"' },
  },
  invalid: {
    error: { code: "invalid", fields: { title: "Title is required", colour: "Unknown field" } },
    status: 422,
    body: { error: "invalid", fields: { title: "Title is required", colour: "Unknown field" } },
  },
  idempotency_mismatch: {
    error: { code: "idempotency_mismatch" },
    status: 422,
    body: { error: "idempotency_mismatch" },
  },
  locked: {
    error: {
      code: "locked",
      message: "Alice is editing this record.",
      holder: alice,
      acquiredAt: "2026-01-02T10:00:00.000Z",
      renewedAt: "2026-01-02T10:00:30.000Z",
      expiresAt: "2026-01-02T10:01:30.000Z",
      expired: false,
      lostTo: null,
    },
    status: 423,
    body: {
      error: "locked",
      message: "Alice is editing this record.",
      holder: alice,
      acquiredAt: "2026-01-02T10:00:00.000Z",
      expiresAt: "2026-01-02T10:01:30.000Z",
      expired: false,
    },
  },
  not_leased: {
    error: { code: "not_leased", message: "You do not hold this lease." },
    status: 409,
    body: { error: "not_leased", message: "You do not hold this lease." },
  },
  insufficient_capacity: {
    error: { code: "insufficient_capacity", remaining: 2 },
    status: 409,
    body: { error: "insufficient_capacity", remaining: 2 },
  },
  malformed_json: { error: { code: "malformed_json" }, status: 400, body: { error: "malformed_json" } },
  too_large: {
    error: { code: "too_large", limitBytes: 1024 * 1024 },
    status: 413,
    body: { error: "too_large", message: "The request body is larger than the 1 MiB the API accepts." },
  },
  bad_query: {
    error: { code: "bad_query", message: "limit must be 1–200" },
    status: 400,
    body: { error: "bad_query", message: "limit must be 1–200" },
  },
  bad_request: {
    error: { code: "bad_request", message: "If-Match must be an entity tag" },
    status: 400,
    body: { error: "bad_request", message: "If-Match must be an entity tag" },
  },
  precondition_required: {
    error: { code: "precondition_required", message: "Send If-Match" },
    status: 428,
    body: { error: "precondition_required", message: "Send If-Match" },
  },
  invalid_credentials: {
    error: { code: "invalid_credentials" },
    status: 401,
    body: { error: "invalid_credentials" },
  },
  rate_limited: {
    error: { code: "rate_limited", retryAfterSeconds: 600 },
    status: 429,
    body: { error: "rate_limited" },
    headers: { "Retry-After": "600" },
  },
  too_many_streams: {
    error: { code: "too_many_streams", limit: 20, retryAfterSeconds: 45 },
    status: 429,
    body: { error: "too_many_streams", limit: 20 },
    headers: { "Retry-After": "45" },
  },
  method_not_allowed: {
    error: { code: "method_not_allowed", allow: ["GET", "PATCH"] },
    status: 405,
    body: { error: "method_not_allowed" },
    headers: { Allow: "GET, PATCH" },
  },
  unavailable: {
    error: { code: "unavailable" },
    status: 503,
    body: { error: "unavailable" },
    headers: { "Retry-After": "2" },
  },
  internal: { error: { code: "internal" }, status: 500, body: { error: "internal" } },
};

describe("errorResponse", () => {
  it.each(Object.entries(CASES))("maps %s to its status and an {error, message, …} body", (_code, expected) => {
    const response = errorResponse(expected.error);
    expect(response.status).toBe(expected.status);
    expect(response.body).toMatchObject(expected.body);
    expect(response.body.message).toEqual(expect.any(String));
    expect(String(response.body.message).length).toBeGreaterThan(0);
    if (expected.headers) expect(response.headers).toMatchObject(expected.headers);
  });

  it("names every bad field in the 422 message too", () => {
    const { body } = errorResponse({
      code: "invalid",
      fields: { title: "Title is required", colour: "Unknown field" },
    });
    expect(body.message).toBe("title: Title is required; colour: Unknown field");
  });

  it("says who deleted a record and when, and carries it in the 404 body", () => {
    const deleted = { at: "2026-01-03T09:00:00.000Z", by: alice };
    const { status, body } = errorResponse({ code: "not_found", deleted });
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: "not_found", deleted });
    expect(body.message).toContain("Alice");
  });

  it("gives a default message to 403 and 404 without one", () => {
    expect(errorResponse({ code: "forbidden" }).body.message).toEqual(expect.any(String));
    expect(errorResponse({ code: "not_found" }).body.message).toEqual(expect.any(String));
  });

  it("rounds Retry-After minutes up in the rate-limit message", () => {
    expect(errorResponse({ code: "rate_limited", retryAfterSeconds: 61 }).body.message).toContain("2 minutes");
  });
});
