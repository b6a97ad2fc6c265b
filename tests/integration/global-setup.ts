import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openPostgres } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { startPostgresServer } from "../support/postgres-server";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of the server's maintenance database; test files create their own databases through it. */
    postgresUrl: string;
    /** A migrated database that each test file copies (CREATE DATABASE … TEMPLATE). */
    templateDatabase: string;
  }
}

/**
 * One throwaway PostgreSQL for the whole integration run (TEST_DATABASE_URL if given), with
 * the migrations applied once to a template database: a fresh copy per test file is cheap.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgresServer({ name: "integration", fsync: false });
  // Unique per run, so runs sharing one TEST_DATABASE_URL server do not collide.
  const template = `tandem_template_${process.pid}_${Date.now().toString(36)}`;
  try {
    await server.createDatabase(template);
    const database = await openPostgres(server.url(template), { max: 2 });
    try {
      await migrateDatabase(database);
    } finally {
      // CREATE DATABASE … TEMPLATE refuses while anyone is connected to the template.
      await database.close();
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  project.provide("postgresUrl", server.url());
  project.provide("templateDatabase", template);

  return async () => {
    if (!server.embedded) {
      const admin = postgres(server.url(), { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${template}"`).finally(() => admin.end({ timeout: 5 }));
    }
    await server.stop();
  };
}
