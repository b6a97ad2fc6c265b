import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { ExtractTablesWithRelations, SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import type { Sql } from "postgres";
import { env } from "@/lib/env";
import { isAlive } from "@/lib/process-alive";
import * as schema from "./schema";
import { executeRows } from "./table-rows";

/**
 * The one database client factory. No DATABASE_URL: an embedded PGlite in ./.data/pglite
 * (one process only). With DATABASE_URL: postgres.js, any number of app instances.
 */

type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Query functions take either, so they can run inside a caller's transaction. */
export type DbOrTx = Db | Tx;
export type DatabaseKind = "pglite" | "postgres";

export type Database = {
  db: Db;
  kind: DatabaseKind;
  /** postgres.js only: the raw client, for LISTEN and for benchmarks' baselines. */
  sql: Sql | null;
  /**
   * LISTENs on a channel: `fn` gets each notification's payload (sent on commit). Resolves once
   * the LISTEN is active, to a function that stops it. postgres.js: on a dedicated connection of
   * its own, opened on first use, which re-LISTENs by itself after a reconnect; PGlite: in-process.
   */
  listen: (channel: string, fn: (payload: string) => void) => Promise<() => Promise<void>>;
  close: () => Promise<void>;
};

export class DatabaseLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The embedded database in ${dir} is already in use by another Tandem process (pid ${pid}). ` +
        "PGlite allows one process at a time: stop that process first, or set DATABASE_URL to use PostgreSQL.",
    );
    this.name = "DatabaseLockedError";
  }
}

export function pgliteDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ env().PGLITE_DIR ?? path.join(process.cwd(), ".data", "pglite"));
}

/** Two processes on one PGlite folder would corrupt each other's view: a pid lock file guards it. */
function lockPgliteDir(dir: string): void {
  const lockFile = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      process.once("exit", () => {
        try {
          if (fs.readFileSync(lockFile, "utf8") === String(process.pid)) fs.unlinkSync(lockFile);
        } catch {
          // already gone
        }
      });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(fs.readFileSync(lockFile, "utf8"), 10);
      if (holder === process.pid) return;
      if (Number.isInteger(holder) && isAlive(holder)) throw new DatabaseLockedError(dir, holder);
      fs.rmSync(lockFile, { force: true }); // stale: its process is gone
    }
  }
}

export async function openPglite(dir: string): Promise<Database> {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  lockPgliteDir(dir);
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  // pg_trgm: trigram indexes for search (migration 0009 falls back cleanly without it).
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const client = await PGlite.create(dir, { extensions: { pg_trgm } });
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    sql: null,
    listen: async (channel, fn) => {
      const unlisten = await client.listen(channel, fn);
      return () => unlisten();
    },
    close: () => client.close(),
  };
}

export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Database> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const client = postgres(url, {
    // At least two: migrations hold an advisory lock on one connection and work on another.
    max: Math.max(2, options.max ?? env().DATABASE_POOL_MAX),
    onnotice: () => {},
    connect_timeout: 10,
  });
  const db = drizzle(preparingStatements(client), { schema }) as unknown as Db;
  // LISTEN holds its connection for good: a client of its own, apart from the pool, opened lazily.
  let listener: Sql | null = null;
  return {
    db,
    kind: "postgres",
    sql: client,
    listen: async (channel, fn) => {
      listener ??= postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
      const { unlisten } = await listener.listen(channel, fn);
      return unlisten;
    },
    close: async () => {
      await Promise.all([client.end({ timeout: 5 }), listener?.end({ timeout: 5 })]);
    },
  };
}

/**
 * drizzle sends `db.execute(sql…)` with `prepare: false`, so PostgreSQL parses and plans every
 * statement again, with an extra round trip to describe it. The app's SQL is static text with
 * parameters, so preparing it (postgres.js keeps one prepared statement per text and
 * connection) halves the round trips and PostgreSQL's CPU per save; see docs/benchmarks.md.
 */
function preparingStatements<T extends Pick<Sql, "unsafe">>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (query: string, parameters?: unknown[], options?: Record<string, unknown>) =>
          target.unsafe(query, parameters as never, { ...options, prepare: true });
      }
      // Transactions (and savepoints in them) run on another connection object: prepare there too.
      if (property === "begin" || property === "savepoint") {
        const open = Reflect.get(target, property, receiver) as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          const callback = args.pop() as (transaction: Pick<Sql, "unsafe">) => unknown;
          return open.call(target, ...args, (transaction: Pick<Sql, "unsafe">) =>
            callback(preparingStatements(transaction)),
          );
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

const globalForDb = globalThis as unknown as { tandemDatabase?: Promise<Database> };

/**
 * The app's database, opened lazily once per process. A failed open is not cached, so
 * the next request tries again (a database that was down may be up now).
 */
export function getDatabase(): Promise<Database> {
  if (!globalForDb.tandemDatabase) {
    const url = env().DATABASE_URL;
    const opening = url ? openPostgres(url) : openPglite(pgliteDir());
    globalForDb.tandemDatabase = opening;
    opening.catch(() => {
      if (globalForDb.tandemDatabase === opening) globalForDb.tandemDatabase = undefined;
    });
  }
  return globalForDb.tandemDatabase;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

/**
 * Raw SQL rows cast unchecked to `T`: for tests and scripts that read the database directly.
 * The app's own code (lib/, app/) types a hand-written statement's rows with db/table-rows.ts
 * (`rowsOf`, `tableRows`) and everything else with drizzle's builder; tests/architecture.test.ts
 * holds it to that.
 */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  return (await executeRows(db, query)) as T[];
}
