import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { type Database, openPglite } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { users } from "@/db/schema";
import { executeRows, tableRows } from "@/db/table-rows";
import { actorForSession, createSession } from "@/lib/auth/sessions";
import { findCollection } from "@/lib/collections";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

/**
 * db/table-rows.ts decodes hand-written statements' rows with the schema's columns: the same
 * typed row (Date timestamps, camelCase keys) from postgres.js, which hands timestamps over as
 * text, and from PGlite, which hands them over as Dates. And db/prepared.ts's queries, built
 * once per handle, on both.
 */
const opened: { close: () => Promise<void> }[] = [];
afterAll(async () => {
  for (const database of opened) await database.close();
});

async function postgresDatabase(): Promise<Database> {
  const database: TestDatabase = await createTestDatabase();
  opened.push({ close: database.drop });
  return database;
}

async function pgliteDatabase(): Promise<Database> {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-rows-"));
  const database = await openPglite(path.join(parent, "pglite"));
  await migrateDatabase(database);
  opened.push({
    close: async () => {
      await database.close();
      fs.rmSync(parent, { recursive: true, force: true });
    },
  });
  return database;
}

/** One database per driver for its tests (a new PGlite folder takes seconds to create). */
function once(open: () => Promise<Database>): () => Promise<Database> {
  let database: Promise<Database> | undefined;
  return () => {
    database ??= open();
    return database;
  };
}

describe.each([
  ["postgres.js", once(postgresDatabase)],
  ["PGlite", once(pgliteDatabase)],
])("tableRows on %s", (_driver, open) => {
  it("decodes a returning * row as the table's $inferSelect: Date timestamps, null kept", async () => {
    const { db } = await open();
    const email = `rows-${Date.now()}@example.test`;
    const [row] = await tableRows(
      db,
      users,
      sql`insert into users (email, name, role, password_hash) values (${email}, 'Row', 'viewer', null) returning *`,
    );

    expect(row).toMatchObject({ email, name: "Row", role: "viewer", active: true, version: 1, passwordHash: null });
    expect(row?.createdAt).toBeInstanceOf(Date);
    expect(Math.abs((row?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(row?.lastSeenAt).toBeNull();
  }, 60_000);

  it("refuses a row that lacks one of the table's columns, instead of typing it wrong", async () => {
    const { db } = await open();
    await expect(tableRows(db, users, sql`select id, email from users`)).rejects.toThrow(/lacks name/);
  }, 60_000);

  it("runs the hot path's prepared lookups (db/prepared.ts), once built, again and again", async () => {
    const { db } = await open();
    const [person] = await db
      .insert(users)
      .values({ email: `prepared-${Date.now()}@example.test`, name: "Prepared", role: "editor" })
      .returning({ id: users.id });
    if (!person) throw new Error("no user");
    const { token } = await createSession(db, person.id);
    for (let i = 0; i < 3; i++) {
      expect(await actorForSession(db, token)).toMatchObject({ id: person.id, name: "Prepared", role: "editor" });
      expect(await actorForSession(db, `${token}x`)).toBeNull();
      expect(await findCollection(db, "no-such-collection")).toBeNull();
    }
  }, 60_000);

  it("executeRows gives the driver's rows as they are, on either driver", async () => {
    const { db } = await open();
    expect(await executeRows(db, sql`select 1::int as one, 'x' as text`)).toEqual([{ one: 1, text: "x" }]);
  }, 60_000);
});
