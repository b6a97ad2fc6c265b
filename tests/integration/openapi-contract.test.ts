import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registeredRoutes } from "@/app/api/_lib/openapi";
import type { FieldDefinition } from "@/lib/fields";
import type { RecordView } from "@/lib/records/record-view";
import { type ApiResponse, callRoute, closeRouteDatabase, ORIGIN, useDatabaseInRoutes } from "../support/api";
import { fillPath, ROUTE_MODULES } from "../support/routes";
import {
  createCollection,
  createTestDatabase,
  createTestRecord,
  createUser,
  type TestDatabase,
  type TestUser,
} from "../support/test-database";

/**
 * The OpenAPI document (GET /api/openapi.json) against real answers of every route: each
 * answer's status must be documented for its route, and its body must match the documented
 * schema. Every registered route is called, for its success and its errors.
 */

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components?: object;
};

let database: TestDatabase;
let doc: Doc;
let editor: TestUser;
let viewer: TestUser;
let admin: TestUser;
let tickets: string;
let customers: string;
let events: string;
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const seen = new Map<string, Set<number>>();

beforeAll(async () => {
  database = await createTestDatabase();
  useDatabaseInRoutes(database);
  editor = await createUser(database.db, { name: "Edith" });
  viewer = await createUser(database.db, { name: "Vera", role: "viewer" });
  admin = await createUser(database.db, { name: "Ada", role: "admin" });
  const fields: FieldDefinition[] = [{ key: "title", label: "Title", type: "text", required: true, listed: true }];
  tickets = (await createCollection(database.db, { fields })).slug;
  customers = (await createCollection(database.db, { fields, editMode: "lease" })).slug;
  events = (
    await createCollection(database.db, {
      fields: [...fields, { key: "capacity", label: "Capacity", type: "integer", required: true, min: 0 }],
    })
  ).slug;
  const { queryRows } = await import("@/db/client");
  const { sql } = await import("drizzle-orm");
  await queryRows(database.db, sql`update collections set capacity_field = 'capacity' where slug = ${events}`);
  const answer = await callRoute(ROUTE_MODULES["/api/openapi.json"]?.GET, { path: "/api/openapi.json" });
  expect(answer.status).toBe(200);
  doc = answer.body;
});

afterAll(async () => {
  await closeRouteDatabase();
  await database?.drop();
});

type Call = {
  path: string;
  method: string;
  params?: Record<string, string>;
  query?: string;
  as?: TestUser | null;
  cookie?: boolean;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
};

/** Calls the route and checks the answer against the document. */
async function call(c: Call): Promise<ApiResponse> {
  const handler = ROUTE_MODULES[c.path]?.[c.method.toUpperCase()];
  if (!handler) throw new Error(`no handler for ${c.method} ${c.path}`);
  const user = c.as === undefined ? editor : c.as;
  const response = await callRoute(handler, {
    method: c.method.toUpperCase(),
    path: `${fillPath(c.path, c.params ?? {})}${c.query ?? ""}`,
    params: c.params ?? {},
    ...(user ? (c.cookie ? { cookie: user.token } : { token: user.token }) : {}),
    json: c.json,
    body: c.body,
    headers: c.headers,
  });
  const operation = doc.paths[c.path]?.[c.method];
  expect(operation, `${c.method} ${c.path} is documented`).toBeDefined();
  const documented = operation?.responses[String(response.status)];
  expect(documented, `${c.method} ${c.path} → ${response.status} is documented`).toBeDefined();
  const schema = documented?.content?.["application/json"]?.schema;
  if (schema && response.body !== null) {
    const validate = ajv.compile({ ...schema, components: doc.components });
    const valid = validate(response.body);
    expect(valid, `${c.method} ${c.path} → ${response.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  }
  const key = `${c.method} ${c.path}`;
  if (!seen.has(key)) seen.set(key, new Set());
  seen.get(key)?.add(response.status);
  return response;
}

const newTicket = (): Promise<RecordView> => createTestRecord(database.db, editor, { slug: tickets }, { title: "T" });
const UNKNOWN = "00000000-0000-4000-8000-000000000000";

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 and describes every registered route", () => {
    expect(doc).toMatchObject({ openapi: "3.1.0" });
    for (const route of registeredRoutes()) expect(doc.paths[route.path]?.[route.method]).toBeDefined();
    expect(Object.keys(doc.paths).sort()).toEqual(Object.keys(ROUTE_MODULES).sort());
  });

  it("matches real answers of sessions, health, collections and lists", async () => {
    const { sql } = await import("drizzle-orm");
    const { queryRows } = await import("@/db/client");
    const { hashPassword } = await import("@/lib/auth/password");
    await queryRows(
      database.db,
      sql`update users set password_hash = ${await hashPassword("pw-123456")} where id = ${editor.id}`,
    );
    await call({
      path: "/api/session",
      method: "post",
      as: null,
      json: { email: editor.email, password: "pw-123456" },
    });
    await call({ path: "/api/session", method: "post", as: null, json: { email: editor.email, password: "nope" } });
    await call({ path: "/api/session", method: "post", as: null, json: { email: 1 } });
    await call({ path: "/api/session", method: "post", as: null, body: "{" });
    await call({
      path: "/api/session",
      method: "post",
      as: null,
      json: {},
      headers: { origin: "https://evil.example" },
    });
    await call({ path: "/api/session", method: "delete", as: null });
    await call({ path: "/api/health", method: "get", as: null });
    await call({ path: "/api/openapi.json", method: "get", as: null });
    await call({ path: "/api/collections", method: "get" });
    await call({ path: "/api/collections", method: "get", as: null });
    const list = "/api/collections/{slug}/records";
    await newTicket();
    await call({ path: list, method: "get", params: { slug: tickets }, query: "?limit=1" });
    await call({ path: list, method: "get", params: { slug: tickets }, query: "?limit=0" });
    await call({ path: list, method: "get", params: { slug: "nope" } });
    await call({ path: list, method: "post", params: { slug: tickets }, json: { data: { title: "New" } } });
    await call({ path: list, method: "post", params: { slug: tickets }, json: { data: { title: 5, x: 1 } } });
    await call({ path: list, method: "post", params: { slug: tickets }, json: { data: { title: "V" } }, as: viewer });
    await call({
      path: list,
      method: "post",
      params: { slug: tickets },
      json: { data: { title: "C" } },
      cookie: true,
      headers: { origin: "https://evil.example" },
    });
    await call({ path: list, method: "post", params: { slug: tickets }, body: "x".repeat(1024 * 1024 + 1) });
  });

  it("matches real answers of a record: read, 304, save, 412, 428, 423, delete, history", async () => {
    const record = await newTicket();
    const one = "/api/records/{id}";
    const params = { id: record.id };
    await call({ path: one, method: "get", params });
    await call({ path: one, method: "get", params, headers: { "if-none-match": '"1"' } });
    await call({ path: one, method: "get", params: { id: UNKNOWN } });
    await call({ path: one, method: "patch", params, json: { data: { title: "x" } } });
    await call({ path: one, method: "patch", params, json: { data: { title: "x" } }, headers: { "if-match": '"1"' } });
    await call({ path: one, method: "patch", params, json: { data: { title: "y" } }, headers: { "if-match": '"1"' } });
    await call({ path: one, method: "patch", params, json: { data: { title: 1 } }, headers: { "if-match": '"2"' } });
    await call({
      path: one,
      method: "patch",
      params,
      json: { data: { title: "z" } },
      headers: { "if-match": '"2"', "idempotency-key": "\u0001" },
    });
    const leased = await createTestRecord(database.db, editor, { slug: customers }, { title: "L" });
    await call({
      path: one,
      method: "patch",
      params: { id: leased.id },
      json: { data: { title: "no lease" } },
      headers: { "if-match": '"1"' },
    });
    await call({ path: "/api/records/{id}/revisions", method: "get", params });
    await call({ path: "/api/records/{id}/revisions", method: "get", params, query: "?limit=x" });
    await call({ path: "/api/records/{id}/revisions/{version}", method: "get", params: { ...params, version: "1" } });
    await call({ path: "/api/records/{id}/revisions/{version}", method: "get", params: { ...params, version: "x" } });
    await call({ path: "/api/records/{id}/revisions/{version}", method: "get", params: { ...params, version: "99" } });
    await call({ path: one, method: "delete", params, headers: { "if-match": '"1"' } });
    await call({ path: one, method: "delete", params, headers: { "if-match": '"2"' } });
    await call({ path: one, method: "delete", params, as: viewer, headers: { "if-match": '"3"' } });
  });

  it("matches real answers of leases, reservations and event streams", async () => {
    const leased = await createTestRecord(database.db, editor, { slug: customers }, { title: "L" });
    const lease = "/api/records/{id}/lease";
    const params = { id: leased.id };
    await call({ path: lease, method: "get", params });
    await call({ path: lease, method: "get", params: { id: UNKNOWN } });
    await call({ path: lease, method: "post", params });
    await call({ path: lease, method: "get", params });
    await call({ path: lease, method: "post", params, as: admin });
    await call({ path: lease, method: "post", params, as: admin, query: "?takeover=1", json: {} });
    await call({ path: lease, method: "post", params, body: "{" });
    await call({ path: lease, method: "post", params: { id: UNKNOWN } });
    await call({ path: lease, method: "delete", params, as: admin, query: `?reason=${"r".repeat(501)}` });
    await call({ path: lease, method: "delete", params, query: "?tab=x" });
    await call({ path: lease, method: "delete", params });

    const event = await createTestRecord(database.db, editor, { slug: events }, { title: "E", capacity: 2 });
    const res = "/api/records/{id}/reservations";
    await call({ path: res, method: "get", params: { id: event.id } });
    await call({ path: res, method: "get", params: { id: event.id }, query: "?limit=0" });
    await call({ path: res, method: "get", params: { id: UNKNOWN } });
    const made = await call({ path: res, method: "post", params: { id: event.id }, json: { seats: 1 } });
    await call({ path: res, method: "post", params: { id: event.id }, json: { seats: 5 } });
    await call({ path: res, method: "post", params: { id: event.id }, json: { seats: "1" } });
    const one = "/api/records/{id}/reservations/{reservationId}";
    await call({ path: one, method: "delete", params: { id: event.id, reservationId: made.body.reservation.id } });
    await call({ path: one, method: "delete", params: { id: event.id, reservationId: UNKNOWN } });

    const stream = "/api/records/{id}/events";
    await call({ path: stream, method: "get", params: { id: UNKNOWN } });
    await call({ path: stream, method: "get", params: { id: event.id }, as: null });
    const controller = new AbortController();
    const response = await ROUTE_MODULES[stream]?.GET(
      new Request(new URL(`/api/records/${event.id}/events`, ORIGIN), {
        headers: { authorization: `Bearer ${editor.token}` },
        signal: controller.signal,
      }),
      { params: Promise.resolve({ id: event.id }) },
    );
    expect(response.status).toBe(200);
    expect(Object.keys(doc.paths[stream]?.get?.responses["200"]?.content ?? {})).toEqual(["text/event-stream"]);
    seen.get(`get ${stream}`)?.add(200);
    controller.abort();
  });

  it("would catch a drift: a body unlike the documented one fails validation", () => {
    const schema = doc.paths["/api/records/{id}"]?.get?.responses["200"]?.content?.["application/json"]?.schema;
    const validate = ajv.compile({ ...schema, components: doc.components });
    expect(validate({ id: "x", version: "1" })).toBe(false);
  });

  it("every route was called, for a success and at least one error", () => {
    for (const route of registeredRoutes()) {
      const statuses = [...(seen.get(`${route.method} ${route.path}`) ?? [])];
      expect({ route: `${route.method} ${route.path}`, success: statuses.some((s) => s < 400) }).toEqual({
        route: `${route.method} ${route.path}`,
        success: true,
      });
      if (route.role !== "public") {
        expect(
          statuses.some((s) => s >= 400),
          `${route.method} ${route.path} error`,
        ).toBe(true);
      }
    }
  });
});
