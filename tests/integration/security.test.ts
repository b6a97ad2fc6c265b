import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as createRecordRoute, GET as listRecordsRoute } from "@/app/api/collections/[slug]/records/route";
import { PATCH as patchRecordRoute } from "@/app/api/records/[id]/route";
import { POST as signIn } from "@/app/api/session/route";
import { findCollection } from "@/lib/collections";
import type { FieldDefinition } from "@/lib/fields";
import { listRecords } from "@/lib/records/list-records";
import type { RecordView } from "@/lib/records/record-view";
import { callRoute, expectError, ORIGIN } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { createTestRecord, type TestDatabase, type TestUser } from "../support/test-database";

/** Issue 10, defects 6–9: the origin check, requests that answered 500, error bodies, limits. */

const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", required: true, listed: true },
  { key: "contact", label: "Contact", type: "email" },
];

const setup = setUpTestDatabase({ collections: { items: { fields: FIELDS } }, users: { editor: { name: "Edith" } } });
let database: TestDatabase;
let editor: TestUser;
let slug: string;

beforeAll(async () => {
  ({ database } = setup);
  slug = setup.collections.items.slug;
  ({ editor } = setup.users);
  for (let i = 0; i < 3; i++) await createTestRecord(database.db, editor, { slug }, { title: `Ticket ${i}` });
});

const newRecord = (): Promise<RecordView> => createTestRecord(database.db, editor, { slug }, { title: "Printer jams" });

const patchWithCookie = (record: RecordView, headers: Record<string, string>) =>
  callRoute(patchRecordRoute, {
    method: "PATCH",
    path: `/api/records/${record.id}`,
    params: { id: record.id },
    cookie: editor.token,
    headers: { "if-match": `"${record.version}"`, ...headers },
    json: { data: { title: "Changed" } },
  });

describe("the CSRF origin check compares the whole origin (defect 6)", () => {
  it("refuses a cookie write whose Origin differs only in scheme or port", async () => {
    const record = await newRecord();
    for (const origin of ["https://localhost:3000", "http://localhost:3001", "http://localhost", "null"]) {
      expectError(await patchWithCookie(record, { origin }), 403, "forbidden");
    }
    expect((await patchWithCookie(record, { origin: ORIGIN })).status).toBe(200);
  });

  it("does not take X-Forwarded-Host or X-Forwarded-Proto from a client", async () => {
    const record = await newRecord();
    const forged = await patchWithCookie(record, {
      origin: "https://evil.example",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "https",
    });
    expectError(forged, 403, "forbidden");
  });

  it("takes them from a trusted proxy, and accepts APP_ORIGIN", async () => {
    const record = await newRecord();
    process.env.TRUSTED_PROXIES = "10.0.0.0/8";
    try {
      const proxied = await callRoute(patchRecordRoute, {
        method: "PATCH",
        path: `/api/records/${record.id}`,
        params: { id: record.id },
        cookie: editor.token,
        peer: "10.1.2.3",
        headers: {
          "if-match": '"1"',
          origin: "https://tandem.example",
          "x-forwarded-host": "tandem.example",
          "x-forwarded-proto": "https",
        },
        json: { data: { title: "Through the proxy" } },
      });
      expect(proxied.status).toBe(200);
    } finally {
      delete process.env.TRUSTED_PROXIES;
    }
    process.env.APP_ORIGIN = "https://tandem.example";
    try {
      expect((await patchWithCookie({ ...record, version: 2 }, { origin: "https://tandem.example" })).status).toBe(200);
      expectError(
        await patchWithCookie({ ...record, version: 3 }, { origin: "http://tandem.example" }),
        403,
        "forbidden",
      );
    } finally {
      delete process.env.APP_ORIGIN;
    }
  });
});

const list = (query: string) =>
  callRoute(listRecordsRoute, {
    path: `/api/collections/${slug}/records${query}`,
    params: { slug },
    token: editor.token,
  });

describe("requests that answered 500 (defect 7)", () => {
  it("answers 400 for a list cursor holding a lone surrogate or a NUL", async () => {
    for (const v of ["\ud800", "a\u0000b", { nested: true }, ["x"]]) {
      const cursor = Buffer.from(JSON.stringify({ v, id: "00000000-0000-4000-8000-000000000000" })).toString(
        "base64url",
      );
      for (const sort of ["", "&sort=title", "&sort=updatedAt"]) {
        expectError(await list(`?cursor=${cursor}${sort}`), 400, "bad_query");
      }
    }
  });

  it("answers 400 for query text with a NUL or a lone surrogate", async () => {
    expectError(await list("?q=%00"), 400, "bad_query");
    expectError(await list("?sort=%00"), 400, "bad_query");
    expect((await list("?q=a%ED%A0%80")).status).toBe(200);
  });

  it("answers 4xx, not 500, for JSON strings with a lone surrogate", async () => {
    const response = await callRoute(createRecordRoute, {
      method: "POST",
      path: `/api/collections/${slug}/records`,
      params: { slug },
      token: editor.token,
      body: '{"data":{"title":"\\ud800"}}',
      headers: { "content-type": "application/json" },
    });
    expectError(response, 422, "invalid");
    expect(Object.keys(response.body.fields)).toEqual(["title"]);
  });
});

describe("error bodies name what is wrong, within bounds (defect 8)", () => {
  it("names a top-level __proto__ key in the 422", async () => {
    const response = await callRoute(signIn, {
      method: "POST",
      path: "/api/session",
      body: '{"email":"a@example.com","password":"x","__proto__":{"admin":true}}',
      headers: { "content-type": "application/json" },
    });
    expectError(response, 422, "invalid");
    expect(Object.keys(response.body.fields)).toEqual(["__proto__"]);
    expect(response.body.message).toContain("__proto__");
  });

  it("echoes at most 50 unknown keys, each shortened, however many are sent", async () => {
    const data: Record<string, string> = { title: "Many keys" };
    for (let i = 0; i < 5000; i++) data[`k${i}_${"x".repeat(100)}`] = "v";
    const body = JSON.stringify({ data });
    const response = await callRoute(createRecordRoute, {
      method: "POST",
      path: `/api/collections/${slug}/records`,
      params: { slug },
      token: editor.token,
      body,
      headers: { "content-type": "application/json" },
    });
    expectError(response, 422, "invalid");
    const answer = JSON.stringify(response.body);
    expect(answer.length).toBeLessThan(20_000);
    expect(Object.keys(response.body.fields).length).toBeLessThanOrEqual(51);
    expect(response.body.fields._more).toMatch(/4950 more/);
  });
});

describe("limits (defect 9)", () => {
  it("caps email fields at 254 characters", async () => {
    const long = `${"a".repeat(250)}@example.com`;
    const signInResponse = await callRoute(signIn, {
      method: "POST",
      path: "/api/session",
      json: { email: long, password: "x" },
    });
    expectError(signInResponse, 422, "invalid");
    expect(signInResponse.body.fields).toHaveProperty("email");
    const create = await callRoute(createRecordRoute, {
      method: "POST",
      path: `/api/collections/${slug}/records`,
      params: { slug },
      token: editor.token,
      json: { data: { title: "Long email", contact: long } },
    });
    expectError(create, 422, "invalid");
    expect(create.body.fields).toHaveProperty("contact");
  });
});

describe("the collection page with ?q=%00 (defect 7)", () => {
  it("lists records instead of failing: the search is refused as a bad query", async () => {
    const found = await findCollection(database.db, slug);
    if (!found) throw new Error("no collection");
    const result = await listRecords(database.db, found, { q: "\u0000", limit: 10 }, randomUUID());
    expect(result).toMatchObject({ ok: false, error: { code: "bad_query" } });
  });
});
