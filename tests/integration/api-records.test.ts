import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as createRecordRoute } from "@/app/api/collections/[slug]/records/route";
import { GET as listCollections } from "@/app/api/collections/route";
import { GET as getRevisionRoute } from "@/app/api/records/[id]/revisions/[version]/route";
import { GET as listRevisions } from "@/app/api/records/[id]/revisions/route";
import { DELETE as deleteRecordRoute, GET as getRecord, PATCH as patchRecord } from "@/app/api/records/[id]/route";
import { queryRows } from "@/db/client";
import type { FieldDefinition } from "@/lib/fields";
import type { RecordView } from "@/lib/records/record-view";
import { saveRecord } from "@/lib/records/save-record";
import { callRoute, expectError, ORIGIN } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import {
  createTestRecord,
  createUser,
  storedRevisions,
  type TestDatabase,
  type TestUser,
} from "../support/test-database";

const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", required: true },
  { key: "status", label: "Status", type: "select", options: ["Open", "Closed"] },
  { key: "count", label: "Count", type: "integer" },
  { key: "estimate", label: "Estimate", type: "number", min: 0 },
  { key: "due", label: "Due", type: "date" },
  { key: "contact", label: "Contact", type: "email" },
  { key: "done", label: "Done", type: "boolean" },
  { key: "notes", label: "Notes", type: "longtext" },
];

const setup = setUpTestDatabase({
  collections: { tickets: { fields: FIELDS, name: "Tickets" } },
  users: { editor: { name: "Edith" }, other: { name: "Otto" }, viewer: { role: "viewer", name: "Vera" } },
});
let database: TestDatabase;
let slug: string;
let editor: TestUser;
let other: TestUser;
let viewer: TestUser;

beforeAll(() => {
  ({ database } = setup);
  slug = setup.collections.tickets.slug;
  ({ editor, other, viewer } = setup.users);
});

function newRecord(values: Record<string, unknown> = { title: "Printer jams", status: "Open", count: 1 }) {
  return createTestRecord(database.db, editor, { slug }, values);
}

async function stored(id: string): Promise<{ version: number; data: Record<string, unknown> } | undefined> {
  const [row] = await queryRows<{ version: number; data: Record<string, unknown> }>(
    database.db,
    sql`select version, data from records where id = ${id}`,
  );
  return row;
}

/** Someone else's save through the domain function, moving the record on by one version. */
async function saveAsOther(record: RecordView, values: Record<string, unknown>): Promise<RecordView> {
  const result = await saveRecord(database.db, other, {
    recordId: record.id,
    baseVersion: record.version,
    values,
    patch: true,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.record;
}

const get = (id: string, init: { token?: string; headers?: Record<string, string> } = {}) =>
  callRoute(getRecord, { path: `/api/records/${id}`, params: { id }, token: editor.token, ...init });

const patch = (
  id: string,
  init: { json?: unknown; body?: string; token?: string; cookie?: string; headers?: Record<string, string> },
) =>
  callRoute(patchRecord, {
    method: "PATCH",
    path: `/api/records/${id}`,
    params: { id },
    ...(init.cookie ? {} : { token: editor.token }),
    ...init,
  });

const remove = (id: string, init: { token?: string; headers?: Record<string, string> } = {}) =>
  callRoute(deleteRecordRoute, {
    method: "DELETE",
    path: `/api/records/${id}`,
    params: { id },
    token: editor.token,
    ...init,
  });

const create = (init: { json?: unknown; body?: string; token?: string; headers?: Record<string, string> }, to = slug) =>
  callRoute(createRecordRoute, {
    method: "POST",
    path: `/api/collections/${to}/records`,
    params: { slug: to },
    token: editor.token,
    ...init,
  });

describe("authentication and roles", () => {
  it("answers 401 without a session", async () => {
    const record = await newRecord();
    const response = await callRoute(getRecord, { path: `/api/records/${record.id}`, params: { id: record.id } });
    expectError(response, 401, "unauthenticated");
  });

  it("answers 401 for an expired session, and for an unknown token", async () => {
    const record = await newRecord();
    const expired = await createUser(database.db);
    await queryRows(
      database.db,
      sql`update sessions set expires_at = now() - interval '1 minute' where user_id = ${expired.id}`,
    );
    expectError(await get(record.id, { token: expired.token }), 401, "unauthenticated");
    expectError(await get(record.id, { token: "not-a-real-token" }), 401, "unauthenticated");
  });

  it("lets a viewer read but not write (403), and writes nothing", async () => {
    const record = await newRecord();
    expect((await get(record.id, { token: viewer.token })).status).toBe(200);

    const patched = await patch(record.id, {
      token: viewer.token,
      headers: { "if-match": '"1"' },
      json: { data: { title: "Viewer was here" } },
    });
    expectError(patched, 403, "forbidden");
    expectError(await remove(record.id, { token: viewer.token, headers: { "if-match": '"1"' } }), 403, "forbidden");
    expectError(await create({ token: viewer.token, json: { data: { title: "Nope" } } }), 403, "forbidden");
    expect(await stored(record.id)).toMatchObject({ version: 1, data: { title: "Printer jams" } });
  });

  it("refuses a cookie-authenticated write from a foreign Origin (403), but not from the app's own", async () => {
    const record = await newRecord();
    const foreign = await patch(record.id, {
      cookie: editor.token,
      headers: { "if-match": '"1"', origin: "https://evil.example" },
      json: { data: { title: "Forged" } },
    });
    expectError(foreign, 403, "forbidden");
    expect(await stored(record.id)).toMatchObject({ version: 1 });

    const own = await patch(record.id, {
      cookie: editor.token,
      headers: { "if-match": '"1"', origin: ORIGIN },
      json: { data: { title: "Same origin" } },
    });
    expect(own.status).toBe(200);
  });

  it("treats a session cookie that is not validly percent-encoded (%E0) as absent: 401, not 500", async () => {
    const record = await newRecord();
    for (const cookie of ["%E0", "%", "abc%ZZ"]) {
      const response = await callRoute(getRecord, {
        path: `/api/records/${record.id}`,
        params: { id: record.id },
        cookie,
      });
      expectError(response, 401, "unauthenticated");
    }
  });

  it("accepts a Bearer-authenticated write whatever the Origin (scripts have no cookie to forge)", async () => {
    const record = await newRecord();
    const response = await patch(record.id, {
      headers: { "if-match": '"1"', origin: "https://scripts.example" },
      json: { data: { title: "From a script" } },
    });
    expect(response.status).toBe(200);
  });
});

describe("GET /api/records/:id", () => {
  it("answers 200 with the record and a strong ETag of its version", async () => {
    const record = await newRecord();
    const response = await get(record.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"1"');
    expect(response.body).toEqual({
      id: record.id,
      collection: slug,
      version: 1,
      data: { title: "Printer jams", status: "Open", count: 1 },
      createdAt: record.createdAt,
      createdBy: { id: editor.id, name: "Edith" },
      updatedAt: record.updatedAt,
      updatedBy: { id: editor.id, name: "Edith" },
    });
  });

  it("answers 404 for an unknown uuid and for an id that is not a uuid", async () => {
    expectError(await get(randomUUID()), 404, "not_found");
    expectError(await get("not-a-uuid"), 404, "not_found");
    expectError(await get("1' or '1'='1"), 404, "not_found");
  });

  it("answers 404 for a deleted record, saying who deleted it", async () => {
    const record = await newRecord();
    expect((await remove(record.id, { token: other.token, headers: { "if-match": '"1"' } })).status).toBe(204);
    const response = await get(record.id);
    expectError(response, 404, "not_found");
    expect(response.body.deleted.by).toEqual({ id: other.id, name: "Otto" });
  });

  it("answers 304 when If-None-Match names the current version (weakly compared, in lists, or *)", async () => {
    const record = await newRecord();
    for (const tag of ['"1"', 'W/"1"', '"7", "1"', "*"]) {
      const response = await get(record.id, { headers: { "if-none-match": tag } });
      expect({ tag, status: response.status, body: response.body }).toEqual({ tag, status: 304, body: null });
      expect(response.headers.get("etag")).toBe('"1"');
    }
  });

  it("answers 200 when If-None-Match names another version or is garbage", async () => {
    const record = await newRecord();
    await saveAsOther(record, { count: 2 });
    for (const tag of ['"1"', 'W/"3"', "2", "garbage"]) {
      const response = await get(record.id, { headers: { "if-none-match": tag } });
      expect({ tag, status: response.status }).toEqual({ tag, status: 200 });
      expect(response.body.version).toBe(2);
    }
  });
});

describe("PATCH /api/records/:id", () => {
  it("applies a JSON merge patch against the If-Match version: 200, new ETag, one revision", async () => {
    const record = await newRecord({ title: "Printer jams", status: "Open", count: 1, notes: "Floor 2" });
    const response = await patch(record.id, {
      headers: { "if-match": '"1"' },
      json: { data: { status: "Closed", notes: null, done: true } },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"2"');
    expect(response.body).toMatchObject({
      id: record.id,
      version: 2,
      data: { title: "Printer jams", status: "Closed", count: 1, done: true },
      updatedBy: { id: editor.id, name: "Edith" },
    });
    expect(response.body.data).not.toHaveProperty("notes");
    expect(await stored(record.id)).toEqual({ version: 2, data: response.body.data });
    const revisions = await storedRevisions(database.db, record.id);
    expect(revisions.map((r) => [r.version, r.action, r.userId])).toEqual([
      [1, "create", editor.id],
      [2, "update", editor.id],
    ]);
    expect(revisions[1]?.changes).toEqual({
      status: { from: "Open", to: "Closed" },
      notes: { from: "Floor 2", to: null },
      done: { from: null, to: true },
    });
  });

  it("answers 428 without If-Match and for If-Match: *, writing nothing", async () => {
    const record = await newRecord();
    expectError(await patch(record.id, { json: { data: { count: 5 } } }), 428, "precondition_required");
    expectError(
      await patch(record.id, { headers: { "if-match": "*" }, json: { data: { count: 5 } } }),
      428,
      "precondition_required",
    );
    expect(await stored(record.id)).toMatchObject({ version: 1, data: { count: 1 } });
  });

  it("answers 412 version_mismatch with the current record, the revisions since and its ETag", async () => {
    const record = await newRecord();
    const second = await saveAsOther(record, { status: "Closed" });
    await saveAsOther(second, { count: 3 });

    const response = await patch(record.id, { headers: { "if-match": '"1"' }, json: { data: { title: "Mine" } } });

    expectError(response, 412, "version_mismatch");
    expect(response.headers.get("etag")).toBe('"3"');
    expect(response.body.current).toMatchObject({
      id: record.id,
      version: 3,
      data: { title: "Printer jams", status: "Closed", count: 3 },
      updatedBy: { id: other.id, name: "Otto" },
    });
    expect(response.body.changes).toEqual([
      {
        version: 2,
        action: "update",
        user: { id: other.id, name: "Otto" },
        at: expect.any(String),
        changes: { status: { from: "Open", to: "Closed" } },
        batchId: null,
        revertedFrom: null,
      },
      {
        version: 3,
        action: "update",
        user: { id: other.id, name: "Otto" },
        at: expect.any(String),
        changes: { count: { from: 1, to: 3 } },
        batchId: null,
        revertedFrom: null,
      },
    ]);
    expect(await stored(record.id)).toMatchObject({ version: 3, data: { title: "Printer jams" } });
  });

  it("answers 412 for a weak If-Match tag even of the current version (If-Match compares strongly)", async () => {
    const record = await newRecord();
    const response = await patch(record.id, { headers: { "if-match": 'W/"1"' }, json: { data: { count: 9 } } });
    expectError(response, 412, "version_mismatch");
    expect(await stored(record.id)).toMatchObject({ version: 1 });
  });

  it("applies a PATCH whose If-Match list names the current version among others, and 412s when none does", async () => {
    const record = await newRecord();
    const ok = await patch(record.id, { headers: { "if-match": '"1", "2"' }, json: { data: { count: 2 } } });
    expect(ok.status).toBe(200);
    expect(await stored(record.id)).toMatchObject({ version: 2, data: { count: 2 } });
    const stale = await patch(record.id, { headers: { "if-match": '"1", "3"' }, json: { data: { count: 3 } } });
    expectError(stale, 412, "version_mismatch");
    expect(await stored(record.id)).toMatchObject({ version: 2 });
  });

  it("answers 412, not 500, for If-Match versions beyond PostgreSQL's integers (they name no version)", async () => {
    const record = await newRecord();
    for (const tag of ['"2147483648"', '"9999999999"', '"2147483648", "99999999999"']) {
      const response = await patch(record.id, { headers: { "if-match": tag }, json: { data: { count: 5 } } });
      expect({ tag, status: response.status, error: response.body.error }).toEqual({
        tag,
        status: 412,
        error: "version_mismatch",
      });
    }
    expectError(await remove(record.id, { headers: { "if-match": '"2147483648"' } }), 412, "version_mismatch");
    expect(await stored(record.id)).toMatchObject({ version: 1, data: { count: 1 } });
  });

  it("answers 413 too_large for a body over 1 MiB, whether or not it declares its length, writing nothing", async () => {
    const record = await newRecord();
    const big = JSON.stringify({ data: { notes: "x".repeat(1024 * 1024) } });
    const declared = await patch(record.id, {
      headers: { "if-match": '"1"', "content-length": String(big.length) },
      body: big,
    });
    const undeclared = await patch(record.id, { headers: { "if-match": '"1"' }, body: big });
    expectError(declared, 413, "too_large");
    expectError(undeclared, 413, "too_large");
    expectError(await create({ body: big }), 413, "too_large");
    expect(await stored(record.id)).toMatchObject({ version: 1 });
  });

  it("answers 400 for an If-Match that is not an entity tag", async () => {
    const record = await newRecord();
    expectError(await patch(record.id, { headers: { "if-match": "1" }, json: { data: {} } }), 400, "bad_request");
  });

  it("answers 422 naming every bad field: wrong types, a cleared required field, unknown keys", async () => {
    const record = await newRecord();
    const response = await patch(record.id, {
      headers: { "if-match": '"1"' },
      json: {
        data: {
          title: null,
          status: "Maybe",
          count: "five",
          estimate: -1,
          due: "2026-02-30",
          contact: "not an email",
          done: "yes",
          colour: "red",
          size: 3,
        },
      },
    });
    expectError(response, 422, "invalid");
    expect(Object.keys(response.body.fields).sort()).toEqual(
      ["colour", "contact", "count", "done", "due", "estimate", "size", "status", "title"].sort(),
    );
    expect(response.body.fields.colour).toBe("Unknown field");
    expect(await stored(record.id)).toMatchObject({ version: 1, data: { title: "Printer jams" } });
  });

  it("answers 422 for an unknown key even when the patch only clears it (never silently dropped)", async () => {
    const record = await newRecord();
    const response = await patch(record.id, { headers: { "if-match": '"1"' }, json: { data: { colour: null } } });
    expectError(response, 422, "invalid");
    expect(response.body.fields).toEqual({ colour: "Unknown field" });
  });

  it("answers 422 for a `__proto__` key in data, on PATCH and on create (never silently dropped)", async () => {
    const record = await newRecord();
    const body = '{"data":{"__proto__":{"title":"Sneaky"},"count":2}}';
    const patched = await patch(record.id, { headers: { "if-match": '"1"' }, body });
    expectError(patched, 422, "invalid");
    expect(Object.entries(patched.body.fields)).toEqual([["__proto__", "Unknown field"]]);
    expect(await stored(record.id)).toMatchObject({ version: 1, data: { title: "Printer jams", count: 1 } });

    const created = await create({ body: '{"data":{"title":"Fine","__proto__":null}}' });
    expectError(created, 422, "invalid");
    expect(Object.keys(created.body.fields)).toEqual(["__proto__"]);
  });

  it("answers 422 for a body without an object `data`", async () => {
    const record = await newRecord();
    for (const json of [{}, { data: 5 }, { data: {}, extra: 1 }, [1, 2]]) {
      const response = await patch(record.id, { headers: { "if-match": '"1"' }, json });
      expect({ json, status: response.status, error: response.body.error }).toEqual({
        json,
        status: 422,
        error: "invalid",
      });
    }
  });

  it("answers 400 for malformed JSON", async () => {
    const record = await newRecord();
    for (const body of ['{"data": {', "", "not json"]) {
      expectError(await patch(record.id, { headers: { "if-match": '"1"' }, body }), 400, "malformed_json");
    }
  });

  it("answers 404 for an unknown or non-uuid id, and for a deleted record with who deleted it", async () => {
    const headers = { "if-match": '"1"' };
    expectError(await patch(randomUUID(), { headers, json: { data: { count: 1 } } }), 404, "not_found");
    expectError(await patch("nope", { headers, json: { data: { count: 1 } } }), 404, "not_found");

    const record = await newRecord();
    expect((await remove(record.id, { token: other.token, headers })).status).toBe(204);
    const response = await patch(record.id, { headers, json: { data: { count: 2 } } });
    expectError(response, 404, "not_found");
    expect(response.body.deleted.by).toEqual({ id: other.id, name: "Otto" });
  });

  it("replays an Idempotency-Key: the repeat gets the first answer, not a 412, and writes nothing", async () => {
    const record = await newRecord();
    const key = randomUUID();
    const send = () =>
      patch(record.id, { headers: { "if-match": '"1"', "idempotency-key": key }, json: { data: { count: 10 } } });
    const first = await send();
    expect(first.status).toBe(200);
    await saveAsOther(first.body, { status: "Closed" });

    const again = await send();

    expect(again.status).toBe(200);
    expect(again.headers.get("etag")).toBe('"2"');
    expect(again.body).toMatchObject({ id: record.id, version: 2, data: first.body.data });
    expect((await storedRevisions(database.db, record.id)).map((r) => r.version)).toEqual([1, 2, 3]);
    // The same request without the key is an ordinary stale write.
    const unkeyed = await patch(record.id, { headers: { "if-match": '"1"' }, json: { data: { count: 10 } } });
    expectError(unkeyed, 412, "version_mismatch");
  });

  it("answers 422 idempotency_mismatch for a key reused with a different body, writing nothing", async () => {
    const record = await newRecord();
    const key = randomUUID();
    const first = await patch(record.id, {
      headers: { "if-match": '"1"', "idempotency-key": key },
      json: { data: { count: 10 } },
    });
    expect(first.status).toBe(200);

    // The same body, normalised as a write normalises it, is still a repeat.
    const same = await patch(record.id, {
      headers: { "if-match": '"1"', "idempotency-key": key },
      json: { data: { count: 10, notes: null } },
    });
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(2);

    const different = await patch(record.id, {
      headers: { "if-match": '"1"', "idempotency-key": key },
      json: { data: { count: 11 } },
    });
    expectError(different, 422, "idempotency_mismatch");
    expect(await stored(record.id)).toMatchObject({ version: 2, data: { count: 10 } });
  });

  it("answers 422 idempotency_mismatch for a PATCH sent with a DELETE's key (it is not that delete)", async () => {
    const record = await newRecord();
    const key = randomUUID();
    expect((await remove(record.id, { headers: { "if-match": '"1"', "idempotency-key": key } })).status).toBe(204);

    const response = await patch(record.id, {
      headers: { "if-match": '"2"', "idempotency-key": key },
      json: { data: { count: 5 } },
    });

    expectError(response, 422, "idempotency_mismatch");
    expect((await storedRevisions(database.db, record.id)).map((r) => r.action)).toEqual(["create", "delete"]);
  });

  it("answers 400 for an Idempotency-Key that is not visible ASCII", async () => {
    const record = await newRecord();
    const response = await patch(record.id, {
      headers: { "if-match": '"1"', "idempotency-key": "two words" },
      json: { data: { count: 2 } },
    });
    expectError(response, 400, "bad_request");
  });
});

describe("DELETE /api/records/:id", () => {
  it("answers 204 and leaves a delete revision", async () => {
    const record = await newRecord();
    const response = await remove(record.id, { headers: { "if-match": '"1"' } });
    expect({ status: response.status, body: response.body }).toEqual({ status: 204, body: null });
    expect((await storedRevisions(database.db, record.id)).map((r) => [r.version, r.action])).toEqual([
      [1, "create"],
      [2, "delete"],
    ]);
  });

  it("answers 428 without If-Match and 412 with a stale one, deleting nothing", async () => {
    const record = await newRecord();
    await saveAsOther(record, { count: 2 });
    expectError(await remove(record.id), 428, "precondition_required");
    const stale = await remove(record.id, { headers: { "if-match": '"1"' } });
    expectError(stale, 412, "version_mismatch");
    expect(stale.body.current.version).toBe(2);
    expect((await get(record.id)).status).toBe(200);
  });

  it("replays a repeated delete with its Idempotency-Key (204), while a plain repeat is 404", async () => {
    const record = await newRecord();
    const headers = { "if-match": '"1"', "idempotency-key": randomUUID() };
    expect((await remove(record.id, { headers })).status).toBe(204);
    expect((await remove(record.id, { headers })).status).toBe(204);
    expectError(await remove(record.id, { headers: { "if-match": '"1"' } }), 404, "not_found");
    expect((await storedRevisions(database.db, record.id)).map((r) => r.action)).toEqual(["create", "delete"]);
  });

  it("answers 404 for an unknown record", async () => {
    expectError(await remove(randomUUID(), { headers: { "if-match": '"1"' } }), 404, "not_found");
  });

  it("answers 422 idempotency_mismatch for a DELETE sent with a PATCH's key, and deletes nothing", async () => {
    const record = await newRecord();
    const key = randomUUID();
    const patched = await patch(record.id, {
      headers: { "if-match": '"1"', "idempotency-key": key },
      json: { data: { count: 2 } },
    });
    expect(patched.status).toBe(200);

    const current = await remove(record.id, { headers: { "if-match": '"2"', "idempotency-key": key } });
    const stale = await remove(record.id, { headers: { "if-match": '"1"', "idempotency-key": key } });

    expectError(current, 422, "idempotency_mismatch");
    expectError(stale, 422, "idempotency_mismatch");
    expect((await get(record.id)).status).toBe(200);
    expect((await storedRevisions(database.db, record.id)).map((r) => r.action)).toEqual(["create", "update"]);
  });
});

describe("POST /api/collections/:slug/records", () => {
  it("answers 201 with the record, its ETag and Location", async () => {
    const response = await create({ json: { data: { title: "  New ticket  ", count: 0, done: false } } });
    expect(response.status).toBe(201);
    expect(response.headers.get("etag")).toBe('"1"');
    expect(response.headers.get("location")).toBe(`/api/records/${response.body.id}`);
    expect(response.body).toMatchObject({
      collection: slug,
      version: 1,
      data: { title: "New ticket", count: 0, done: false },
      createdBy: { id: editor.id, name: "Edith" },
    });
    const fetched = await get(response.body.id);
    expect(fetched.body).toEqual(response.body);
  });

  it("answers 422 naming every bad field: wrong type, missing required, unknown key", async () => {
    const response = await create({ json: { data: { count: 1.5, done: "no", due: "tomorrow", colour: "red" } } });
    expectError(response, 422, "invalid");
    expect(response.body.fields).toEqual({
      title: expect.any(String),
      count: expect.any(String),
      done: expect.any(String),
      due: expect.any(String),
      colour: "Unknown field",
    });
  });

  it("answers 422, not 500, for a text value with a NUL character (PostgreSQL cannot store it)", async () => {
    const response = await create({ json: { data: { title: "Nul\u0000here", notes: "also\u0000" } } });
    expectError(response, 422, "invalid");
    expect(Object.keys(response.body.fields).sort()).toEqual(["notes", "title"]);
  });

  it("answers 404 for an unknown collection and 400 for malformed JSON", async () => {
    expectError(await create({ json: { data: { title: "Lost" } } }, "no-such-collection"), 404, "not_found");
    expectError(await create({ body: "{oops" }), 400, "malformed_json");
  });

  it("answers 401 without a session", async () => {
    const response = await callRoute(createRecordRoute, {
      method: "POST",
      path: `/api/collections/${slug}/records`,
      params: { slug },
      json: { data: { title: "Anonymous" } },
    });
    expectError(response, 401, "unauthenticated");
  });

  it("answers 422, not 500, for text with a lone UTF-16 surrogate (jsonb cannot store it)", async () => {
    const body = '{"data": {"title": "Broken \\ud800 pair", "notes": "\\udc00"}}';
    expect(JSON.parse(body).data.title).toBe("Broken \ud800 pair");
    const response = await create({ body });
    expectError(response, 422, "invalid");
    expect(response.body.fields).toEqual({
      title: "Contains characters that cannot be stored",
      notes: "Contains characters that cannot be stored",
    });
    const record = await newRecord();
    const patched = await patch(record.id, { headers: { "if-match": '"1"' }, body: '{"data": {"notes": "a\\ud83d"}}' });
    expectError(patched, 422, "invalid");
  });

  it("answers 422 idempotency_mismatch for a create whose key was used with a different body", async () => {
    const headers = { "idempotency-key": randomUUID() };
    expect((await create({ headers, json: { data: { title: "First body" } } })).status).toBe(201);
    expectError(await create({ headers, json: { data: { title: "Second body" } } }), 422, "idempotency_mismatch");
    const [count] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from records where data ->> 'title' = 'Second body'`,
    );
    expect(count?.n).toBe(0);
  });

  it("replays a create with the same Idempotency-Key: one record, the same answer", async () => {
    const headers = { "idempotency-key": randomUUID() };
    const first = await create({ headers, json: { data: { title: "Exactly once" } } });
    const again = await create({ headers, json: { data: { title: "Exactly once" } } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    const [count] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from records where data ->> 'title' = 'Exactly once'`,
    );
    expect(count?.n).toBe(1);
  });
});

describe("GET /api/records/:id/revisions", () => {
  it("lists history newest first, pages with limit and before", async () => {
    let record = await newRecord();
    for (const count of [2, 3, 4]) record = await saveAsOther(record, { count });
    const path = `/api/records/${record.id}/revisions`;
    const all = await callRoute(listRevisions, { path, params: { id: record.id }, token: viewer.token });
    expect(all.status).toBe(200);
    expect(all.body.map((r: { version: number; action: string }) => [r.version, r.action])).toEqual([
      [4, "update"],
      [3, "update"],
      [2, "update"],
      [1, "create"],
    ]);
    expect(all.body[0]).toEqual({
      version: 4,
      action: "update",
      user: { id: other.id, name: "Otto" },
      at: expect.any(String),
      changes: { count: { from: 3, to: 4 } },
      batchId: null,
      revertedFrom: null,
    });

    const page = await callRoute(listRevisions, {
      path: `${path}?limit=2&before=4`,
      params: { id: record.id },
      token: viewer.token,
    });
    expect(page.body.map((r: { version: number }) => r.version)).toEqual([3, 2]);
  });

  it("gives one version with every field's value then, and 404/400 for versions that do not exist", async () => {
    let record = await newRecord({ title: "First title", status: "Open", count: 1 });
    record = await saveAsOther(record, { title: "Second title", count: 2 });
    const at = (version: string, id = record.id) =>
      callRoute(getRevisionRoute, {
        path: `/api/records/${id}/revisions/${version}`,
        params: { id, version },
        token: viewer.token,
      });
    const first = await at("1");
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      version: 1,
      action: "create",
      user: { name: "Edith" },
      data: { title: "First title", status: "Open", count: 1 },
    });
    expect((await at("2")).body).toMatchObject({
      version: 2,
      action: "update",
      user: { name: "Otto" },
      changes: { title: { from: "First title", to: "Second title" } },
      data: { title: "Second title", status: "Open", count: 2 },
    });
    expectError(await at("3"), 404, "not_found");
    expectError(await at("1", randomUUID()), 404, "not_found");
    for (const version of ["0", "abc", "1.5", "99999999999"]) expectError(await at(version), 400, "bad_query");
  });

  it("answers 400 for a bad query and 404 for an unknown record", async () => {
    const record = await newRecord();
    for (const query of ["limit=0", "limit=1001", "limit=abc", "before=0", "before=x", "page=2", "limit=1&limit=2"]) {
      const response = await callRoute(listRevisions, {
        path: `/api/records/${record.id}/revisions?${query}`,
        params: { id: record.id },
        token: editor.token,
      });
      expect({ query, status: response.status, error: response.body.error }).toEqual({
        query,
        status: 400,
        error: "bad_query",
      });
    }
    for (const id of [randomUUID(), "nope"]) {
      const response = await callRoute(listRevisions, {
        path: `/api/records/${id}/revisions`,
        params: { id },
        token: editor.token,
      });
      expectError(response, 404, "not_found");
    }
  });
});

describe("GET /api/collections", () => {
  it("lists collections with their field definitions, and answers 401 without a session", async () => {
    const response = await callRoute(listCollections, { path: "/api/collections", token: viewer.token });
    expect(response.status).toBe(200);
    expect(response.body).toContainEqual({
      slug,
      name: "Tickets",
      fields: FIELDS,
      editMode: "optimistic",
      capacityField: null,
      version: 1,
    });
    expectError(await callRoute(listCollections, { path: "/api/collections" }), 401, "unauthenticated");
  });
});
