/**
 * Playwright's web server: a throwaway PostgreSQL, migrated and seeded with the demo data,
 * and the built app on E2E_PORT (plus a second instance on E2E_PORT + 1 on the same
 * database, for tests that need two app instances). Everything stops when this does.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { openPostgres } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { seedDemoData } from "../lib/seed";
import { startPostgresServer } from "../tests/support/postgres-server";

const port = Number(process.env.E2E_PORT ?? 3210);
// Outside the embedded demo the default password is refused unless set explicitly (lib/demo-password.ts).
const DEMO_PASSWORD = process.env.DEMO_PASSWORD || "tandem-demo";
process.env.DEMO_PASSWORD = DEMO_PASSWORD;
const server = await startPostgresServer({ name: "e2e", fsync: false });
const url = server.url();
const database = await openPostgres(url, { max: 2 });
await migrateDatabase(database);
await seedDemoData(database.db);
await database.close();

const apps: ChildProcess[] = [port, port + 1].map((p) =>
  spawn(process.execPath, ["scripts/serve-app.mjs"], {
    stdio: "inherit",
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(p),
      DEMO_PASSWORD,
      LEASE_TTL_SECONDS: process.env.LEASE_TTL_SECONDS ?? "",
    },
  }),
);

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  for (const app of apps) app.kill("SIGTERM");
  await server.stop().catch(() => {});
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(0));
for (const app of apps) app.on("exit", (code) => void stop(code ?? 1));
