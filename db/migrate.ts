import path from "node:path";
import type { Database } from "./client";

/** Resolved from the project root: the app is bundled by Next, so module-relative paths move. */
export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/**
 * Applies the committed migrations. On PostgreSQL a session advisory lock makes instances
 * that start together take turns instead of racing to apply the same migration.
 */
export async function migrateDatabase(database: Database, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> {
  if (database.kind === "pglite") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    // biome-ignore lint/suspicious/noExplicitAny: the migrator wants its driver's own type
    await migrate(database.db as any, { migrationsFolder });
    return;
  }
  const client = database.sql;
  if (!client) throw new Error("A postgres database must carry its client");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const holder = await client.reserve();
  try {
    await holder`select pg_advisory_lock(7420011)`;
    // biome-ignore lint/suspicious/noExplicitAny: the migrator wants its driver's own type
    await migrate(database.db as any, { migrationsFolder });
  } finally {
    await holder`select pg_advisory_unlock(7420011)`.catch(() => {});
    holder.release();
  }
}
