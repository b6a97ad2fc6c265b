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
  const type = response.headers.get("content-type")?.split(";")[0] ?? "application/json";
  const schema = documented?.content?.[type]?.schema;
  if (response.body !== null) {
    expect(documented?.content?.[type], `${c.method} ${c.path} → ${response.status} as ${type}`).toBeDefined();
  }
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

/** Opens an event stream, checks its status and documented type, and closes it. */
async function openStream(path: string, params: Record<string, string>): Promise<void> {
  const controller = new AbortController();
  const response: Response = await ROUTE_MODULES[path]?.GET(
    new Request(new URL(fillPath(path, params), ORIGIN), {
      headers: { authorization: `Bearer ${editor.token}` },
      signal: controller.signal,
    }),
    { params: Promise.resolve(params) },
  );
  expect(response.status, path).toBe(200);
  const type = response.headers.get("content-type")?.split(";")[0];
  expect(Object.keys(doc.paths[path]?.get?.responses["200"]?.content ?? {})).toEqual([type]);
  if (!seen.has(`get ${path}`)) seen.set(`get ${path}`, new Set());
  seen.get(`get ${path}`)?.add(200);
  controller.abort();
  await response.body?.cancel().catch(() => {});
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

  it("matches real answers of people, invites, me and API tokens", async () => {
    const people = "/api/users";
    await call({ path: people, method: "get", as: admin });
    await call({ path: people, method: "get" });
    const invited = await call({
      path: people,
      method: "post",
      as: admin,
      json: { email: "newcomer@example.test", name: "Newcomer", role: "editor" },
    });
    expect(invited.status).toBe(201);
    await call({
      path: people,
      method: "post",
      as: admin,
      json: { email: "newcomer@example.test", name: "Again", role: "editor" },
    });
    await call({ path: people, method: "post", as: admin, json: { email: "x", role: "boss" } });
    const one = "/api/users/{id}";
    await call({ path: one, method: "get", as: admin, params: { id: viewer.id } });
    await call({ path: one, method: "get", as: admin, params: { id: UNKNOWN } });
    const params = { id: viewer.id };
    await call({
      path: one,
      method: "patch",
      as: admin,
      params,
      json: { name: "Vera V" },
      headers: { "if-match": '"1"' },
    });
    await call({
      path: one,
      method: "patch",
      as: admin,
      params,
      json: { name: "Vera W" },
      headers: { "if-match": '"1"' },
    });
    await call({ path: one, method: "patch", as: admin, params, json: { name: "Vera W" } });
    // A reset ends the person's sessions: not one of the users the other calls sign in as.
    const forgetful = await createUser(database.db, { name: "Forgetful" });
    await call({ path: "/api/users/{id}/reset", method: "post", as: admin, params: { id: forgetful.id } });
    await call({ path: "/api/users/{id}/reset", method: "post", as: admin, params: { id: UNKNOWN } });
    const token = new URL(invited.body.inviteUrl).pathname.split("/").pop() ?? "";
    const invite = "/api/invites/{token}";
    await call({
      path: invite,
      method: "post",
      as: null,
      params: { token: "x".repeat(30) },
      json: { password: "a-long-password-42" },
    });
    await call({ path: invite, method: "post", as: null, params: { token }, json: { password: "a-long-password-42" } });

    const me = await createUser(database.db, { name: "Mia", password: "pw-123456" });
    await call({ path: "/api/me", method: "get", as: me });
    await call({ path: "/api/me", method: "get", as: null });
    await call({ path: "/api/me", method: "patch", as: me, json: { name: "Mia M", currentPassword: "pw-123456" } });
    await call({ path: "/api/me", method: "patch", as: me, json: { name: "Mia N", currentPassword: "wrong" } });
    await call({
      path: "/api/me",
      method: "patch",
      as: me,
      json: { name: "Mia O", currentPassword: "pw-123456" },
      headers: { "if-match": '"1"' },
    });

    const tokens = "/api/tokens";
    const created = await call({ path: tokens, method: "post", json: { name: "Script", scope: "read" } });
    expect(created.status).toBe(201);
    await call({ path: tokens, method: "post", json: { name: "Script", scope: "all" } });
    // Idempotency-Key: the first answer, a repeat (no secret), another body with the key.
    const keyed = { "idempotency-key": "contract-token" };
    expect(
      (await call({ path: tokens, method: "post", json: { name: "K", scope: "read" }, headers: keyed })).status,
    ).toBe(201);
    const repeat = await call({ path: tokens, method: "post", json: { name: "K", scope: "read" }, headers: keyed });
    expect(repeat.body).toMatchObject({ token: null, replayed: true });
    expect(
      (await call({ path: tokens, method: "post", json: { name: "L", scope: "read" }, headers: keyed })).status,
    ).toBe(422);
    await call({ path: tokens, method: "get" });
    await call({ path: tokens, method: "get", query: "?all=1" });
    await call({ path: "/api/tokens/{id}", method: "delete", params: { id: created.body.id } });
    await call({ path: "/api/tokens/{id}", method: "delete", params: { id: UNKNOWN } });
  });

  it("matches real answers of schemas, views and collection streams", async () => {
    const slug = `c-${Date.now()}`;
    const fields = [{ key: "title", label: "Title", type: "text" }];
    await call({ path: "/api/collections", method: "post", as: admin, json: { slug, name: "Things", fields } });
    await call({ path: "/api/collections", method: "post", as: admin, json: { slug, name: "Again", fields } });
    const one = "/api/collections/{slug}";
    await call({ path: one, method: "get", params: { slug } });
    await call({ path: one, method: "get", params: { slug }, headers: { "if-none-match": '"1"' } });
    await call({ path: one, method: "get", params: { slug: "nope" } });
    const rename = { name: "Things renamed" };
    await call({
      path: one,
      method: "patch",
      as: admin,
      params: { slug },
      json: rename,
      headers: { "if-match": '"1"' },
    });
    await call({
      path: one,
      method: "patch",
      as: admin,
      params: { slug },
      json: rename,
      headers: { "if-match": '"1"' },
    });
    await call({ path: one, method: "patch", as: admin, params: { slug }, json: rename });
    await call({ path: one, method: "patch", params: { slug }, json: rename, headers: { "if-match": '"2"' } });
    await call({ path: "/api/collections/{slug}/revisions", method: "get", params: { slug } });
    await call({ path: "/api/collections/{slug}/revisions", method: "get", params: { slug }, query: "?limit=0" });
    await call({ path: "/api/collections/{slug}/revisions", method: "get", params: { slug: "nope" } });

    const views = "/api/collections/{slug}/views";
    const made = await call({
      path: views,
      method: "post",
      params: { slug: tickets },
      json: { name: "Mine", filter: {} },
    });
    expect(made.status).toBe(201);
    await call({ path: views, method: "post", params: { slug: tickets }, json: { name: "" } });
    await call({ path: views, method: "get", params: { slug: tickets } });
    await call({ path: views, method: "get", params: { slug: "nope" } });
    const view = "/api/views/{id}";
    const params = { id: made.body.id };
    await call({ path: view, method: "get", params });
    await call({ path: view, method: "get", params, headers: { "if-none-match": '"1"' } });
    await call({ path: view, method: "get", params: { id: UNKNOWN } });
    await call({ path: view, method: "patch", params, json: { name: "Ours" }, headers: { "if-match": '"1"' } });
    await call({ path: view, method: "patch", params, json: { name: "Theirs" }, headers: { "if-match": '"1"' } });
    await call({ path: view, method: "delete", params, headers: { "if-match": '"2"' } });
    await call({ path: view, method: "delete", params, headers: { "if-match": '"3"' } });

    await openStream("/api/collections/{slug}/events", { slug: tickets });
    await call({ path: "/api/collections/{slug}/events", method: "get", params: { slug: "nope" } });
    await openStream("/api/schema/events", {});
    await call({ path: "/api/schema/events", method: "get", as: null });
  });

  it("matches real answers of bulk edits, imports, exports, batches and undo", async () => {
    const record = await newTicket();
    const bulk = "/api/collections/{slug}/bulk";
    const done = await call({
      path: bulk,
      method: "post",
      params: { slug: tickets },
      json: { op: "update", items: [{ id: record.id, version: 1, data: { title: "Bulk" } }] },
    });
    expect(done.status).toBe(200);
    await call({
      path: bulk,
      method: "post",
      params: { slug: "nope" },
      json: { op: "delete", items: [{ id: record.id, version: 2 }] },
    });
    await call({ path: bulk, method: "post", params: { slug: tickets }, json: { op: "merge", items: [] } });
    const batch = "/api/batches/{batchId}";
    await call({ path: batch, method: "get", params: { batchId: done.body.batchId } });
    await call({ path: batch, method: "get", params: { batchId: UNKNOWN } });
    const undo = "/api/batches/{batchId}/undo";
    await call({ path: undo, method: "post", params: { batchId: done.body.batchId } });
    await call({ path: undo, method: "post", params: { batchId: UNKNOWN } });
    await call({ path: undo, method: "post", params: { batchId: done.body.batchId }, as: viewer });

    const csv = { "content-type": "text/csv" };
    const imp = "/api/collections/{slug}/import";
    await call({
      path: imp,
      method: "post",
      params: { slug: tickets },
      query: "?dryRun=1",
      body: "title\nDry\n",
      headers: csv,
    });
    await call({ path: imp, method: "post", params: { slug: tickets }, body: "title\nImported\n", headers: csv });
    await call({
      path: imp,
      method: "post",
      params: { slug: tickets },
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    await call({ path: imp, method: "post", params: { slug: "nope" }, body: "title\nX\n", headers: csv });
    await call({
      path: imp,
      method: "post",
      params: { slug: tickets },
      query: "?map=x",
      body: "title\nX\n",
      headers: csv,
    });

    const exp = "/api/collections/{slug}/export";
    const file = await call({ path: exp, method: "get", params: { slug: tickets }, query: "?format=csv" });
    expect(file.headers.get("content-type")).toMatch(/^text\/csv/);
    // The same view as JSON: an array of records, validated against the document's application/json schema.
    const json = await call({ path: exp, method: "get", params: { slug: tickets }, query: "?format=json" });
    expect(json.headers.get("content-type")).toMatch(/^application\/json/);
    expect(Array.isArray(json.body) && json.body.length > 0).toBe(true);
    expect(Object.keys(doc.paths[exp]?.get?.responses["200"]?.content ?? {}).sort()).toEqual([
      "application/json",
      "text/csv",
    ]);
    await call({ path: exp, method: "get", params: { slug: tickets }, query: "?format=xml" });
    await call({ path: exp, method: "get", params: { slug: "nope" } });
  });

  it("matches real answers of restores, comments, follows, activity and notifications", async () => {
    const gone = await newTicket();
    await call({
      path: "/api/records/{id}",
      method: "delete",
      params: { id: gone.id },
      headers: { "if-match": '"1"' },
    });
    const restore = "/api/records/{id}/restore";
    await call({ path: restore, method: "post", params: { id: gone.id }, headers: { "if-match": '"2"' } });
    await call({ path: restore, method: "post", params: { id: gone.id }, headers: { "if-match": '"3"' } });
    await call({ path: restore, method: "post", params: { id: gone.id } });

    const record = await newTicket();
    const params = { id: record.id };
    await call({
      path: "/api/records/{id}",
      method: "patch",
      params,
      json: { data: { title: "v2" } },
      headers: { "if-match": '"1"' },
    });
    const back = "/api/records/{id}/revisions/{version}/restore";
    await call({ path: back, method: "post", params: { ...params, version: "1" }, headers: { "if-match": '"2"' } });
    await call({ path: back, method: "post", params: { ...params, version: "1" }, headers: { "if-match": '"2"' } });
    await call({ path: back, method: "post", params: { ...params, version: "99" }, headers: { "if-match": '"3"' } });

    const comments = "/api/records/{id}/comments";
    const said = await call({ path: comments, method: "post", params, json: { body: "Hello @Vera" } });
    expect(said.status).toBe(201);
    await call({ path: comments, method: "post", params, json: { body: 5 } });
    await call({ path: comments, method: "post", params: { id: UNKNOWN }, json: { body: "x" } });
    await call({ path: comments, method: "get", params });
    await call({ path: comments, method: "get", params: { id: UNKNOWN } });
    const comment = "/api/comments/{id}";
    const cid = { id: said.body.id };
    await call({
      path: comment,
      method: "patch",
      params: cid,
      json: { body: "Edited" },
      headers: { "if-match": '"1"' },
    });
    await call({
      path: comment,
      method: "patch",
      params: cid,
      json: { body: "Again" },
      headers: { "if-match": '"1"' },
    });
    await call({
      path: comment,
      method: "patch",
      params: cid,
      json: { body: "Theirs" },
      as: admin,
      headers: { "if-match": '"2"' },
    });
    await call({ path: comment, method: "delete", params: cid, headers: { "if-match": '"2"' } });
    await call({ path: comment, method: "delete", params: cid, headers: { "if-match": '"3"' } });

    const follow = "/api/records/{id}/follow";
    await call({ path: follow, method: "get", params });
    await call({ path: follow, method: "get", params, as: null });
    await call({ path: follow, method: "put", params, json: { following: false } });
    await call({ path: follow, method: "put", params: { id: UNKNOWN }, json: { following: true } });

    await call({ path: "/api/activity", method: "get", query: "?limit=5" });
    await call({ path: "/api/activity", method: "get", query: "?before=zzz" });
    await call({ path: "/api/notifications", method: "get", as: viewer });
    await call({ path: "/api/notifications", method: "get", query: "?limit=0" });
    await call({ path: "/api/notifications/read", method: "post", as: viewer, json: { all: true } });
    await call({ path: "/api/notifications/read", method: "post", json: { all: false } });
    await openStream("/api/notifications/events", {});
    await call({ path: "/api/notifications/events", method: "get", as: null });
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
