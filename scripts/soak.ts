/**
 * `npm run soak`: two app instances on one PostgreSQL, 50 simulated people editing (GET, PATCH
 * with If-Match, merge and retry on 412), reserving and cancelling seats, leasing customers and
 * keeping an event stream open, for SOAK_SECONDS (default 600). Reports saves/s, conflicts,
 * p95 latency, answers by status, and each instance's memory (RSS) after warm-up and at the end.
 * Needs a build (`npm run build`). Not part of `npm test`.
 *
 *   SOAK_SECONDS=60 SOAK_USERS=50 SOAK_PORT=3400 npm run soak
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { openPostgres, queryRows } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { hashPassword } from "../lib/auth/password";
import { seedDemoData } from "../lib/seed";
import { startPostgresServer } from "../tests/support/postgres-server";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const USERS = Number(process.env.SOAK_USERS ?? 50);
const PORT = Number(process.env.SOAK_PORT ?? 3400);
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
  spawn(process.execPath, ["scripts/serve-app.mjs"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DATABASE_URL: url, PORT: String(port), HOST: "127.0.0.1", DEMO_PASSWORD: PASSWORD },
  }),
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

function rssMiB(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  return Math.round(Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024);
}

const statuses = new Map<number, number>();
const latencies: number[] = [];
let saves = 0;
let conflicts = 0;
let errors = 0;

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
  if (response.status >= 500) errors += 1;
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
const memoryStart = instances.map(rssMiB);
statuses.clear();
latencies.length = 0;
saves = 0;
conflicts = 0;
errors = 0;
const started = Date.now();
end = started + SECONDS * 1000;
await Promise.all(Array.from({ length: USERS }, (_, i) => person(i)));
const elapsed = (Date.now() - started) / 1000;
const memoryEnd = instances.map(rssMiB);
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
      memoryMiB: { start: memoryStart, end: memoryEnd },
    },
    null,
    2,
  ),
);

for (const instance of instances) instance.kill("SIGTERM");
await server.stop();
process.exit(errors > 0 ? 1 : 0);
