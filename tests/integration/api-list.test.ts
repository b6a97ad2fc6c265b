import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as listRecordsRoute } from "@/app/api/collections/[slug]/records/route";
import { queryRows } from "@/db/client";
import type { FieldDefinition } from "@/lib/fields";
import type { RecordView } from "@/lib/records/record-view";
import { callRoute, expectError } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { createCollection, createTestRecord, type TestDatabase, type TestUser } from "../support/test-database";

const FIELDS: FieldDefinition[] = [
  { key: "name", label: "Name", type: "text", listed: true },
  { key: "rank", label: "Rank", type: "integer", listed: true },
  { key: "note", label: "Note", type: "longtext" },
];

/** Distinct first letters: every collation orders them the same way. */
const NAMES = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo"];
const RECORDS = 250;

let database: TestDatabase;
let viewer: TestUser;
let big: { slug: string; id: string };
let people: string;
/** The visible records of `big`, with updated_at at full (microsecond) precision. */
let rows: { id: string; name?: string; rank?: number; ts: string }[];

/** A fresh database for this file (the route handlers use it), with an editor and a viewer. */
const setup = setUpTestDatabase({ users: { editor: {}, viewer: { role: "viewer" } } });

beforeAll(async () => {
  database = setup.database;
  const editor = setup.users.editor;
  viewer = setup.users.viewer;

  const collection = await createCollection(database.db, { fields: FIELDS });
  big = { slug: collection.slug, id: collection.id };
  for (let i = 0; i < RECORDS + 3; i++) {
    // Many ties in both fields, and some records without either.
    const values: Record<string, unknown> = { note: `record ${i}` };
    if (i % 13 !== 0) values.name = NAMES[i % NAMES.length];
    if (i % 7 !== 0) values.rank = (i % 21) - 10;
    await createTestRecord(database.db, editor, collection, values);
  }
  // Timestamps that tie exactly, or differ only below the millisecond.
  await queryRows(
    database.db,
    sql`update records r
           set updated_at = timestamptz '2026-01-01 00:00:00+00'
                            + (s.n % 5) * interval '1 second' + (s.n % 4) * interval '1 microsecond'
          from (select id, row_number() over (order by id) as n from records where collection_id = ${big.id}) s
         where r.id = s.id`,
  );
  // Deleted records never show.
  await queryRows(
    database.db,
    sql`update records set deleted_at = now(), deleted_by = ${editor.id}
         where id in (select id from records where collection_id = ${big.id} order by id limit 3)`,
  );
  rows = await queryRows(
    database.db,
    sql`select id, data ->> 'name' as name, (data ->> 'rank')::int as rank,
               to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as ts
          from records where collection_id = ${big.id} and deleted_at is null`,
  );
  rows = rows.map(({ id, name, rank, ts }) => ({
    id,
    ts,
    ...(name === null ? {} : { name }),
    ...(rank === null ? {} : { rank }),
  }));

  // A second collection: its records never leak into the first one's pages.
  people = (await createCollection(database.db, { fields: FIELDS })).slug;
  for (const [name, note] of [
    ["Ada Lovelace", "first programmer"],
    ["Grace Hopper", "compilers"],
    ["Hopper Fan Club", ""],
    ["Edsger Dijkstra", "likes HOPPING"],
    ["100% Grace", ""],
    ["under_score", ""],
    ["Back\\slash", ""],
  ] as const) {
    await createTestRecord(database.db, editor, { slug: people }, note ? { name, note } : { name });
  }
});

const list = (slug: string, query = "", token = viewer.token) =>
  callRoute(listRecordsRoute, { path: `/api/collections/${slug}/records${query}`, params: { slug }, token });

/** Follows nextCursor to the end; returns every item in order. */
async function pageThrough(query: Record<string, string>, limit: number): Promise<RecordView[]> {
  const items: RecordView[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const params = new URLSearchParams({ ...query, limit: String(limit) });
    if (cursor) params.set("cursor", cursor);
    const response = await list(big.slug, `?${params}`);
    expect(response.status).toBe(200);
    expect(response.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
    if (cursor === null) return items;
    expect(response.body.items).toHaveLength(limit);
  }
  throw new Error("paging did not end");
}

type Row = (typeof rows)[number];
const byId = (a: Row, b: Row) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The order the API promises: by value, ties by id ascending, records without a value last either way. */
function expectedOrder(value: (row: Row) => string | number | undefined, dir: "asc" | "desc"): string[] {
  const sign = dir === "asc" ? 1 : -1;
  const compare = (a: Row, b: Row) => {
    const va = value(a);
    const vb = value(b);
    if (va === undefined || vb === undefined) {
      if (va !== vb) return va === undefined ? 1 : -1;
      return byId(a, b);
    }
    if (va !== vb) return sign * (va < vb ? -1 : 1);
    return byId(a, b);
  };
  return [...rows].sort(compare).map((r) => r.id);
}

describe("GET /api/collections/:slug/records paging", () => {
  const cases: {
    title: string;
    sort?: string;
    dir?: "asc" | "desc";
    limit: number;
    value: (r: Row) => string | number | undefined;
  }[] = [
    { title: "text field ascending", sort: "name", dir: "asc", limit: 7, value: (r) => r.name },
    { title: "text field descending", sort: "name", dir: "desc", limit: 50, value: (r) => r.name },
    { title: "integer field ascending", sort: "rank", dir: "asc", limit: 9, value: (r) => r.rank },
    { title: "integer field descending", sort: "rank", dir: "desc", limit: 200, value: (r) => r.rank },
    { title: "updatedAt ascending", sort: "updatedAt", dir: "asc", limit: 11, value: (r) => r.ts },
    { title: "by default (updatedAt, newest first)", limit: 13, value: (r) => r.ts },
  ];

  it.each(cases)(
    "pages through every record in pages of $limit, $title, without duplicates or gaps",
    async ({ sort, dir, limit, value }) => {
      const query: Record<string, string> = {};
      if (sort) query.sort = sort;
      if (dir) query.dir = dir;

      const items = await pageThrough(query, limit);

      expect(rows).toHaveLength(RECORDS);
      expect(items.map((item) => item.id)).toEqual(expectedOrder(value, dir ?? "desc"));
      expect(new Set(items.map((item) => item.id)).size).toBe(RECORDS);
    },
  );

  it("sorts text fields ascending by default, and returns records in the API's shape", async () => {
    const response = await list(big.slug, "?sort=name&limit=3");
    expect(response.body.items.map((i: RecordView) => i.id)).toEqual(expectedOrder((r) => r.name, "asc").slice(0, 3));
    expect(response.body.items[0]).toEqual({
      id: expect.any(String),
      collection: big.slug,
      version: 1,
      data: expect.objectContaining({ name: "alpha" }),
      createdAt: expect.any(String),
      createdBy: { id: expect.any(String), name: expect.any(String) },
      updatedAt: expect.any(String),
      updatedBy: { id: expect.any(String), name: expect.any(String) },
    });
  });
});

describe("GET /api/collections/:slug/records search", () => {
  const names = async (query: string) =>
    ((await list(people, query)).body.items as RecordView[]).map((i) => i.data.name).sort();

  it("finds q case-insensitively in text and long text fields", async () => {
    expect(await names("?q=HOPP")).toEqual(["Edsger Dijkstra", "Grace Hopper", "Hopper Fan Club"]);
    expect(await names("?q=grace")).toEqual(["100% Grace", "Grace Hopper"]);
    expect(await names("?q=nobody")).toEqual([]);
  });

  it("takes % _ and \\ in q literally", async () => {
    expect(await names(`?q=${encodeURIComponent("%")}`)).toEqual(["100% Grace"]);
    expect(await names("?q=_")).toEqual(["under_score"]);
    expect(await names(`?q=${encodeURIComponent("\\")}`)).toEqual(["Back\\slash"]);
  });

  it("pages through search results", async () => {
    const first = await list(people, "?q=o&sort=name&limit=2");
    const second = await list(people, `?q=o&sort=name&limit=2&cursor=${first.body.nextCursor}`);
    const third = await list(people, `?q=o&sort=name&limit=2&cursor=${second.body.nextCursor}`);
    const all = [...first.body.items, ...second.body.items, ...third.body.items].map((i: RecordView) => i.data.name);
    expect(all).toEqual(["Ada Lovelace", "Edsger Dijkstra", "Grace Hopper", "Hopper Fan Club", "under_score"]);
    expect(third.body.nextCursor).toBeNull();
  });
});

describe("GET /api/collections/:slug/records bad requests", () => {
  const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

  it.each([
    ["limit=0"],
    ["limit=201"],
    ["limit=2.5"],
    ["limit=ten"],
    ["sort=nope"],
    ["dir=sideways"],
    ["cursor=garbage"],
    [`cursor=${cursor({ v: "alpha" })}`],
    [`sort=name&cursor=${cursor({ v: "alpha", id: "-".repeat(36) })}`],
    [`sort=updatedAt&cursor=${cursor({ v: "not a time", id: randomUUID() })}`],
    [`sort=updatedAt&cursor=${cursor({ v: { at: 1 }, id: randomUUID() })}`],
    [`sort=createdAt&cursor=${cursor({ v: "2026-13-45T99:00:00Z", id: randomUUID() })}`],
    [`sort=createdAt&cursor=${cursor({ v: "2026-02-30T00:00:00Z", id: randomUUID() })}`],
    [`sort=updatedAt&cursor=${cursor({ v: "2026-01-01T00:00:00+99:00", id: randomUUID() })}`],
    ["page=2"],
    ["limit=5&limit=6"],
  ])("answers 400 bad_query for ?%s", async (query) => {
    expectError(await list(big.slug, `?${query}`), 400, "bad_query");
  });

  it("answers 400, not 500, for text PostgreSQL cannot store (NUL) in q or in the collection slug", async () => {
    expectError(await list(big.slug, "?q=a%00b"), 400, "bad_query");
    expectError(await list("tick\u0000ets"), 400, "bad_request");
  });

  it("answers 404 for an unknown collection and 401 without a session", async () => {
    expectError(await list("no-such-collection"), 404, "not_found");
    expectError(await list(big.slug, "", ""), 401, "unauthenticated");
  });
});
