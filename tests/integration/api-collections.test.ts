import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as createRecordRoute, GET as listRecordsRoute } from "@/app/api/collections/[slug]/records/route";
import { GET as collectionRevisionsRoute } from "@/app/api/collections/[slug]/revisions/route";
import { GET as getCollection, PATCH as patchCollection } from "@/app/api/collections/[slug]/route";
import { POST as createCollectionRoute, GET as listCollectionsRoute } from "@/app/api/collections/route";
import { GET as getRecord, PATCH as patchRecord } from "@/app/api/records/[id]/route";
import { GET as schemaEventsRoute } from "@/app/api/schema/events/route";
import { openPostgres, queryRows } from "@/db/client";
import { updateCollection } from "@/lib/collections/write-collection";
import type { FieldDefinition } from "@/lib/fields";
import { type LiveEvent, SCHEMA_TOPIC, subscribe, subscriberCount } from "@/lib/live-events";
import { saveRecord } from "@/lib/records/save-record";
import { callRoute, expectError, ORIGIN } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { createTestRecord, createUser, type TestDatabase, type TestUser } from "../support/test-database";

/** The schema API (DESIGN.md "Collections (schema)") and guarantee 11, through the route handlers. */

const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", required: true, listed: true },
  { key: "status", label: "Status", type: "select", options: ["Open", "Waiting", "Closed"], listed: true },
  { key: "count", label: "Count", type: "text" },
  { key: "hours", label: "Hours", type: "number", max: 100 },
  { key: "notes", label: "Notes", type: "longtext" },
];

const setup = setUpTestDatabase({
  max: 20,
  users: {
    admin: { role: "admin", name: "Ada Admin" },
    admin2: { role: "admin", name: "Bea Admin" },
    editor: { role: "editor", name: "Edith" },
    viewer: { role: "viewer", name: "Vera" },
  },
});
let database: TestDatabase;
let admin: TestUser;
let admin2: TestUser;
let editor: TestUser;
let viewer: TestUser;
let counter = 0;

beforeAll(() => {
  ({ database } = setup);
  ({ admin, admin2, editor, viewer } = setup.users);
});

const origin = { origin: ORIGIN };

function create(json: unknown, token = admin.token) {
  return callRoute(createCollectionRoute, { method: "POST", path: "/api/collections", token, json, headers: origin });
}

function get(slug: string, token = viewer.token) {
  return callRoute(getCollection, { path: `/api/collections/${slug}`, params: { slug }, token });
}

function patch(slug: string, json: unknown, init: { version?: number | null; token?: string; accept?: boolean } = {}) {
  const headers: Record<string, string> = { ...origin };
  if (init.version !== null) headers["if-match"] = `"${init.version ?? 1}"`;
  return callRoute(patchCollection, {
    method: "PATCH",
    path: `/api/collections/${slug}${init.accept ? "?accept_impact=1" : ""}`,
    params: { slug },
    token: init.token ?? admin.token,
    json,
    headers,
  });
}

/** A fresh collection made through the API, with FIELDS (or others). */
async function newCollection(fields: FieldDefinition[] = FIELDS): Promise<string> {
  counter += 1;
  const slug = `tickets-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  const response = await create({ slug, name: `Tickets ${counter}`, fields });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return slug;
}

async function storedSchema(slug: string) {
  const [row] = await queryRows<{ version: number; fields: FieldDefinition[]; removed_fields: FieldDefinition[] }>(
    database.db,
    sql`select version, fields, removed_fields from collections where slug = ${slug}`,
  );
  return row;
}

async function schemaRevisionCount(slug: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from entity_revisions v join collections c on c.id = v.entity_id
         where v.kind = 'collection' and c.slug = ${slug}`,
  );
  return row?.n ?? 0;
}

const record = (slug: string, values: Record<string, unknown>) =>
  createTestRecord(database.db, editor, { slug }, values);

const withField = (key: string, change: Partial<FieldDefinition>) =>
  FIELDS.map((f) => (f.key === key ? { ...f, ...change } : f));

describe("creating a collection", () => {
  it("answers 201 with ETag and Location, and is revision 1 with who and what", async () => {
    const response = await create({ slug: "helpdesk-a", name: "Helpdesk", editMode: "lease", fields: FIELDS });
    expect(response.status).toBe(201);
    expect(response.headers.get("etag")).toBe('"1"');
    expect(response.headers.get("location")).toBe("/api/collections/helpdesk-a");
    expect(response.body).toMatchObject({ slug: "helpdesk-a", name: "Helpdesk", editMode: "lease", version: 1 });
    expect(response.body.updatedBy).toEqual({ id: admin.id, name: admin.name });

    const fetched = await get("helpdesk-a");
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get("etag")).toBe('"1"');
    expect(fetched.body.fields).toEqual(FIELDS);

    const history = await callRoute(collectionRevisionsRoute, {
      path: "/api/collections/helpdesk-a/revisions",
      params: { slug: "helpdesk-a" },
      token: viewer.token,
    });
    expect(history.status).toBe(200);
    expect(history.body).toHaveLength(1);
    expect(history.body[0]).toMatchObject({ version: 1, action: "create", user: { id: admin.id } });
    expect(Object.keys(history.body[0].changes)).toEqual(
      expect.arrayContaining(["name", "fields.title", "fields.status"]),
    );

    const list = await callRoute(listCollectionsRoute, { path: "/api/collections", token: viewer.token });
    expect(list.body.find((c: { slug: string }) => c.slug === "helpdesk-a")).toMatchObject({ version: 1 });
  });

  it("refuses a taken slug with 409 slug_taken, leaving the first one as it was", async () => {
    await create({ slug: "helpdesk-b", name: "First", fields: FIELDS });
    expectError(await create({ slug: "helpdesk-b", name: "Second", fields: [] }), 409, "slug_taken");
    expect((await get("helpdesk-b")).body).toMatchObject({ name: "First", version: 1 });
  });

  it("refuses slugs and keys that collide with routes or meta fields, naming each bad path", async () => {
    for (const slug of ["new", "trash", "import", "bulk", "records", "Tickets", "1st", "a_b", ""]) {
      const response = await create({ slug, name: "X", fields: [] });
      expectError(response, 422, "invalid");
      expect(Object.keys(response.body.fields)).toEqual(["slug"]);
    }
    const response = await create({
      slug: "bad-keys",
      name: "Bad keys",
      capacityField: "title",
      fields: [
        { key: "title", label: "Title", type: "text" },
        { key: "id", label: "Id", type: "text" },
        { key: "version", label: "Version", type: "integer" },
        { key: "created_at", label: "Created", type: "date" },
        { key: "title", label: "Again", type: "text" },
        { key: "tags", label: "Tags", type: "multiselect", options: [] },
        { key: "pick", label: "Pick", type: "select", options: ["A", "A"] },
        { key: "ref", label: "Ref", type: "link", collection: "nowhere" },
        { key: "Upper", label: "Upper", type: "text" },
      ],
    });
    expectError(response, 422, "invalid");
    expect(Object.keys(response.body.fields).sort()).toEqual(
      [
        "capacityField",
        "fields.1.key",
        "fields.2.key",
        "fields.3.key",
        "fields.4.key",
        "fields.5.options",
        "fields.6.options",
        "fields.7.collection",
        "fields.8.key",
      ].sort(),
    );
    const [row] = await queryRows(database.db, sql`select 1 from collections where slug = 'bad-keys'`);
    expect(row).toBeUndefined();
  });

  it("is for admins: editors and viewers get 403, nothing is created", async () => {
    expectError(await create({ slug: "by-editor", name: "X", fields: [] }, editor.token), 403, "forbidden");
    expectError(await create({ slug: "by-viewer", name: "X", fields: [] }, viewer.token), 403, "forbidden");
    const rows = await queryRows(database.db, sql`select 1 from collections where slug like 'by-%'`);
    expect(rows).toHaveLength(0);
  });
});

describe("changing a schema", () => {
  it("needs If-Match (428, also for *), is for admins (403), and answers 404 for an unknown slug", async () => {
    const slug = await newCollection();
    expectError(await patch(slug, { name: "X" }, { version: null }), 428, "precondition_required");
    expectError(
      await callRoute(patchCollection, {
        method: "PATCH",
        path: `/api/collections/${slug}`,
        params: { slug },
        token: admin.token,
        json: { name: "X" },
        headers: { ...origin, "if-match": "*" },
      }),
      428,
      "precondition_required",
    );
    expectError(await patch(slug, { name: "X" }, { token: editor.token }), 403, "forbidden");
    expectError(await patch(slug, { name: "X" }, { token: viewer.token }), 403, "forbidden");
    expectError(await patch("no-such-thing", { name: "X" }), 404, "not_found");
    expect(await storedSchema(slug)).toMatchObject({ version: 1 });
    expect(await schemaRevisionCount(slug)).toBe(1);
  });

  it("10 concurrent edits from one version: exactly 1 accepted, 9 × 412 with the changes since", async () => {
    const slug = await newCollection();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? admin : admin2)).map((who, i) =>
        patch(slug, { name: `Name ${i}` }, { token: who.token }),
      ),
    );
    const accepted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 412);
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(9);
    const winner = accepted[0]?.body;
    expect(winner.version).toBe(2);
    for (const answer of refused) {
      expect(answer.body.error).toBe("version_mismatch");
      expect(answer.body.current).toMatchObject({ slug, version: 2, name: winner.name });
      expect(answer.body.changes).toHaveLength(1);
      expect(answer.body.changes[0]).toMatchObject({
        version: 2,
        action: "update",
        changes: { name: { from: expect.any(String), to: winner.name } },
      });
      expect(answer.headers.get("etag")).toBe('"2"');
    }
    expect(await storedSchema(slug)).toMatchObject({ version: 2 });
    expect(await schemaRevisionCount(slug)).toBe(2);
  });

  it("records each field added, removed and changed, and the new order, in the revision", async () => {
    const slug = await newCollection();
    const [title, status, , hours, notes] = FIELDS;
    if (!title || !status || !hours || !notes) throw new Error("fields");
    const fields = [{ ...status, label: "State" }, title, hours, notes, { key: "due", label: "Due", type: "date" }];
    const response = await patch(slug, { fields });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.headers.get("etag")).toBe('"2"');
    const history = await callRoute(collectionRevisionsRoute, {
      path: `/api/collections/${slug}/revisions?limit=1`,
      params: { slug },
      token: viewer.token,
    });
    const changes = history.body[0].changes;
    expect(Object.keys(changes).sort()).toEqual(["fieldOrder", "fields.count", "fields.due", "fields.status"]);
    expect(changes["fields.count"]).toEqual({ from: FIELDS[2], to: null });
    expect(changes["fields.due"]).toEqual({ from: null, to: { key: "due", label: "Due", type: "date" } });
    expect(changes["fields.status"].to.label).toBe("State");
  });

  it("a removed field's values stay (hidden) and come back when the key is added again", async () => {
    const slug = await newCollection();
    const r = await record(slug, { title: "Printer", count: "7", notes: "Keep me" });
    const withoutNotes = FIELDS.filter((f) => f.key !== "notes");
    const removed = await patch(slug, { fields: withoutNotes });
    expect(removed.status).toBe(200);
    expect(removed.body.removedFields).toEqual([FIELDS[4]]);

    const hidden = await callRoute(getRecord, {
      path: `/api/records/${r.id}`,
      params: { id: r.id },
      token: viewer.token,
    });
    expect(hidden.body.data).toEqual({ title: "Printer", count: "7" });
    const listed = await callRoute(listRecordsRoute, {
      path: `/api/collections/${slug}/records`,
      params: { slug },
      token: viewer.token,
    });
    expect(listed.body.items[0].data).toEqual({ title: "Printer", count: "7" });

    // A save of another field keeps the hidden value; a write naming the removed key is a 422.
    const saved = await callRoute(patchRecord, {
      method: "PATCH",
      path: `/api/records/${r.id}`,
      params: { id: r.id },
      token: editor.token,
      json: { data: { title: "Printer on floor 2" } },
      headers: { ...origin, "if-match": '"1"' },
    });
    expect(saved.status).toBe(200);
    const naming = await callRoute(patchRecord, {
      method: "PATCH",
      path: `/api/records/${r.id}`,
      params: { id: r.id },
      token: editor.token,
      json: { data: { notes: "New" } },
      headers: { ...origin, "if-match": '"2"' },
    });
    expectError(naming, 422, "invalid");
    expect(naming.body.fields).toEqual({ notes: "This field was removed from the collection" });

    const restored = await patch(slug, { fields: FIELDS }, { version: 2 });
    expect(restored.status).toBe(200);
    expect(restored.body.removedFields).toEqual([]);
    const back = await callRoute(getRecord, {
      path: `/api/records/${r.id}`,
      params: { id: r.id },
      token: viewer.token,
    });
    expect(back.body.data).toEqual({ title: "Printer on floor 2", count: "7", notes: "Keep me" });
  });

  it("announces a change that would leave values unfit (409 schema_impact, exact counts), and changes nothing", async () => {
    const slug = await newCollection();
    const a = await record(slug, { title: "A", status: "Waiting", count: "42", hours: 90 });
    const b = await record(slug, { title: "B", status: "Waiting", count: "4.5", hours: 20 });
    const c = await record(slug, { title: "C", status: "Open", count: "abc", hours: 60 });
    await record(slug, { title: "D", status: "Closed" });
    const deleted = await record(slug, { title: "E", status: "Waiting", count: "x", hours: 99 });
    await queryRows(database.db, sql`update records set deleted_at = now() where id = ${deleted.id}`);

    const fields = [
      ...withField("status", { options: ["Open", "Closed"] })
        .map((f) => (f.key === "count" ? { ...f, type: "integer" as const } : f))
        .map((f) => (f.key === "hours" ? { ...f, max: 50 } : f)),
      { key: "owner", label: "Owner", type: "text" as const, required: true },
    ];
    const refused = await patch(slug, { fields });
    expectError(refused, 409, "schema_impact");
    const byField = Object.fromEntries(
      refused.body.impact.map((i: { field: string; problem: string; records: number; examples: { id: string }[] }) => [
        i.field,
        { problem: i.problem, records: i.records, ids: i.examples.map((e) => e.id).sort() },
      ]),
    );
    expect(byField).toEqual({
      status: { problem: "option_removed", records: 2, ids: [a.id, b.id].sort() },
      count: { problem: "type", records: 2, ids: [b.id, c.id].sort() },
      hours: { problem: "limit", records: 2, ids: [a.id, c.id].sort() },
      owner: { problem: "required", records: 4, ids: expect.any(Array) },
    });
    expect(await storedSchema(slug)).toMatchObject({ version: 1, fields: FIELDS });
    expect(await schemaRevisionCount(slug)).toBe(1);

    // Applied anyway: values kept and flagged, in the record and in lists.
    const applied = await patch(slug, { fields }, { accept: true });
    expect(applied.status).toBe(200);
    const got = await callRoute(getRecord, { path: `/api/records/${b.id}`, params: { id: b.id }, token: viewer.token });
    expect(got.body.data).toMatchObject({ status: "Waiting", count: "4.5", hours: 20 });
    expect(got.body.invalid).toEqual({
      status: "'Waiting' is no longer an option",
      count: "Must be a whole number",
      owner: "Owner is required",
    });
    const fitting = await callRoute(getRecord, {
      path: `/api/records/${a.id}`,
      params: { id: a.id },
      token: viewer.token,
    });
    expect(fitting.body.data.count).toBe(42);
    const listed = await callRoute(listRecordsRoute, {
      path: `/api/collections/${slug}/records?sort=title&dir=asc`,
      params: { slug },
      token: viewer.token,
    });
    expect(listed.body.items.map((i: { invalid?: object }) => Object.keys(i.invalid ?? {}).sort())).toEqual([
      ["hours", "owner", "status"],
      ["count", "owner", "status"],
      ["count", "hours", "owner"],
      ["owner"],
    ]);
  });

  it("a record with flagged values still saves another field; the flagged values stay as they were", async () => {
    const slug = await newCollection();
    const r = await record(slug, { title: "Old", status: "Waiting", count: "abc" });
    const fields = withField("status", { options: ["Open", "Closed"] }).map((f) =>
      f.key === "count" ? { ...f, type: "integer" as const } : f,
    );
    expect((await patch(slug, { fields }, { accept: true })).status).toBe(200);
    const saved = await callRoute(patchRecord, {
      method: "PATCH",
      path: `/api/records/${r.id}`,
      params: { id: r.id },
      token: editor.token,
      json: { data: { title: "New" } },
      headers: { ...origin, "if-match": '"1"' },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.data).toEqual({ title: "New", status: "Waiting", count: "abc" });
    expect(saved.body.invalid).toEqual({ status: "'Waiting' is no longer an option", count: "Must be a number" });
    const [row] = await queryRows<{ data: object }>(database.db, sql`select data from records where id = ${r.id}`);
    expect(row?.data).toEqual({ title: "New", status: "Waiting", count: "abc" });

    // Changing a flagged field to a value that does not fit is refused, naming it.
    const bad = await callRoute(patchRecord, {
      method: "PATCH",
      path: `/api/records/${r.id}`,
      params: { id: r.id },
      token: editor.token,
      json: { data: { status: "Pending" } },
      headers: { ...origin, "if-match": '"2"' },
    });
    expectError(bad, 422, "invalid");
    expect(Object.keys(bad.body.fields)).toEqual(["status"]);
  });

  it("every refusal leaves the schema unchanged: 422 naming paths, 412, 409", async () => {
    const slug = await newCollection();
    await record(slug, { title: "A", status: "Waiting" });
    const before = await storedSchema(slug);
    const bad = await patch(slug, {
      fields: [
        ...FIELDS,
        { key: "data", label: "Data", type: "text" },
        { key: "n", label: "N", type: "integer", min: 5, max: 1 },
      ],
    });
    expectError(bad, 422, "invalid");
    expect(Object.keys(bad.body.fields).sort()).toEqual(["fields.5.key", "fields.6.max"]);
    expectError(await patch(slug, { fields: [{ key: "x" }] }), 422, "invalid");
    expectError(await patch(slug, { name: "" }), 422, "invalid");
    expectError(await patch(slug, { nope: 1 }), 422, "invalid");
    expectError(await patch(slug, { name: "Y" }, { version: 5 }), 412, "version_mismatch");
    expectError(await patch(slug, { fields: withField("status", { options: ["Open"] }) }), 409, "schema_impact");
    const malformed = await callRoute(patchCollection, {
      method: "PATCH",
      path: `/api/collections/${slug}`,
      params: { slug },
      token: admin.token,
      body: "{",
      headers: { ...origin, "if-match": '"1"' },
    });
    expectError(malformed, 400, "malformed_json");
    expect(await storedSchema(slug)).toEqual(before);
    expect(await schemaRevisionCount(slug)).toBe(1);
  });

  it("announces each accepted change on the live-events channel (kind schema)", async () => {
    const slug = await newCollection();
    const heard: LiveEvent[] = [];
    let arrived: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const unsubscribe = await subscribe(SCHEMA_TOPIC, (event) => {
      if (event.kind === "schema" && event.slug === slug) {
        heard.push(event);
        arrived();
      }
    });
    try {
      expect((await patch(slug, { name: "Renamed" })).status).toBe(200);
      await done;
      expect(heard).toEqual([{ kind: "schema", slug, version: 2 }]);
    } finally {
      unsubscribe();
    }
  });
});

describe("GET /api/schema/events", () => {
  it("starts with every collection's version, then announces each schema change; closes its subscription", async () => {
    const slug = await newCollection();
    const controller = new AbortController();
    const response = await schemaEventsRoute(
      new Request(new URL("/api/schema/events", ORIGIN), {
        headers: { authorization: `Bearer ${viewer.token}`, host: new URL(ORIGIN).host },
        signal: controller.signal,
      }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body?.getReader();
    if (!reader) throw new Error("an event stream has a body");
    const decoder = new TextDecoder();
    let buffer = "";
    const nextEvent = async (): Promise<{ event: string; data: { [key: string]: unknown } }> => {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const lines = buffer.slice(0, end).split("\n");
          buffer = buffer.slice(end + 2);
          const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
          const data = lines.find((l) => l.startsWith("data: "))?.slice(6);
          if (event && data) return { event, data: JSON.parse(data) };
          continue;
        }
        const { done, value } = await reader.read();
        if (done) throw new Error("the event stream ended");
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const ready = await nextEvent();
    expect(ready.event).toBe("ready");
    expect(ready.data.collections).toContainEqual({ slug, version: 1 });
    const subscribersBefore = subscriberCount(SCHEMA_TOPIC);
    expect(subscribersBefore).toBeGreaterThanOrEqual(1);
    expect((await patch(slug, { name: "Live" })).status).toBe(200);
    let event = await nextEvent();
    while (event.event === "schema" && event.data.slug !== slug) event = await nextEvent();
    expect(event).toEqual({ event: "schema", data: { slug, version: 2 } });
    controller.abort();
    await expect.poll(() => subscriberCount(SCHEMA_TOPIC)).toBe(subscribersBefore - 1);
  });
});

describe("forms opened on an older schema", () => {
  it("a save naming a removed field or a removed option is told so by name; untouched ones are kept", async () => {
    const slug = await newCollection();
    const r = await record(slug, { title: "Form", status: "Open", notes: "old notes" });
    // The form was loaded now: all fields, status Open.
    const form = { title: "Form", status: "Open", count: null, hours: null, notes: "old notes" };
    const fields = withField("status", { options: ["Open", "Closed"] }).filter((f) => f.key !== "notes");
    expect((await patch(slug, { fields })).status).toBe(200);

    const stale = await saveRecord(database.db, editor, {
      recordId: r.id,
      baseVersion: 1,
      values: { ...form, status: "Waiting", notes: "new notes" },
    });
    expect(stale).toEqual({
      ok: false,
      error: {
        code: "invalid",
        fields: { status: "'Waiting' is no longer an option", notes: "This field was removed from the collection" },
      },
    });
    const typo = await saveRecord(database.db, editor, {
      recordId: r.id,
      baseVersion: 1,
      values: { ...form, status: "Pending" },
    });
    expect(!typo.ok && typo.error.code === "invalid" && typo.error.fields).toEqual({
      status: "Must be one of: Open, Closed",
    });
    // The same old form changing only the title saves, and keeps the removed field's value.
    const saved = await saveRecord(database.db, editor, {
      recordId: r.id,
      baseVersion: 1,
      values: { ...form, title: "Form 2" },
    });
    expect(saved.ok).toBe(true);
    const [row] = await queryRows<{ data: object }>(database.db, sql`select data from records where id = ${r.id}`);
    expect(row?.data).toEqual({ title: "Form 2", status: "Open", notes: "old notes" });
  });
});

describe("two app instances", () => {
  it("10 concurrent schema edits from one version through two database pools: 1 accepted, 9 conflicts", async () => {
    const slug = await newCollection();
    const second = await openPostgres(database.url, { max: 10 });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 === 0
            ? patch(slug, { name: `Via routes ${i}` }).then((r) => (r.status === 200 ? "accepted" : String(r.status)))
            : updateCollection(second.db, admin2, { slug, baseVersion: 1, changes: { name: `Via pool ${i}` } }).then(
                (r) => (r.ok ? "accepted" : r.error.code === "schema_conflict" ? "412" : r.error.code),
              ),
        ),
      );
      expect(outcomes.filter((o) => o === "accepted")).toHaveLength(1);
      expect(outcomes.filter((o) => o === "412")).toHaveLength(9);
      expect(await storedSchema(slug)).toMatchObject({ version: 2 });
      expect(await schemaRevisionCount(slug)).toBe(2);
    } finally {
      await second.close();
    }
  });
});

describe("multi-select, user and link fields", () => {
  it("user and link values must name an active person and a live record of the linked collection (422 otherwise)", async () => {
    const customers = await newCollection([{ key: "title", label: "Name", type: "text", required: true }]);
    const ada = await record(customers, { title: "Ada" });
    const gone = await record(customers, { title: "Gone" });
    await queryRows(database.db, sql`update records set deleted_at = now() where id = ${gone.id}`);
    const inactive = await createUser(database.db, { name: "Ina" });
    await queryRows(database.db, sql`update users set active = false where id = ${inactive.id}`);
    const slug = await newCollection([
      { key: "title", label: "Title", type: "text", required: true },
      { key: "tags", label: "Tags", type: "multiselect", options: ["bug", "billing", "urgent"] },
      { key: "assignee", label: "Assignee", type: "user" },
      { key: "customer", label: "Customer", type: "link", collection: customers },
    ]);
    const post = (data: Record<string, unknown>) =>
      callRoute(createRecordRoute, {
        method: "POST",
        path: `/api/collections/${slug}/records`,
        params: { slug },
        token: editor.token,
        json: { data },
        headers: origin,
      });
    const bad = await post({ title: "T", assignee: inactive.id, customer: gone.id, tags: ["nope"] });
    expectError(bad, 422, "invalid");
    expect(Object.keys(bad.body.fields)).toEqual(["tags"]);
    const dangling = await post({ title: "T", assignee: inactive.id, customer: gone.id });
    expectError(dangling, 422, "invalid");
    expect(Object.keys(dangling.body.fields).sort()).toEqual(["assignee", "customer"]);
    const other = await newCollection([{ key: "title", label: "Name", type: "text", required: true }]);
    const elsewhere = await record(other, { title: "Elsewhere" });
    expect(Object.keys((await post({ title: "T", customer: elsewhere.id })).body.fields)).toEqual(["customer"]);

    const good = await post({ title: "T", assignee: editor.id, customer: ada.id, tags: ["urgent", "bug"] });
    expect(good.status, JSON.stringify(good.body)).toBe(201);
    expect(good.body.data).toEqual({ title: "T", assignee: editor.id, customer: ada.id, tags: ["bug", "urgent"] });
    // The linked record deleted later: the record still saves its other fields.
    await queryRows(database.db, sql`update records set deleted_at = now() where id = ${ada.id}`);
    const saved = await callRoute(patchRecord, {
      method: "PATCH",
      path: `/api/records/${good.body.id}`,
      params: { id: good.body.id },
      token: editor.token,
      json: { data: { title: "T2" } },
      headers: { ...origin, "if-match": '"1"' },
    });
    expect(saved.status).toBe(200);
  });
});
