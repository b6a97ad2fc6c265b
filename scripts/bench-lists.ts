/**
 * npm run bench:lists — the list API's server time on a large collection: the first page of a
 * filtered, sorted list (lib/records/list-records.ts, the function GET /records calls) for
 * filters and sorts people use, p50/p95 over repeated runs, and whether the plan uses an
 * index. BENCH_LIST_ROWS sets the size (default 100,000; 1,000,000 takes minutes to load).
 */
import { type SQL, sql } from "drizzle-orm";
import { type Database, openPostgres, queryRows } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import type { Actor } from "../lib/auth/actor";
import type { CollectionView } from "../lib/collections";
import type { FieldDefinition } from "../lib/fields";
import { desiredListIndexes, reconcileListIndexes } from "../lib/records/list-indexes";
import { type ListQuery, listRecords } from "../lib/records/list-records";
import { saveRecord } from "../lib/records/save-record";
import { startPostgresServer } from "../tests/support/postgres-server";

const ROWS = Number(process.env.BENCH_LIST_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_LIST_RUNS ?? 30);
/** How long each write-cost run saves for (per state: without and with the list indexes). */
const WRITE_SECONDS = Number(process.env.BENCH_LIST_WRITE_SECONDS ?? 3);

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
  { key: "owner", label: "Owner", type: "user", listed: true },
  { key: "due", label: "Due", type: "date", listed: true },
  { key: "hours", label: "Hours", type: "number", listed: true },
  { key: "urgent", label: "Urgent", type: "boolean", listed: true },
  { key: "tags", label: "Tags", type: "multiselect", options: ["billing", "hardware", "network", "access"] },
];

const f = (filter: unknown) => JSON.stringify(filter);
const dayAgo = () => new Date(Date.now() - 86_400_000).toISOString();

/** Every operator family of the issue, then every sort (meta and data fields, both directions). */
function cases(owner: string): { label: string; query: ListQuery }[] {
  return [
    { label: "default (updatedAt desc)", query: {} },
    { label: "filter title contains (text, 1 in 1,000)", query: { filter: f({ title: { _contains: "printer 42" } }) } },
    {
      label: "filter title contains, sorted by due",
      query: { sort: "due", filter: f({ title: { _contains: "printer 42" } }) },
    },
    {
      label: "filter assignee is (text eq, 1 in 50)",
      query: { filter: f({ assignee: { _eq: "user7@example.com" } }) },
    },
    { label: "filter status = Open (1 in 4)", query: { filter: f({ status: { _eq: "Open" } }) } },
    {
      label: "filter status in + assignee",
      query: { filter: f({ status: { _in: ["Open", "In progress"] }, assignee: { _eq: "user7@example.com" } }) },
    },
    { label: "filter hours range (1 in 200)", query: { filter: f({ hours: { _gte: 10, _lt: 10.2 } }) } },
    { label: "filter due range (one week)", query: { filter: f({ due: { _gte: "2026-03-01", _lt: "2026-03-08" } }) } },
    { label: "filter urgent = true (1 in 10)", query: { filter: f({ urgent: { _eq: true } }) } },
    { label: "filter owner is me (user, 1 in 2,000)", query: { filter: f({ owner: { _eq: "$me" } }) } },
    { label: "filter tags has network", query: { filter: f({ tags: { _contains: "network" } }) } },
    { label: "filter updatedBy me", query: { filter: f({ updatedBy: { _eq: "$me" } }) } },
    { label: "filter updatedAt last day", query: { filter: f({ updatedAt: { _gte: dayAgo() } }) } },
    { label: "q search", query: { q: "printer 42" } },
    { label: "sort updatedAt asc", query: { sort: "updatedAt", dir: "asc" } },
    { label: "sort createdAt desc", query: { sort: "createdAt", dir: "desc" } },
    { label: "sort createdAt asc", query: { sort: "createdAt", dir: "asc" } },
    ...["title", "status", "assignee", "due", "hours", "urgent"].flatMap((key) =>
      (["asc", "desc"] as const).map((dir) => ({ label: `sort ${key} ${dir}`, query: { sort: key, dir } })),
    ),
    { label: "sort owner asc (by name)", query: { sort: "owner", dir: "asc" } },
    { label: "sort updatedBy asc (by name)", query: { sort: "updatedBy", dir: "asc" } },
    { label: "status = Open, sorted by due", query: { sort: "due", filter: f({ status: { _eq: "Open" } }) } },
    {
      label: "owner is me, sorted by title desc",
      query: { sort: "title", dir: "desc", filter: f({ owner: { _eq: owner } }) },
    },
    { label: "count=1 (estimate above 10,000)", query: { count: true } },
    { label: "count=1, owner is me (exact)", query: { count: true, filter: f({ owner: { _eq: "$me" } }) } },
  ];
}

const server = await startPostgresServer({ name: "bench-lists", fsync: false });
try {
  const database = await openPostgres(server.url(), { max: 6 });
  await migrateDatabase(database);
  await queryRows(database.db, sql`select set_config('maintenance_work_mem', '256MB', false)`);
  await queryRows(database.db, sql.raw(`alter database postgres set maintenance_work_mem = '256MB'`));
  const [user] = await queryRows<{ id: string }>(
    database.db,
    sql`insert into users (email, name, role, password_hash) values ('bench@example.com', 'Bench', 'editor', '!') returning id`,
  );
  // Other people: owners and editors of most records (names sort around Bench).
  await queryRows(
    database.db,
    sql`insert into users (email, name, role, password_hash)
        select 'p' || g || '@example.com', 'Person ' || g, 'editor', '!' from generate_series(1, 49) g`,
  );
  const [collection] = await queryRows<{ id: string }>(
    database.db,
    sql`insert into collections (slug, name, fields) values ('bench', 'Bench', ${JSON.stringify(FIELDS)}::jsonb) returning id`,
  );
  if (!user || !collection) throw new Error("seed failed");
  const loadStarted = performance.now();
  // One statement: the people are numbered (1 is Bench), and each record picks by g.
  await queryRows(
    database.db,
    sql`with people as (select array_agg(id order by email) as ids from users),
             me as (select ${user.id}::uuid as id)
        insert into records (collection_id, data, version, search_text, created_by, updated_by, created_at, updated_at)
        select ${collection.id}, d, 1, lower(coalesce(d ->> 'title', '') || ' ' || coalesce(d ->> 'assignee', '')),
               case when g % 2000 = 0 then (select id from me) else p.ids[1 + g % 50] end,
               case when g % 2000 = 7 then (select id from me) else p.ids[1 + (g / 3) % 50] end,
               now() - (g % 100000) * interval '1 minute', now() - (g % 99991) * interval '1 minute'
          from people p, generate_series(1, ${ROWS}::int) g,
               lateral (select jsonb_strip_nulls(jsonb_build_object(
                 'title', (array['Printer','Laptop','VPN','Badge','Invoice'])[1 + g % 5] || ' ' || (g % 1000),
                 'status', (array['Open','In progress','Resolved','Closed'])[1 + g % 4],
                 'priority', (array['Low','Normal','High','Urgent'])[1 + (g / 7) % 4],
                 'assignee', case when g % 9 = 0 then null else 'user' || (g % 50) || '@example.com' end,
                 'owner', case when g % 2000 = 0 then (select id from me)::text when g % 3 = 0 then null else p.ids[2 + g % 49]::text end,
                 'due', case when g % 5 = 0 then null else to_char(date '2026-01-01' + (g % 365), 'YYYY-MM-DD') end,
                 'hours', case when g % 3 = 0 then null else (g % 400) / 10.0 + (g % 7) / 100.0 end,
                 'urgent', case when g % 4 = 0 then null else g % 10 = 1 end,
                 'tags', (array['["billing"]','["hardware","network"]','[]','["access","network"]'])[1 + g % 4]::jsonb
               )) d) s`,
  );
  await queryRows(database.db, sql`vacuum analyze records`);
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  console.log(`Loaded ${ROWS.toLocaleString("en-US")} records in ${loadSeconds.toFixed(1)} s (one INSERT … SELECT)\n`);
  const view: CollectionView = {
    id: collection.id,
    slug: "bench",
    name: "Bench",
    fields: FIELDS,
    editMode: "optimistic",
    version: 1,
    capacityField: null,
  };
  const actor: Actor = { id: user.id, name: "Bench", email: "bench@example.com", role: "editor" };

  // The write cost: the same saves on this collection (with its list indexes) and on a copy of
  // 1,000 of its records in a collection whose list indexes are dropped, in alternating rounds
  // (the machine is shared: alternating spreads the noise over both).
  const [plain] = await queryRows<{ id: string }>(
    database.db,
    sql`insert into collections (slug, name, fields) values ('plain', 'Plain', ${JSON.stringify(FIELDS)}::jsonb) returning id`,
  );
  if (!plain) throw new Error("seed failed");
  await queryRows(
    database.db,
    sql`insert into records (collection_id, data, version, search_text, created_by, updated_by)
        select ${plain.id}, data, 1, search_text, created_by, updated_by from records
         where collection_id = ${collection.id} order by id limit 1000`,
  );
  const reconcileStarted = performance.now();
  const reconciled = await reconcileListIndexes(database);
  const reconcileSeconds = (performance.now() - reconcileStarted) / 1000;
  if (reconciled.failed.length > 0) throw new Error(`index build failed: ${reconciled.failed.join(", ")}`);
  const dropped = await queryRows<{ indexname: string }>(
    database.db,
    sql`select indexname from pg_indexes where tablename = 'records' and indexdef like ${`%${plain.id}%`}`,
  );
  for (const { indexname } of dropped) await queryRows(database.db, sql.raw(`drop index "${indexname}"`));
  await queryRows(database.db, sql`vacuum analyze records`);
  const indexed: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < 3; round++) {
    indexed.push(await savesPerSecond(database, actor, collection.id));
    bare.push(await savesPerSecond(database, actor, plain.id));
  }
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[1] ?? 0;
  const perIndex = desiredListIndexes({ id: collection.id, fields: FIELDS }, { trigram: true });
  console.log(
    `List indexes: ${reconciled.created.length} objects made by the reconciler (CREATE INDEX CONCURRENTLY, CREATE STATISTICS) in ${reconcileSeconds.toFixed(1)} s`,
  );
  console.log(
    `saveRecord, 4 concurrent writers, median of 3 alternating rounds of ${WRITE_SECONDS} s: ` +
      `${median(bare).toFixed(0)} saves/s on a collection without list indexes, ` +
      `${median(indexed).toFixed(0)} with its ${perIndex.filter((i) => i.kind === "index").length} list indexes ` +
      `(${((median(indexed) / median(bare) - 1) * 100).toFixed(0)} %; rounds: ${bare.map((v) => v.toFixed(0)).join(", ")} vs ${indexed.map((v) => v.toFixed(0)).join(", ")})\n`,
  );

  console.log(`| list (first page of 50, ${ROWS.toLocaleString("en-US")} records) | p50 ms | p95 ms | index used |`);
  console.log("|---|---:|---:|---|");
  // BENCH_LIST_ONLY=<text>: only the cases whose label contains it, each with its EXPLAIN ANALYZE.
  const only = process.env.BENCH_LIST_ONLY;
  for (const { label, query } of cases(user.id).filter((c) => !only || c.label.includes(only))) {
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
 * Saves per second through saveRecord (the PATCH path: read, compare-and-set, revision), four
 * writers on records of their own, each save changing a number, a select and a text field.
 */
async function savesPerSecond(database: Database, actor: Actor, collectionId: string): Promise<number> {
  const targets = await queryRows<{ id: string; version: number }>(
    database.db,
    sql`select id, version from records where collection_id = ${collectionId} order by id limit 400`,
  );
  const deadline = performance.now() + WRITE_SECONDS * 1000;
  let saves = 0;
  let conflicts = 0;
  const started = performance.now();
  await Promise.all(
    [0, 1, 2, 3].map(async (worker) => {
      const mine = targets.filter((_, i) => i % 4 === worker);
      for (let n = 0; performance.now() < deadline; n++) {
        const target = mine[n % mine.length];
        if (!target) break;
        const result = await saveRecord(database.db, actor, {
          recordId: target.id,
          baseVersion: target.version,
          values: { hours: n % 500, status: n % 2 === 0 ? "Open" : "Closed", title: `Printer ${n % 1000} ${worker}` },
          patch: true,
        });
        if (!result.ok) {
          // Not expected (each writer owns its records); counted and said, then the current version.
          if (result.error.code !== "conflict") throw new Error(`saveRecord answered ${result.error.code}`);
          conflicts += 1;
          const [row] = await queryRows<{ version: number }>(
            database.db,
            sql`select version from records where id = ${target.id}`,
          );
          target.version = row?.version ?? target.version;
          continue;
        }
        target.version = result.record.version;
        saves += 1;
      }
    }),
  );
  if (conflicts > 0) console.log(`(${conflicts} saves answered conflict and were retried)`);
  return saves / ((performance.now() - started) / 1000);
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
    const analyze = process.env.BENCH_LIST_ONLY ? sql`explain analyze ` : sql`explain `;
    const rows = await queryRows<{ "QUERY PLAN": string }>(db, sql`${analyze}${statement}`);
    if (process.env.BENCH_LIST_ONLY) console.log(rows.map((r) => r["QUERY PLAN"]).join("\n"));
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
