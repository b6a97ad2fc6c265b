import { DatabaseLockedError, getDatabase, pgliteDir } from "./client";
import { migrateDatabase } from "./migrate";
import { DEMO_USERS, demoPassword, seedDemoData } from "./seed";

/**
 * Runs once when the server process starts (instrumentation.ts): opens the database,
 * migrates it, seeds the embedded one on first start, and says how to sign in.
 */
export async function prepareDatabase(): Promise<void> {
  let database: Awaited<ReturnType<typeof getDatabase>>;
  try {
    database = await getDatabase();
  } catch (error) {
    if (error instanceof DatabaseLockedError) {
      console.error(`\n✖ ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  await migrateDatabase(database);
  const port = process.env.PORT ?? "3000";
  const lines = [`Tandem is running at http://localhost:${port}`];
  if (database.kind === "pglite") {
    const { seeded } = await seedDemoData(database.db);
    lines.push(`Database: embedded PGlite in ${pgliteDir()}${seeded ? " (new; demo data seeded)" : ""}`);
  } else {
    lines.push("Database: PostgreSQL (DATABASE_URL); `npm run db:seed` adds demo data to an empty database");
  }
  lines.push(`Demo sign-in: ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(", ")}`);
  lines.push(`Demo password: ${demoPassword()}`);
  console.log(`\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
}
