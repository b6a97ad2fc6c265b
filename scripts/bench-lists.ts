/**
 * npm run bench:lists — the list API's server time on a large collection: the first page of a
 * filtered, sorted list (lib/records/list-records.ts, the function GET /records calls) for
 * filters and sorts people use, p50/p95 over repeated runs, and whether the plan uses an
 * index. BENCH_LIST_ROWS sets the size (default 100,000; 1,000,000 takes minutes to load).
 */
import { type SQL, sql } from "drizzle-orm";
import { openPostgres, queryRows } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import type { CollectionView } from "../lib/collections";
import type { FieldDefinition } from "../lib/fields";
import { type ListQuery, listRecords } from "../lib/records/list-records";
import { startPostgresServer } from "../tests/support/postgres-server";

const ROWS = Number(process.env.BENCH_LIST_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_LIST_RUNS ?? 30);

const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", listed: true },
  {
    key: "status",
    label: "Status",
    type: "select",
    options: ["Open", "In progress", "Resolved", "Closed"],
    listed: true,
  },
  { key: "priority", label: "Priority", type: "select", options: ["Low", "Normal", "High", "Urgent"], listed: true },
  { key: "assignee", label: "Assignee", type: "email", listed: true },
  { key: "due", label: "Due", type: "date", listed: true },
  { key: "hours", label: "Hours", type: "number" },
  { key: "tags", label: "Tags", type: "multiselect", options: ["billing", "hardware", "network", "access"] },
];

const CASES: { label: string; query: ListQuery }[] = [
  { label: "default (updatedAt desc)", query: {} },
  { label: "createdAt asc", query: { sort: "createdAt", dir: "asc" } },
  { label: "filter status = Open", query: { filter: JSON.stringify({ status: { _eq: "Open" } }) } },
  {
    label: "filter status in + assignee",
    query: {
      filter: JSON.stringify({ status: { _in: ["Open", "In progress"] }, assignee: { _eq: "user7@example.com" } }),
    },
  },
  { label: "filter title contains", query: { filter: JSON.stringify({ title: { _contains: "printer 42" } }) } },
  { label: "q search", query: { q: "printer 42" } },
  { label: "filter hours range", query: { filter: JSON.stringify({ hours: { _gte: 10, _lt: 12 } }) } },
  { label: "filter tags has", query: { filter: JSON.stringify({ tags: { _contains: "network" } }) } },
  {
    label: "filter updatedAt today",
    query: { filter: JSON.stringify({ updatedAt: { _gte: new Date(Date.now() - 86_400_000).toISOString() } }) },
  },
  { label: "sort by title", query: { sort: "title" } },
  { label: "sort by status (option order)", query: { sort: "status" } },
  { label: "sort by due desc", query: { sort: "due", dir: "desc" } },
  { label: "sort by hours", query: { sort: "hours" } },
  {
    label: "status = Open, sorted by due",
    query: { sort: "due", filter: JSON.stringify({ status: { _eq: "Open" } }) },
  },
  { label: "count=1 (estimate above 10,000)", query: { count: true } },
];

const server = await startPostgresServer({ name: "bench-lists", fsync: false });
try {
  const database = await openPostgres(server.url(), { max: 4 });
  await migrateDatabase(database);
  const [user] = await queryRows<{ id: string }>(
    database.db,
    sql`insert into users (email, name, role, password_hash) values ('bench@example.com', 'Bench', 'editor', '!') returning id`,
  );
  const [collection] = await queryRows<{ id: string }>(
    database.db,
    sql`insert into collections (slug, name, fields) values ('bench', 'Bench', ${JSON.stringify(FIELDS)}::jsonb) returning id`,
  );
  if (!user || !collection) throw new Error("seed failed");
  const loadStarted = performance.now();
  for (let start = 0; start < ROWS; start += 100_000) {
    const end = Math.min(ROWS, start + 100_000);
    await queryRows(
      database.db,
      sql`insert into records (collection_id, data, version, search_text, created_by, updated_by, created_at, updated_at)
          select ${collection.id}, d, 1, lower(d ->> 'title'), ${user.id}, ${user.id},
                 now() - (g % 1000) * interval '1 hour', now() - (g % 997) * interval '1 hour'
            from generate_series(${start + 1}::int, ${end}::int) g,
                 lateral (select jsonb_strip_nulls(jsonb_build_object(
                   'title', (array['Printer','Laptop','VPN','Badge','Invoice'])[1 + g % 5] || ' ' || (g % 1000),
                   'status', (array['Open','In progress','Resolved','Closed'])[1 + g % 4],
                   'priority', (array['Low','Normal','High','Urgent'])[1 + (g / 7) % 4],
                   'assignee', case when g % 9 = 0 then null else 'user' || (g % 50) || '@example.com' end,
                   'due', case when g % 5 = 0 then null else to_char(date '2026-01-01' + (g % 365), 'YYYY-MM-DD') end,
                   'hours', case when g % 3 = 0 then null else (g % 400) / 10.0 end,
                   'tags', (array['["billing"]','["hardware","network"]','[]','["access","network"]'])[1 + g % 4]::jsonb
                 )) d) s`,
    );
  }
  await queryRows(database.db, sql`analyze records`);
  console.log(
    `Loaded ${ROWS.toLocaleString("en-US")} records in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s\n`,
  );
  const view: CollectionView = {
    id: collection.id,
    slug: "bench",
    name: "Bench",
    fields: FIELDS,
    editMode: "optimistic",
    version: 1,
    capacityField: null,
  };

  console.log(`| list (first page of 50, ${ROWS.toLocaleString("en-US")} records) | p50 ms | p95 ms | index used |`);
  console.log("|---|---:|---:|---|");
  for (const { label, query } of CASES) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const result = await listRecords(database.db, view, { limit: 50, ...query }, user.id);
      times.push(performance.now() - started);
      if (!result.ok) throw new Error(`${label}: ${result.error.message}`);
    }
    times.sort((a, b) => a - b);
    const p = (q: number) => (times[Math.min(times.length - 1, Math.floor(times.length * q))] ?? 0).toFixed(1);
    const plan = await planOf(database, view, query, user.id);
    console.log(`| ${label} | ${p(0.5)} | ${p(0.95)} | ${plan} |`);
  }
  await database.close();
} finally {
  await server.stop();
}

/**
 * The indexes the page query's plan uses: listRecords runs with its db's `execute` wrapped so
 * that each statement is EXPLAINed first (then run as usual).
 */
async function planOf(
  database: Awaited<ReturnType<typeof openPostgres>>,
  view: CollectionView,
  query: ListQuery,
  actorId: string,
): Promise<string> {
  const plans: string[] = [];
  const db = database.db;
  const original = db.execute.bind(db);
  const explaining = Object.create(db) as typeof db;
  explaining.execute = (async (statement: SQL) => {
    const rows = await queryRows<{ "QUERY PLAN": string }>(db, sql`explain ${statement}`);
    plans.push(rows.map((r) => r["QUERY PLAN"]).join("\n"));
    return original(statement);
  }) as typeof db.execute;
  await listRecords(explaining, view, { limit: 50, ...query, count: false }, actorId);
  const indexes = [
    ...new Set(
      [...plans.join("\n").matchAll(/Index (?:Only )?Scan(?: Backward)? using (\S+)|Bitmap Index Scan on (\S+)/g)].map(
        (m) => m[1] ?? m[2],
      ),
    ),
  ];
  return indexes.length > 0 ? indexes.join(", ") : "no (scan)";
}
