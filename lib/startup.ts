import "server-only";
import { type Database, DatabaseLockedError, getDatabase, pgliteDir } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { errorCode, findCause, isDatabaseUnavailable } from "@/lib/database-errors";
import { isLocalDemo } from "@/lib/demo-password";
import { EnvError, env } from "@/lib/env";
import { startListIndexes } from "@/lib/records/list-indexes";
import { DEMO_USERS, seedDemoData } from "@/lib/seed";

/** The database was still unreachable when the start-up's patience ran out. */
export class DatabaseUnreachableError extends Error {
  constructor(where: string, seconds: number, cause: unknown) {
    super(
      `Could not reach ${where} for ${seconds} s (${describeFailure(cause)}). ` +
        "Check that the server is running and that DATABASE_URL points at it.",
      { cause },
    );
    this.name = "DatabaseUnreachableError";
  }
}

/** The driver's own words (drizzle's wrapper only repeats the query): "connect ECONNREFUSED 10.0.0.5:5432". */
function describeFailure(error: unknown): string {
  const cause = findCause(error, (e) => errorCode(e) !== undefined) ?? error;
  const code = errorCode(cause);
  const message = (cause instanceof Error ? cause.message : String(cause)).split("\n")[0] ?? "";
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

/** host:port of a postgres:// URL, never its password: this goes to the logs. */
export function databaseLocation(url: string | undefined): string {
  if (!url) return "the embedded database";
  try {
    const { hostname, port } = new URL(url);
    return `PostgreSQL at ${hostname}:${port || "5432"}`;
  } catch {
    return "PostgreSQL (DATABASE_URL)";
  }
}

export type RetryOptions = {
  /** What is being reached, for the log lines. */
  where: string;
  /** How long to keep trying (default 60 s). */
  timeoutMs?: number;
  /** First pause; doubles each time up to `maxDelayMs` (default 500 ms → 5 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  log?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
};

/**
 * Runs `attempt` until it succeeds, as long as it fails because the database is unreachable
 * (a server still starting, a container not up yet): one log line per failure, a growing
 * pause, and after `timeoutMs` a DatabaseUnreachableError. Any other failure is thrown at once.
 */
export async function retryWhileUnreachable<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const log = options.log ?? ((line: string) => console.warn(line));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const started = now();
  let delay = options.initialDelayMs ?? 500;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const elapsed = now() - started;
      if (elapsed + delay > timeoutMs)
        throw new DatabaseUnreachableError(options.where, Math.round(timeoutMs / 1000), error);
      log(
        `[db] ${options.where} is not reachable (${describeFailure(error)}); ` +
          `try ${tries}, retrying in ${(delay / 1000).toFixed(1)} s (giving up after ${Math.round(timeoutMs / 1000)} s)`,
      );
      await sleep(delay);
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }
}

function exitWith(message: string): never {
  console.error(`\n✖ ${message}\n`);
  process.exit(1);
}

/**
 * Runs once when the server process starts (instrumentation.ts): checks the environment, opens
 * the database (waiting up to a minute for a PostgreSQL that is still starting), migrates it,
 * seeds the embedded one on first start, and says how to sign in.
 */
export async function prepareDatabase(): Promise<void> {
  let settings: ReturnType<typeof env>;
  try {
    settings = env();
  } catch (error) {
    if (error instanceof EnvError) exitWith(error.message);
    throw error;
  }
  let database: Database;
  try {
    database = await retryWhileUnreachable(
      async () => {
        const opened = await getDatabase();
        await migrateDatabase(opened);
        return opened;
      },
      { where: databaseLocation(settings.DATABASE_URL) },
    );
  } catch (error) {
    if (error instanceof DatabaseLockedError || error instanceof DatabaseUnreachableError) exitWith(error.message);
    throw error;
  }
  // The list indexes follow the collections' fields, now and after each schema change (in the background).
  startListIndexes(database).catch((error) => console.error("[list-indexes] could not start:", error));
  const port = process.env.PORT ?? "3000";
  const lines = [`Tandem is running at http://localhost:${port}`];
  let password = "";
  if (database.kind === "pglite") {
    const seeded = await seedDemoData(database.db);
    lines.push(`Database: embedded PGlite in ${pgliteDir()}${seeded.seeded ? " (new; demo data seeded)" : ""}`);
    if (seeded.seeded) {
      password = seeded.generated
        ? `${seeded.password} (made up now and shown only this once: the app is reachable from other machines)`
        : seeded.password;
    }
  } else {
    lines.push("Database: PostgreSQL (DATABASE_URL); `npm run db:seed` adds demo data to an empty database");
  }
  lines.push(`Demo sign-in: ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(", ")}`);
  if (password) lines.push(`Demo password: ${password}`);
  else if (settings.DEMO_PASSWORD === undefined && isLocalDemo()) lines.push("Demo password: tandem-demo");
  else if (settings.DEMO_PASSWORD === undefined) {
    lines.push("Demo password: the one printed when the demo data was seeded (tandem-demo is refused here)");
  }
  console.log(`\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
}
