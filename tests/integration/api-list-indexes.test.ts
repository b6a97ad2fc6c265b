import { type SQL, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDatabase, queryRows } from "@/db/client";
import type { CollectionView } from "@/lib/collections";
import { updateCollection } from "@/lib/collections/write-collection";
import type { FieldDefinition } from "@/lib/fields";
import {
  desiredListIndexes,
  RECONCILE_LOCK,
  type ReconcileResult,
  reconcileListIndexes,
  startListIndexes,
} from "@/lib/records/list-indexes";
import { type ListQuery, listRecords } from "@/lib/records/list-records";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { createCollection, createUser } from "../support/test-database";

/**
 * The list indexes follow the schema (lib/records/list-indexes.ts): they appear when a field is
 * added and go when it is removed, and the plans of list queries on real PostgreSQL use them.
 */

const STATUS = ["Open", "In progress", "Closed"];
const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", listed: true },
  { key: "status", label: "Status", type: "select", options: STATUS, listed: true },
  { key: "hours", label: "Hours", type: "number", listed: true },
  { key: "due", label: "Due", type: "date" },
  { key: "note", label: "Note", type: "longtext" },
  { key: "owner", label: "Owner", type: "user" },
];
const ROWS = 20_000;

const setup = setUpTestDatabase({
  users: { admin: { role: "admin", name: "Ada Admin" } },
  collections: { tickets: { fields: FIELDS }, schema: { fields: [{ key: "name", label: "Name", type: "text" }] } },
});

/**
 * One reconcile, by this test: the background reconciler started below (after a schema event)
 * may hold the lock a moment, and then this one waits its turn.
 */
async function reconcile(): Promise<ReconcileResult> {
  for (;;) {
    const result = await reconcileListIndexes(setup.database);
    if (result.skipped !== "busy") return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function indexesOf(collectionId: string): Promise<string[]> {
  const rows = await queryRows<{ indexname: string; indexdef: string }>(
    setup.database.db,
    sql`select indexname, indexdef from pg_indexes where tablename = 'records' and indexname like 'rlx\\_%'`,
  );
  return rows
    .filter((r) => r.indexdef.includes(collectionId))
    .map((r) => r.indexname)
    .sort();
}

const expected = (collection: Pick<CollectionView, "id">, fields: FieldDefinition[]) =>
  desiredListIndexes({ id: collection.id, fields }, { trigram: true })
    .filter((i) => i.kind === "index")
    .map((i) => i.name)
    .sort();

/** The plan of every statement listRecords sends (EXPLAIN first, then the statement itself). */
async function planOf(collection: CollectionView, query: ListQuery): Promise<string> {
  const db = setup.database.db;
  const plans: string[] = [];
  const original = db.execute.bind(db);
  const explaining = Object.create(db) as typeof db;
  explaining.execute = (async (statement: SQL) => {
    const rows = await queryRows<{ "QUERY PLAN": string }>(db, sql`explain ${statement}`);
    plans.push(rows.map((r) => r["QUERY PLAN"]).join("\n"));
    return original(statement);
  }) as typeof db.execute;
  const result = await listRecords(explaining, collection, { limit: 50, ...query }, setup.users.admin.id);
  expect(result.ok).toBe(true);
  return plans.join("\n");
}

describe("list indexes follow the schema", () => {
  it("makes an index per listed field, per text field and per collection, and nothing twice", async () => {
    const { tickets } = setup.collections;
    const first = await reconcile();
    expect(first.failed).toEqual([]);
    expect(await indexesOf(tickets.id)).toEqual(expected(tickets, FIELDS));
    // title asc/desc/trgm; status asc/desc; hours asc/desc; due asc; note trgm (a longtext not
    // listed has no btree); owner eq (a user field sorts by the person's name: no sort index).
    expect(await indexesOf(tickets.id)).toHaveLength(10);
    const again = await reconcile();
    expect(again).toEqual({ created: [], dropped: [], failed: [] });
  });

  it("adds a listed field's indexes when it is added and drops them when it is removed", async () => {
    const { schema } = setup.collections;
    const { admin } = setup.users;
    await reconcile();
    const base: FieldDefinition[] = [{ key: "name", label: "Name", type: "text" }];
    expect(await indexesOf(schema.id)).toEqual(expected(schema, base));

    const added: FieldDefinition[] = [...base, { key: "rank", label: "Rank", type: "integer", listed: true }];
    const add = await updateCollection(setup.database.db, admin, {
      slug: schema.slug,
      baseVersion: 1,
      changes: { fields: added },
    });
    expect(add.ok).toBe(true);
    const created = await reconcile();
    expect(created.created).toHaveLength(3); // ascending, descending, and its statistics
    expect(await indexesOf(schema.id)).toEqual(expected(schema, added));
    expect((await indexesOf(schema.id)).filter((name) => name.startsWith("rlx_rank_"))).toHaveLength(2);

    const removed = await updateCollection(setup.database.db, admin, {
      slug: schema.slug,
      baseVersion: 2,
      changes: { fields: base },
    });
    expect(removed.ok).toBe(true);
    const dropped = await reconcile();
    expect(dropped.dropped).toHaveLength(3);
    expect(await indexesOf(schema.id)).toEqual(expected(schema, base));
    // The other collection's indexes are untouched.
    expect(await indexesOf(setup.collections.tickets.id)).toEqual(expected(setup.collections.tickets, FIELDS));
  });

  it("leaves the work to the instance that holds the lock", async () => {
    const client = setup.database.sql;
    if (!client) throw new Error("postgres only");
    const other = await client.reserve();
    try {
      await other`select pg_advisory_lock(${RECONCILE_LOCK})`;
      expect(await reconcileListIndexes(setup.database)).toEqual({
        created: [],
        dropped: [],
        failed: [],
        skipped: "busy",
      });
    } finally {
      await other`select pg_advisory_unlock(${RECONCILE_LOCK})`;
      other.release();
    }
    expect((await reconcile()).skipped).toBeUndefined();
  });

  it("follows a schema change by itself once started: the schema event runs the reconciler", async () => {
    const { schema } = setup.collections;
    const { admin } = setup.users;
    await startListIndexes(await getDatabase());
    const current = await queryRows<{ version: number }>(
      setup.database.db,
      sql`select version from collections where id = ${schema.id}`,
    );
    const fields: FieldDefinition[] = [
      { key: "name", label: "Name", type: "text" },
      { key: "stage", label: "Stage", type: "select", options: ["a", "b"], listed: true },
    ];
    const result = await updateCollection(setup.database.db, admin, {
      slug: schema.slug,
      baseVersion: current[0]?.version ?? 0,
      changes: { fields },
    });
    expect(result.ok).toBe(true);
    await expect.poll(() => indexesOf(schema.id), { timeout: 15_000 }).toEqual(expected(schema, fields));
  });
});

describe("list queries use the indexes on real PostgreSQL", () => {
  it("loads enough records that the planner prefers an index", async () => {
    const { tickets } = setup.collections;
    const { admin } = setup.users;
    await queryRows(
      setup.database.db,
      sql`insert into records (collection_id, data, version, search_text, created_by, updated_by)
          select ${tickets.id}, jsonb_strip_nulls(jsonb_build_object(
                   'title', (array['Printer','Laptop','VPN','Badge'])[1 + g % 4] || ' ' || g,
                   'status', (array['Open','In progress','Closed'])[1 + g % 3],
                   'hours', case when g % 5 = 0 then null else (g % 1000) / 10.0 end,
                   'due', to_char(date '2026-01-01' + (g % 365), 'YYYY-MM-DD'),
                   'note', 'note ' || g,
                   'owner', case when g % 1000 = 0 then ${admin.id}::text end)), 1, '', ${admin.id}, ${admin.id}
            from generate_series(1, ${ROWS}::int) g`,
    );
    await reconcile();
    await queryRows(setup.database.db, sql`analyze records`);
    const [row] = await queryRows<{ n: number }>(
      setup.database.db,
      sql`select count(*)::int as n from records where collection_id = ${tickets.id}`,
    );
    expect(row?.n).toBe(ROWS);
  });

  /** The names of the field's indexes of these kinds, as the reconciler made them. */
  const indexNames = (kinds: readonly string[], key: string) =>
    desiredListIndexes({ id: setup.collections.tickets.id, fields: FIELDS }, { trigram: true })
      .filter((i) => i.kind === "index" && i.key === key && kinds.some((kind) => i.name.includes(`_${kind}_`)))
      .map((i) => i.name);

  it.each([
    ["sort by a text field, ascending", { sort: "title", dir: "asc" }, "asc", "title"],
    ["sort by a text field, descending", { sort: "title", dir: "desc" }, "desc", "title"],
    ["sort by a select field (option order)", { sort: "status", dir: "asc" }, "asc", "status"],
    ["sort by a number field, descending", { sort: "hours", dir: "desc" }, "desc", "hours"],
    ["filter a number range", { filter: JSON.stringify({ hours: { _gte: 10, _lt: 10.5 } }) }, "asc desc", "hours"],
    [
      "filter a date range",
      { filter: JSON.stringify({ due: { _gte: "2026-03-01", _lt: "2026-03-02" } }) },
      "asc",
      "due",
    ],
    ["filter text contains", { filter: JSON.stringify({ title: { _contains: "printer 123" } }) }, "trgm", "title"],
    ["filter text equals", { filter: JSON.stringify({ title: { _eq: "VPN 1234" } }) }, "asc desc", "title"],
    [
      "filter select in (1 in 3), sorted by title",
      { sort: "title", filter: JSON.stringify({ status: { _in: ["Open"] } }) },
      "asc",
      "title",
    ],
    ["filter a user field", { filter: JSON.stringify({ owner: { _eq: "$me" } }) }, "eq", "owner"],
  ] as const)("%s: the plan uses the reconciler's index", async (_label, query, kinds, key) => {
    const plan = await planOf(setup.collections.tickets, query);
    const names = indexNames(kinds.split(" "), key);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => plan.includes(name))).not.toEqual([]);
  });

  it.each([
    ["title asc", { sort: "title", dir: "asc" }],
    ["title desc", { sort: "title", dir: "desc" }],
    ["status desc", { sort: "status", dir: "desc" }],
    ["hours asc, range", { sort: "hours", filter: JSON.stringify({ hours: { _gt: 50, _lte: 52 } }) }],
    [
      "contains, sorted by hours desc",
      { sort: "hours", dir: "desc", filter: JSON.stringify({ title: { _contains: "laptop 1" } }) },
    ],
    ["status in, sorted by title", { sort: "title", filter: JSON.stringify({ status: { _in: ["Open", "Closed"] } }) }],
    ["title equals", { filter: JSON.stringify({ title: { _eq: "Printer 1000" } }) }],
    [
      "owner is me, sorted by due desc",
      { sort: "due", dir: "desc", filter: JSON.stringify({ owner: { _eq: "$me" } }) },
    ],
  ] as const)("%s: the same pages with the indexes as without them", async (_label, query) => {
    const { tickets } = setup.collections;
    const pages = async (withoutIndexes: boolean) =>
      setup.database.db.transaction(async (tx) => {
        if (withoutIndexes) {
          await tx.execute(sql`set local enable_indexscan = off`);
          await tx.execute(sql`set local enable_bitmapscan = off`);
          await tx.execute(sql`set local enable_indexonlyscan = off`);
        }
        const ids: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 3; page++) {
          const result = await listRecords(tx, tickets, { limit: 40, ...query, cursor }, setup.users.admin.id);
          if (!result.ok) throw new Error(result.error.message);
          ids.push(...result.items.map((i) => i.id));
          if (!result.nextCursor) break;
          cursor = result.nextCursor;
        }
        return ids;
      });
    const indexed = await pages(false);
    expect(indexed.length).toBeGreaterThan(0);
    expect(indexed).toEqual(await pages(true));
  });
});

describe("sorting by a person's name walks the people, not the records", () => {
  it.each(["asc", "desc"] as const)(
    "%s: names in order, people who share a name merged by record id, nobody known last",
    async (dir) => {
      const db = setup.database.db;
      const sam1 = await createUser(db, { name: "Sam Same" });
      const sam2 = await createUser(db, { name: "sam same" });
      const al = await createUser(db, { name: "Al Alpha" });
      const collection = await createCollection(db, {
        fields: [
          { key: "name", label: "Name", type: "text" },
          { key: "owner", label: "Owner", type: "user", listed: true },
        ],
      });
      const unknown = "00000000-0000-4000-8000-000000000001";
      const owners = [sam1.id, sam2.id, al.id, undefined, sam1.id.toUpperCase(), unknown];
      for (let i = 0; i < 30; i++) {
        const owner = owners[i % owners.length];
        await queryRows(
          db,
          sql`insert into records (collection_id, data, version, created_by, updated_by)
              values (${collection.id}, ${JSON.stringify(owner ? { name: `n${i}`, owner } : { name: `n${i}` })}::jsonb,
                      1, ${al.id}, ${al.id})`,
        );
      }
      await reconcile();
      const rows = await queryRows<{ id: string; owner: string | null }>(
        db,
        sql`select id, data ->> 'owner' as owner from records where collection_id = ${collection.id}`,
      );
      const nameOf = (owner: string | null) =>
        [sam1, sam2, al].find((u) => u.id === owner?.toLowerCase())?.name.toLowerCase() ?? null;
      const expected = [...rows]
        .sort((a, b) => {
          const x = nameOf(a.owner);
          const y = nameOf(b.owner);
          if (x !== y) {
            if (x === null) return 1;
            if (y === null) return -1;
            return (x < y ? -1 : 1) * (dir === "asc" ? 1 : -1);
          }
          return a.id < b.id ? -1 : 1;
        })
        .map((r) => r.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const result = await listRecords(db, collection, { sort: "owner", dir, limit: 4, cursor }, al.id);
        if (!result.ok) throw new Error(result.error.message);
        seen.push(...result.items.map((i) => i.id));
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
      expect(seen).toEqual(expected);
    },
  );
});

describe("inlined literals", () => {
  it("options with quotes and backslashes sort, filter and index as written", async () => {
    const db = setup.database.db;
    const options = ["O'Brien", "back\\slash", "plain"];
    const collection = await createCollection(db, {
      fields: [{ key: "who", label: "Who", type: "select", options, listed: true }],
    });
    const { admin } = setup.users;
    for (const [i, who] of ["plain", "O'Brien", "back\\slash", "O'Brien"].entries()) {
      await queryRows(
        db,
        sql`insert into records (collection_id, data, version, created_by, updated_by)
            values (${collection.id}, ${JSON.stringify({ who, n: i })}::jsonb, 1, ${admin.id}, ${admin.id})`,
      );
    }
    const result = await reconcile();
    expect(result.failed).toEqual([]);
    const sorted = await listRecords(db, collection, { sort: "who", dir: "asc" }, admin.id);
    if (!sorted.ok) throw new Error(sorted.error.message);
    expect(sorted.items.map((i) => i.data.who)).toEqual(["O'Brien", "O'Brien", "back\\slash", "plain"]);
    const filtered = await listRecords(
      db,
      collection,
      { filter: JSON.stringify({ who: { _in: ["back\\slash", "O'Brien"] } }) },
      admin.id,
    );
    if (!filtered.ok) throw new Error(filtered.error.message);
    expect(filtered.items).toHaveLength(3);
  });
});
