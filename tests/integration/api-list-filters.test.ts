import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as listRecordsRoute } from "@/app/api/collections/[slug]/records/route";
import { queryRows } from "@/db/client";
import type { FieldDefinition } from "@/lib/fields";
import { deleteRecord } from "@/lib/records/delete-record";
import type { ListedRecord } from "@/lib/records/list-records";
import { saveRecord } from "@/lib/records/save-record";
import { callRoute, expectError } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import {
  createCollection,
  createTestRecord,
  createUser,
  type TestDatabase,
  type TestUser,
} from "../support/test-database";

/**
 * The list API against a reference: ~300 generated records with every field type (and many
 * empty values), every operator on every type compared with a plain JavaScript filter over
 * the whole collection, read back through small pages.
 */

const STATUS = ["Open", "Pending", "Closed"];
const TAGS = ["red", "green", "blue"];
const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", listed: true },
  { key: "note", label: "Note", type: "longtext" },
  { key: "mail", label: "Mail", type: "email" },
  { key: "status", label: "Status", type: "select", options: STATUS },
  { key: "tags", label: "Tags", type: "multiselect", options: TAGS },
  { key: "rank", label: "Rank", type: "integer" },
  { key: "price", label: "Price", type: "number" },
  { key: "due", label: "Due", type: "date" },
  { key: "done", label: "Done", type: "boolean" },
  { key: "owner", label: "Owner", type: "user" },
  { key: "parent", label: "Parent", type: "link", collection: "elsewhere" },
];
const RECORDS = 300;
const WORDS = ["Apple", "apricot", "Banana", "cherry", "Date", "elder", "FIG", "grape", "Honeydew", "kiwi"];

let database: TestDatabase;
/** Three editors who create the records; `me` reads the list ("$me"). */
let people: TestUser[];
let me: TestUser;
let slug: string;
let parents: string[];
type Item = {
  id: string;
  data: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
};
let all: Item[];

/** A small deterministic generator, so a failure can be reproduced. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** A fresh database for this file (the route handlers use it). */
const setup = setUpTestDatabase({});

beforeAll(async () => {
  database = setup.database;
  people = [
    await createUser(database.db, { name: "zoe Zed" }),
    await createUser(database.db, { name: "Adam Able" }),
    await createUser(database.db, { name: "mia Middle" }),
  ];
  me = people[0] as TestUser;
  const collection = await createCollection(database.db, { fields: FIELDS });
  slug = collection.slug;
  // Link values must name live records of the linked collection.
  await createCollection(database.db, {
    slug: "elsewhere",
    fields: [{ key: "name", label: "Name", type: "text" }],
  });
  parents = [];
  for (const name of ["One", "Two", "Three"]) {
    parents.push((await createTestRecord(database.db, me, { slug: "elsewhere" }, { name })).id);
  }
  parents.sort();
  const next = random(42);
  const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)] as T;
  const maybe = (value: unknown) => (next() < 0.25 ? undefined : value);
  for (let i = 0; i < RECORDS; i++) {
    const values: Record<string, unknown> = {
      title: maybe(`${pick(WORDS)} ${pick(WORDS)} ${i % 17}`),
      note: maybe(next() < 0.5 ? `Line about ${pick(WORDS)}\nsecond 100%_sure` : pick(WORDS)),
      mail: maybe(`${pick(WORDS).toLowerCase()}@Example.test`),
      status: maybe(pick(STATUS)),
      tags: maybe(TAGS.filter(() => next() < 0.5)),
      rank: maybe(Math.floor(next() * 21) - 10),
      price: maybe(Math.round(next() * 10000) / 100),
      due: maybe(`2026-0${1 + Math.floor(next() * 9)}-1${Math.floor(next() * 10)}`),
      done: maybe(next() < 0.5),
      owner: maybe(pick(people).id),
      parent: maybe(pick(parents)),
    };
    await createTestRecord(database.db, pick(people), { slug }, values);
  }
  // Timestamps that tie, so meta filters and sorts meet ties.
  await queryRows(
    database.db,
    sql`update records r set created_at = timestamptz '2026-03-01 00:00:00+00' + (s.n % 7) * interval '1 hour',
                              updated_at = timestamptz '2026-03-02 00:00:00+00' + (s.n % 5) * interval '1 hour'
          from (select id, row_number() over (order by id) as n from records where collection_id = ${collection.id}) s
         where r.id = s.id`,
  );
  all = await queryRows<Item>(
    database.db,
    sql`select id, data, to_json(created_at) #>> '{}' as "createdAt", created_by as "createdBy",
               to_json(updated_at) #>> '{}' as "updatedAt", updated_by as "updatedBy"
          from records where collection_id = ${collection.id} and deleted_at is null`,
  );
});

const list = (query: string, user: TestUser = me, collectionSlug = slug) =>
  callRoute(listRecordsRoute, {
    path: `/api/collections/${collectionSlug}/records${query}`,
    params: { slug: collectionSlug },
    token: user.token,
  });

async function pageThrough(query: Record<string, string>, limit: number): Promise<ListedRecord[]> {
  const items: ListedRecord[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const params = new URLSearchParams({ ...query, limit: String(limit) });
    if (cursor) params.set("cursor", cursor);
    const response = await list(`?${params}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
    if (cursor === null) return items;
  }
  throw new Error("paging did not end");
}

// ---- the reference -------------------------------------------------------------------------

type Condition = Record<string, unknown>;
const isEmpty = (v: unknown) => v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
const resolve = (v: unknown) => (v === "$me" ? me.id : v);

function fieldValue(item: Item, key: string): unknown {
  if (key === "createdAt" || key === "updatedAt") return item[key];
  if (key === "createdBy" || key === "updatedBy") return item[key];
  return item.data[key];
}

function matchesOp(item: Item, key: string, op: string, operand: unknown): boolean {
  const v = fieldValue(item, key);
  const type = FIELDS.find((f) => f.key === key)?.type;
  const time = (x: unknown) => new Date(String(x)).getTime();
  const compare = (a: unknown, b: unknown) =>
    key.endsWith("At")
      ? time(a) - time(b)
      : typeof a === "number"
        ? a - (b as number)
        : String(a) < String(b)
          ? -1
          : String(a) > String(b)
            ? 1
            : 0;
  switch (op) {
    case "_eq":
      return key.endsWith("At") ? time(v) === time(operand) : v === resolve(operand);
    case "_neq":
      return !matchesOp(item, key, "_eq", operand);
    case "_in":
      if (type === "multiselect") return Array.isArray(v) && v.some((o) => (operand as unknown[]).includes(o));
      return (operand as unknown[]).map(resolve).includes(v);
    case "_nin":
      return !matchesOp(item, key, "_in", operand);
    case "_contains":
      if (type === "multiselect") return Array.isArray(v) && v.includes(operand);
      return typeof v === "string" && v.toLowerCase().includes(String(operand).toLowerCase());
    case "_ncontains":
      return !matchesOp(item, key, "_contains", operand);
    case "_lt":
      return !isEmpty(v) && compare(v, operand) < 0;
    case "_lte":
      return !isEmpty(v) && compare(v, operand) <= 0;
    case "_gt":
      return !isEmpty(v) && compare(v, operand) > 0;
    case "_gte":
      return !isEmpty(v) && compare(v, operand) >= 0;
    case "_empty":
      return isEmpty(v) === operand;
    case "_nempty":
      return isEmpty(v) !== operand;
  }
  throw new Error(`reference does not know ${op}`);
}

function matches(item: Item, filter: Condition): boolean {
  return Object.entries(filter).every(([key, ops]) => {
    if (key === "_or") return (ops as Condition[]).some((group) => matches(item, group));
    return Object.entries(ops as Condition).every(([op, operand]) => matchesOp(item, key, op, operand));
  });
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The promised order: by the sort value, empty values last both ways, ties by id ascending. */
function sortedIds(items: Item[], value: (item: Item) => string | number | boolean | undefined, dir: "asc" | "desc") {
  const sign = dir === "asc" ? 1 : -1;
  return [...items]
    .sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      if (va === undefined || vb === undefined) return va === vb ? byId(a, b) : va === undefined ? 1 : -1;
      if (va !== vb) return sign * (va < vb ? -1 : 1);
      return byId(a, b);
    })
    .map((item) => item.id);
}

const rankOf = (item: Item) => (typeof item.data.rank === "number" ? item.data.rank : undefined);

// ---- the comparisons -----------------------------------------------------------------------

const someone = () => (people[1] as TestUser).id;

const CASES: [string, () => Condition][] = [
  [
    "text _eq",
    () => ({ title: { _eq: (all.find((i) => typeof i.data.title === "string")?.data.title as string) ?? "x" } }),
  ],
  [
    "text _neq",
    () => ({ title: { _neq: (all.find((i) => typeof i.data.title === "string")?.data.title as string) ?? "x" } }),
  ],
  [
    "text _in",
    () => ({
      title: {
        _in: all
          .slice(0, 10)
          .map((i) => i.data.title)
          .filter((t) => typeof t === "string"),
      },
    }),
  ],
  [
    "text _nin",
    () => ({
      title: {
        _nin: all
          .slice(0, 10)
          .map((i) => i.data.title)
          .filter((t) => typeof t === "string"),
      },
    }),
  ],
  ["text _contains (case-insensitive)", () => ({ title: { _contains: "APP" } })],
  ["text _ncontains", () => ({ title: { _ncontains: "app" } })],
  ["longtext _contains with % and _ taken literally", () => ({ note: { _contains: "100%_S" } })],
  ["longtext _contains _ alone", () => ({ note: { _contains: "_" } })],
  ["email _contains", () => ({ mail: { _contains: "@example" } })],
  ["text _empty", () => ({ title: { _empty: true } })],
  ["text _empty false", () => ({ title: { _empty: false } })],
  ["text _nempty", () => ({ note: { _nempty: true } })],
  ["select _eq", () => ({ status: { _eq: "Open" } })],
  ["select _neq", () => ({ status: { _neq: "Open" } })],
  ["select _in", () => ({ status: { _in: ["Open", "Pending"] } })],
  ["select _nin", () => ({ status: { _nin: ["Open", "Pending"] } })],
  ["select _in empty list", () => ({ status: { _in: [] } })],
  ["select _nin empty list", () => ({ status: { _nin: [] } })],
  ["select _empty", () => ({ status: { _empty: true } })],
  ["multiselect _contains (has this option)", () => ({ tags: { _contains: "red" } })],
  ["multiselect _ncontains", () => ({ tags: { _ncontains: "red" } })],
  ["multiselect _in (any of)", () => ({ tags: { _in: ["green", "blue"] } })],
  ["multiselect _nin (none of)", () => ({ tags: { _nin: ["green", "blue"] } })],
  ["multiselect _empty", () => ({ tags: { _empty: true } })],
  ["multiselect _nempty", () => ({ tags: { _nempty: true } })],
  ["integer _eq", () => ({ rank: { _eq: 3 } })],
  ["integer _neq", () => ({ rank: { _neq: 3 } })],
  ["integer _in", () => ({ rank: { _in: [-1, 0, 1] } })],
  ["integer _nin", () => ({ rank: { _nin: [-1, 0, 1] } })],
  ["integer range _gte/_lt", () => ({ rank: { _gte: -2, _lt: 4 } })],
  ["integer _lte", () => ({ rank: { _lte: 0 } })],
  ["integer _gt", () => ({ rank: { _gt: 5 } })],
  ["integer _empty", () => ({ rank: { _empty: true } })],
  ["number _gt", () => ({ price: { _gt: 49.5 } })],
  ["number _lte", () => ({ price: { _lte: 10.25 } })],
  [
    "number _eq",
    () => ({ price: { _eq: (all.find((i) => typeof i.data.price === "number")?.data.price as number) ?? 1 } }),
  ],
  ["date _lt", () => ({ due: { _lt: "2026-05-01" } })],
  ["date range", () => ({ due: { _gte: "2026-03-10", _lte: "2026-06-15" } })],
  [
    "date _eq",
    () => ({ due: { _eq: (all.find((i) => typeof i.data.due === "string")?.data.due as string) ?? "2026-01-01" } }),
  ],
  ["date _nempty", () => ({ due: { _nempty: true } })],
  ["boolean _eq true", () => ({ done: { _eq: true } })],
  ["boolean _eq false", () => ({ done: { _eq: false } })],
  ["boolean _neq true", () => ({ done: { _neq: true } })],
  ["boolean _empty", () => ({ done: { _empty: true } })],
  ["user _eq $me", () => ({ owner: { _eq: "$me" } })],
  ["user _neq $me", () => ({ owner: { _neq: "$me" } })],
  ["user _in with $me", () => ({ owner: { _in: ["$me", someone()] } })],
  ["user _nin", () => ({ owner: { _nin: [someone()] } })],
  ["user _empty", () => ({ owner: { _empty: true } })],
  ["link _eq", () => ({ parent: { _eq: parents[0] } })],
  ["link _neq", () => ({ parent: { _neq: parents[0] } })],
  ["link _in", () => ({ parent: { _in: parents.slice(0, 2) } })],
  ["link _nin", () => ({ parent: { _nin: parents.slice(0, 2) } })],
  ["link _nempty", () => ({ parent: { _nempty: true } })],
  ["createdBy $me", () => ({ createdBy: { _eq: "$me" } })],
  ["createdBy _in", () => ({ createdBy: { _in: ["$me", someone()] } })],
  ["updatedBy _neq", () => ({ updatedBy: { _neq: someone() } })],
  ["updatedBy _nin", () => ({ updatedBy: { _nin: ["$me"] } })],
  ["createdAt _gte", () => ({ createdAt: { _gte: "2026-03-01T03:00:00Z" } })],
  [
    "updatedAt range with an offset",
    () => ({ updatedAt: { _gt: "2026-03-02T02:00:00+01:00", _lte: "2026-03-02T03:00:00Z" } }),
  ],
  ["updatedAt _eq", () => ({ updatedAt: { _eq: "2026-03-02T01:00:00.000Z" } })],
  ["several keys ANDed", () => ({ status: { _eq: "Open" }, owner: { _eq: "$me" }, rank: { _gte: 0 } })],
  [
    "_or of groups",
    () => ({ _or: [{ status: { _eq: "Closed" }, done: { _eq: true } }, { tags: { _contains: "blue" } }] }),
  ],
  [
    "_or with ANDed keys",
    () => ({ rank: { _nempty: true }, _or: [{ owner: { _eq: "$me" } }, { createdBy: { _eq: "$me" } }] }),
  ],
];

describe("GET /api/collections/:slug/records?filter= against a reference filter", () => {
  it.each(CASES)("%s: exactly the matching records, in order, across pages", async (_title, make) => {
    const filter = make();
    const expected = sortedIds(
      all.filter((item) => matches(item, filter)),
      rankOf,
      "asc",
    );
    const items = await pageThrough({ filter: JSON.stringify(filter), sort: "rank" }, 17);
    expect(items.map((i) => i.id)).toEqual(expected);
    const counted = await list(`?${new URLSearchParams({ filter: JSON.stringify(filter), count: "1", limit: "1" })}`);
    expect(counted.body.total).toBe(expected.length);
    expect(counted.body.totalIsEstimate).toBeUndefined();
  });

  it("the cases are not trivial: most match some records and miss others", () => {
    const sizes = CASES.map(([, make]) => all.filter((item) => matches(item, make())).length);
    expect(sizes.filter((n) => n > 0 && n < all.length).length).toBeGreaterThan(CASES.length - 4);
  });

  it("combines a filter with q search", async () => {
    const filter = { status: { _eq: "Open" } };
    const expected = sortedIds(
      all.filter(
        (i) =>
          matches(i, filter) &&
          [i.data.title, i.data.note, i.data.mail, i.data.status].some(
            (t) => typeof t === "string" && t.toLowerCase().includes("kiwi"),
          ),
      ),
      rankOf,
      "asc",
    );
    const items = await pageThrough({ filter: JSON.stringify(filter), sort: "rank", q: "KIWI" }, 5);
    expect(items.map((i) => i.id)).toEqual(expected);
  });
});

describe("GET /api/collections/:slug/records sorting", () => {
  const options = (list: string[]) => (v: unknown) => (typeof v === "string" ? list.indexOf(v) : undefined);
  const nameOf = (id: unknown) => people.find((p) => p.id === id)?.name.toLowerCase();
  const cases: [string, (item: Item) => string | number | boolean | undefined][] = [
    ["title", (i) => (typeof i.data.title === "string" ? i.data.title.toLowerCase() : undefined)],
    ["mail", (i) => (typeof i.data.mail === "string" ? i.data.mail.toLowerCase() : undefined)],
    ["status", (i) => options(STATUS)(i.data.status)],
    ["tags", (i) => (Array.isArray(i.data.tags) && i.data.tags.length > 0 ? TAGS.indexOf(i.data.tags[0]) : undefined)],
    ["rank", rankOf],
    ["price", (i) => (typeof i.data.price === "number" ? i.data.price : undefined)],
    ["due", (i) => (typeof i.data.due === "string" ? i.data.due : undefined)],
    ["done", (i) => (typeof i.data.done === "boolean" ? Number(i.data.done) : undefined)],
    ["owner", (i) => nameOf(i.data.owner)],
    ["parent", (i) => (typeof i.data.parent === "string" ? i.data.parent : undefined)],
    ["createdAt", (i) => new Date(i.createdAt).getTime()],
    ["updatedAt", (i) => new Date(i.updatedAt).getTime()],
    ["createdBy", (i) => nameOf(i.createdBy)],
    ["updatedBy", (i) => nameOf(i.updatedBy)],
  ];
  const both = cases.flatMap(([key, value]) => (["asc", "desc"] as const).map((dir) => [key, dir, value] as const));

  it.each(both)("by %s %s: empty values last, ties by id ascending, across pages", async (key, dir, value) => {
    const items = await pageThrough({ sort: key, dir }, 23);
    expect(items.map((i) => i.id)).toEqual(sortedIds(all, value, dir));
  });
});

describe("paging while others write", () => {
  it("never skips or repeats a record whose sort value stays put, while records are added and edited", async () => {
    const writer = people[1] as TestUser;
    const before = new Set(all.map((i) => i.id));
    let writing = true;
    const writes = (async () => {
      let n = 0;
      while (writing) {
        n += 1;
        // New records land everywhere in the order; edits leave `rank` alone.
        await createTestRecord(database.db, writer, { slug }, { title: `new ${n}`, rank: (n % 21) - 10 });
        const target = all[(n * 37) % all.length] as Item;
        const [row] = await queryRows<{ version: number }>(
          database.db,
          sql`select version from records where id = ${target.id}`,
        );
        await saveRecord(database.db, writer, {
          recordId: target.id,
          baseVersion: row?.version ?? 1,
          values: { ...target.data, note: `edited ${n}` },
        });
      }
      return n;
    })();
    let asc: string[] = [];
    let desc: string[] = [];
    try {
      asc = (await pageThrough({ sort: "rank" }, 5)).map((i) => i.id);
      desc = (await pageThrough({ sort: "rank", dir: "desc" }, 7)).map((i) => i.id);
    } finally {
      writing = false;
    }
    const written = await writes;
    expect(written).toBeGreaterThan(3);
    for (const pass of [asc, desc]) {
      expect(new Set(pass).size, "no record twice").toBe(pass.length);
      const missing = [...before].filter((id) => !pass.includes(id));
      expect(missing, "every record that was there before is seen").toEqual([]);
    }
  });
});

describe("count, the trash and bad queries", () => {
  it("count=1 is exact up to 10,000 and an estimate above, said so", async () => {
    const editor = people[2] as TestUser;
    const big = await createCollection(database.db, { fields: [{ key: "n", label: "N", type: "integer" }] });
    await queryRows(
      database.db,
      sql`insert into records (collection_id, data, version, created_by, updated_by)
          select ${big.id}, jsonb_build_object('n', g), 1, ${editor.id}, ${editor.id} from generate_series(1, 10050) g`,
    );
    await queryRows(database.db, sql`analyze records`);
    const over = await list("?count=1&limit=1", me, big.slug);
    expect(over.body.totalIsEstimate).toBe(true);
    expect(over.body.total).toBeGreaterThan(10_000);
    const under = await list(
      `?count=1&limit=1&filter=${encodeURIComponent(JSON.stringify({ n: { _lte: 10_000 } }))}`,
      me,
      big.slug,
    );
    expect(under.body).toMatchObject({ total: 10_000 });
    expect(under.body.totalIsEstimate).toBeUndefined();
    const none = await list("?limit=1", me, big.slug);
    expect(none.body.total).toBeUndefined();
  });

  it("deleted=only lists the trash with who deleted and when; normal lists and counts leave it out", async () => {
    const deleter = people[1] as TestUser;
    const trashCollection = await createCollection(database.db, { fields: FIELDS });
    const kept = await createTestRecord(database.db, deleter, trashCollection, { title: "kept" });
    const gone = await createTestRecord(database.db, deleter, trashCollection, { title: "gone", status: "Open" });
    const result = await deleteRecord(database.db, deleter, { recordId: gone.id, baseVersion: 1 });
    expect(result.ok).toBe(true);

    const normal = await list("?count=1", me, trashCollection.slug);
    expect(normal.body.items.map((i: ListedRecord) => i.id)).toEqual([kept.id]);
    expect(normal.body.total).toBe(1);
    const trash = await list("?deleted=only&count=1", me, trashCollection.slug);
    expect(trash.body.total).toBe(1);
    expect(trash.body.items).toEqual([
      expect.objectContaining({
        id: gone.id,
        version: 2,
        data: { title: "gone", status: "Open" },
        deletedAt: expect.any(String),
        deletedBy: { id: deleter.id, name: deleter.name },
      }),
    ]);
    const filtered = await list(
      `?deleted=only&filter=${encodeURIComponent('{"status":{"_eq":"Closed"}}')}`,
      me,
      trashCollection.slug,
    );
    expect(filtered.body.items).toEqual([]);
  });

  const f = (filter: unknown) =>
    `?filter=${encodeURIComponent(typeof filter === "string" ? filter : JSON.stringify(filter))}`;
  it.each([
    [f({ nope: { _eq: 1 } }), "nope"],
    [f({ title: { _like: "x" } }), "_like"],
    [f({ rank: { _eq: "5" } }), "rank"],
    [f({ status: "Open" }), "status"],
    [f({ _or: [{ _or: [{ rank: { _eq: 1 } }] }] }), "_or"],
    [f("{not json"), "JSON"],
    [f({ owner: { _in: ["$me", "bob"] } }), "owner"],
    [f({ updatedAt: { _gt: "2026-02-30T00:00:00Z" } }), "updatedAt"],
    [f({ title: { _contains: "\ud800" } }), "title"],
    ["?deleted=yes", "deleted"],
    ["?count=yes", "count"],
    [
      `?sort=rank&cursor=${Buffer.from('{"v":"\\ud800","id":"00000000-0000-4000-8000-000000000000"}').toString("base64url")}`,
      "cursor",
    ],
    [
      `?sort=title&cursor=${Buffer.from('{"v":"\\ud800","id":"00000000-0000-4000-8000-000000000000"}').toString("base64url")}`,
      "cursor",
    ],
    [
      `?sort=rank&cursor=${Buffer.from('{"v":"abc","id":"00000000-0000-4000-8000-000000000000"}').toString("base64url")}`,
      "cursor",
    ],
    [
      `?sort=updatedAt&cursor=${Buffer.from('{"v":null,"id":"00000000-0000-4000-8000-000000000000"}').toString("base64url")}`,
      "cursor",
    ],
    ["?cursor=%F0%9F%98%80", "cursor"],
  ])("answers 400 bad_query for %s, naming %s", async (query, named) => {
    const response = await list(query);
    expectError(response, 400, "bad_query");
    expect(response.body.message).toContain(named);
  });
});
