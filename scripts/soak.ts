/**
 * `npm run soak`: two app instances on one PostgreSQL, 50 simulated people editing (GET, PATCH
 * with If-Match, merge and retry on 412), reserving and cancelling seats, leasing customers and
 * keeping an event stream open, for SOAK_SECONDS (default 600). Reports saves/s, conflicts,
 * p95 latency, answers by status, and each instance's memory: heap used (after a full
 * collection, so retained objects only) and RSS, sampled every SOAK_SAMPLE_SECONDS (default 30)
 * over the IPC channel (scripts/serve-app.mjs answers; nothing listens on the network), with
 * start / middle / end figures. SOAK_GC=0 samples without forcing a collection first (the
 * RSS the process settles at when V8 collects on its own schedule). SOAK_HEAP_SNAPSHOTS=1 also writes a heap snapshot of each
 * instance at 20 % and 90 % of the run (`--heapsnapshot-signal`, files in the working directory)
 * to compare retained objects by constructor. Needs a build (`npm run build`). Not part of `npm test`.
 *
 *   SOAK_SECONDS=60 SOAK_USERS=50 SOAK_PORT=3400 npm run soak
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { sql } from "drizzle-orm";
import { openPostgres, queryRows } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { hashPassword } from "../lib/auth/password";
import { seedDemoData } from "../lib/seed";
import { startPostgresServer } from "../tests/support/postgres-server";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const USERS = Number(process.env.SOAK_USERS ?? 50);
const PORT = Number(process.env.SOAK_PORT ?? 3400);
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 30);
const SNAPSHOTS = process.env.SOAK_HEAP_SNAPSHOTS === "1";
const FORCE_GC = process.env.SOAK_GC !== "0";
const PASSWORD = "soak-password-1";

if (!existsSync(".next/BUILD_ID")) {
  console.error("No build: run `npm run build` first.");
  process.exit(1);
}

const server = await startPostgresServer({ name: "soak", fsync: false, maxConnections: 100 });
const url = server.url();
const setup = await openPostgres(url, { max: 2 });
await migrateDatabase(setup);
process.env.DEMO_PASSWORD = PASSWORD;
await seedDemoData(setup.db);
const hash = await hashPassword(PASSWORD);
for (let i = 0; i < USERS; i++) {
  await queryRows(
    setup.db,
    sql`insert into users (email, name, role, password_hash) values (${`soak${i}@example.test`}, ${`Soak ${i}`}, 'editor', ${hash})`,
  );
}
const recordsOf = async (slug: string) =>
  (
    await queryRows<{ id: string }>(
      setup.db,
      sql`select r.id from records r join collections c on c.id = r.collection_id where c.slug = ${slug}`,
    )
  ).map((r) => r.id);
const tickets = await recordsOf("tickets");
const events = await recordsOf("events");
const customers = await recordsOf("customers");
await setup.close();

const instances: ChildProcess[] = [PORT, PORT + 1].map((port) =>
  spawn(
    process.execPath,
    ["--expose-gc", ...(SNAPSHOTS ? ["--heapsnapshot-signal=SIGUSR2"] : []), "scripts/serve-app.mjs"],
    {
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      env: { ...process.env, DATABASE_URL: url, PORT: String(port), HOST: "127.0.0.1", DEMO_PASSWORD: PASSWORD },
    },
  ),
);
const bases = [PORT, PORT + 1].map((port) => `http://127.0.0.1:${port}`);

async function waitUp(base: string) {
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`${base}/api/health`).catch(() => null))?.ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${base} did not start`);
}
await Promise.all(bases.map(waitUp));

type Memory = { heapUsedMiB: number; heapTotalMiB: number; externalMiB: number; rssMiB: number };
type MemorySample = { second: number; instances: Memory[] };

let probeId = 0;
/** One instance's memory after a full collection, asked over IPC (see scripts/serve-app.mjs). */
function memoryOf(child: ChildProcess): Promise<Memory> {
  const id = ++probeId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("memory probe timed out")), 30_000);
    const onMessage = (message: {
      type?: string;
      id?: number;
      heapUsed: number;
      heapTotal: number;
      external: number;
      rss: number;
    }) => {
      if (message?.type !== "memory" || message.id !== id) return;
      clearTimeout(timer);
      child.off("message", onMessage);
      const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
      resolve({
        heapUsedMiB: mib(message.heapUsed),
        heapTotalMiB: mib(message.heapTotal),
        externalMiB: mib(message.external),
        rssMiB: mib(message.rss),
      });
    };
    child.on("message", onMessage);
    child.send({ type: "memory", id, gc: FORCE_GC });
  });
}

const statuses = new Map<number, number>();
const latencies: number[] = [];
let saves = 0;
let conflicts = 0;
let errors = 0;
/** The first few 5xx answers, named (request and body), for the report. */
const failures: string[] = [];

async function request(base: string, token: string, method: string, path: string, init: RequestInit = {}) {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, {
    ...init,
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
  });
  const text = await response.text();
  latencies.push(performance.now() - started);
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  if (response.status >= 500) {
    errors += 1;
    if (failures.length < 20) failures.push(`${method} ${path} → ${response.status}: ${text.slice(0, 200)}`);
  }
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const deadline = () => Date.now() > end;
let end = Date.now() + 10_000;

// Signed in one after another: concurrent sign-ins from one address count against its limit.
const tokens: string[] = [];
for (let i = 0; i < USERS; i++) {
  const login = await fetch(`${bases[i % 2]}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: `soak${i}@example.test`, password: PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`sign-in of soak${i}: ${login.status}`);
  tokens.push(((await login.json()) as { token: string }).token);
}

async function person(i: number): Promise<void> {
  const base = bases[i % 2] ?? "";
  const token = tokens[i] ?? "";
  // One open record per person: its event stream, read and discarded.
  const stream = new AbortController();
  fetch(`${base}/api/records/${pick(tickets)}/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: stream.signal,
  })
    .then(async (response) => {
      const reader = response.body?.getReader();
      while (reader && !(await reader.read()).done) {}
    })
    .catch(() => {});
  while (!deadline()) {
    const roll = Math.random();
    if (roll < 0.7) {
      const id = pick(tickets);
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await request(base, token, "GET", `/api/records/${id}`);
        const patched = await request(base, token, "PATCH", `/api/records/${id}`, {
          headers: { "if-match": `"${current.body.version}"`, "idempotency-key": `soak-${i}-${Date.now()}-${attempt}` },
          body: JSON.stringify({ data: { description: `edited by ${i} at ${Date.now()}` } }),
        });
        if (patched.status === 200) {
          saves += 1;
          break;
        }
        if (patched.status === 412) conflicts += 1;
        else break;
      }
    } else if (roll < 0.85) {
      const id = pick(events);
      const made = await request(base, token, "POST", `/api/records/${id}/reservations`, {
        body: JSON.stringify({ seats: 1 }),
      });
      if (made.status === 201) {
        await request(base, token, "DELETE", `/api/records/${id}/reservations/${made.body.reservation.id}`);
      }
    } else {
      const id = pick(customers);
      const lease = await request(base, token, "POST", `/api/records/${id}/lease`);
      if (lease.status === 200) {
        const current = await request(base, token, "GET", `/api/records/${id}`);
        const patched = await request(base, token, "PATCH", `/api/records/${id}`, {
          headers: { "if-match": `"${current.body.version}"` },
          body: JSON.stringify({ data: { notes: `noted by ${i}` } }),
        });
        if (patched.status === 200) saves += 1;
        await request(base, token, "DELETE", `/api/records/${id}/lease`);
      }
    }
  }
  stream.abort();
}

// Warm-up (10 s), then the measured run.
await Promise.all(Array.from({ length: USERS }, (_, i) => person(i)));
const samples: MemorySample[] = [];
const sample = async (second: number) => {
  const memory = await Promise.all(instances.map(memoryOf));
  samples.push({ second, instances: memory });
  const line = memory.map(
    (m) => `heap ${m.heapUsedMiB}/${m.heapTotalMiB} MiB, external ${m.externalMiB} MiB, RSS ${m.rssMiB} MiB`,
  );
  console.error(`[soak] ${second} s: ${line.join(" | ")}`);
};
await sample(0);
statuses.clear();
latencies.length = 0;
saves = 0;
conflicts = 0;
errors = 0;
failures.length = 0;
const started = Date.now();
end = started + SECONDS * 1000;
const sampler = setInterval(() => {
  void sample(Math.round((Date.now() - started) / 1000)).catch((error) => console.error(error));
}, SAMPLE_SECONDS * 1000);
const snapshotTimers = SNAPSHOTS
  ? [0.2, 0.9].map((at) =>
      setTimeout(
        () => {
          for (const instance of instances) instance.kill("SIGUSR2");
        },
        SECONDS * 1000 * at,
      ),
    )
  : [];
await Promise.all(Array.from({ length: USERS }, (_, i) => person(i)));
const elapsed = (Date.now() - started) / 1000;
clearInterval(sampler);
for (const timer of snapshotTimers) clearTimeout(timer);
await sample(Math.round(elapsed));
const middle = samples[Math.floor((samples.length - 1) / 2)];
const first = samples[0];
const last = samples[samples.length - 1];
const memory = instances.map((_, n) => {
  const at = (s: MemorySample | undefined) => ({ second: s?.second, ...s?.instances[n] });
  return { start: at(first), middle: at(middle), end: at(last) };
});
latencies.sort((a, b) => a - b);
const p95 = latencies[Math.floor(latencies.length * 0.95)] ?? 0;

console.log(
  JSON.stringify(
    {
      seconds: Math.round(elapsed),
      users: USERS,
      savesPerSecond: Math.round((saves / elapsed) * 10) / 10,
      conflicts,
      requests: latencies.length,
      p95Ms: Math.round(p95),
      statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
      errors5xx: errors,
      failures,
      memoryMiB: memory,
      heapUsedAfterFullCollection: FORCE_GC,
      memorySamples: samples.map((s) => [s.second, ...s.instances.flatMap((m) => [m.heapUsedMiB, m.rssMiB])]),
      memorySamplesColumns: ["second", "heapUsed A", "RSS A", "heapUsed B", "RSS B"],
    },
    null,
    2,
  ),
);

for (const instance of instances) instance.kill("SIGTERM");
await server.stop();
process.exit(errors > 0 ? 1 : 0);
