import { describe, expect, it } from "vitest";
import type { CollectionDetail } from "@/lib/collections";
import type { RecordView, RevisionView } from "@/lib/records/record-view";
import { publicUser, type UserRevisionView, type UserView } from "@/lib/users/user-view";
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
const collection: CollectionDetail = {
  id: "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
  slug: "tickets",
  name: "Tickets",
  editMode: "optimistic",
  capacityField: null,
  fields: [{ key: "title", label: "Title", type: "text" }],
  removedFields: [],
  version: 3,
  updatedAt: "2026-01-02T10:00:00.000Z",
  updatedBy: alice,
};
const changes: RevisionView[] = [
  { version: 4, action: "update", user: alice, at: current.updatedAt, changes: { title: { from: "A", to: "B" } } },
];

const person: UserView = {
  id: alice.id,
  email: "alice@example.com",
  name: "Alice",
  role: "admin",
  active: true,
  version: 3,
  createdAt: "2026-01-01T10:00:00.000Z",
  lastSeenAt: null,
  invited: false,
};
const personChanges: UserRevisionView[] = [
  {
    version: 3,
    action: "update",
    user: alice,
    at: current.updatedAt,
    changes: { role: { from: "editor", to: "admin" } },
  },
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
  user_conflict: {
    error: { code: "user_conflict", current: person, changes: personChanges },
    status: 412,
    body: { error: "version_mismatch", current: publicUser(person), changes: personChanges },
    headers: { ETag: '"3"' },
  },
  email_taken: {
    error: { code: "email_taken", message: "Someone already has the email bob@example.com." },
    status: 409,
    body: { error: "email_taken", message: "Someone already has the email bob@example.com." },
  },
  last_admin: {
    error: { code: "last_admin", message: "Alice is the last active admin: make someone else an admin first." },
    status: 409,
    body: { error: "last_admin", message: "Alice is the last active admin: make someone else an admin first." },
  },
  version_mismatch: {
    error: { code: "version_mismatch", current: { version: 3 }, changes: [{ version: 3 }] },
    status: 412,
    body: { error: "version_mismatch", current: { version: 3 }, changes: [{ version: 3 }] },
    headers: { ETag: '"3"' },
  },
  not_deleted: {
    error: { code: "not_deleted", message: "This record is not deleted." },
    status: 409,
    body: { error: "not_deleted", message: "This record is not deleted." },
  },
  invalid: {
    error: { code: "invalid", fields: { title: "Title is required", colour: "Unknown field" } },
    status: 422,
    body: { error: "invalid", fields: { title: "Title is required", colour: "Unknown field" } },
  },
  slug_taken: {
    error: { code: "slug_taken", slug: "tickets" },
    status: 409,
    body: { error: "slug_taken" },
  },
  schema_conflict: {
    error: { code: "schema_conflict", current: collection, changes },
    status: 412,
    body: { error: "version_mismatch", current: { slug: "tickets", version: 3 }, changes },
    headers: { ETag: '"3"' },
  },
  schema_impact: {
    error: {
      code: "schema_impact",
      impact: [
        {
          field: "count",
          problem: "type",
          records: 2,
          examples: [{ id: current.id, value: "abc" }],
          message: "2 records",
        },
      ],
    },
    status: 409,
    body: {
      error: "schema_impact",
      impact: [{ field: "count", problem: "type", records: 2, examples: [{ id: current.id, value: "abc" }] }],
    },
  },
  invalid_file: {
    error: { code: "invalid_file", message: "Unknown columns: colour", columns: ["colour"] },
    status: 422,
    body: { error: "invalid_file", message: "Unknown columns: colour", columns: ["colour"] },
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
