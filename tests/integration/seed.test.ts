import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { verifyPassword } from "@/lib/auth/password";
import { DEMO_COLLECTIONS, DEMO_USERS, seedDemoData } from "@/lib/seed";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

/** Demo data (DESIGN.md): seeded into an empty database, all of it or nothing. */

let database: TestDatabase | undefined;

afterEach(async () => {
  await database?.drop();
  database = undefined;
});

async function counts(db: TestDatabase["db"]) {
  const [row] = await queryRows<{ users: number; collections: number; records: number; revisions: number }>(
    db,
    sql`select (select count(*)::int from users) as users, (select count(*)::int from collections) as collections,
               (select count(*)::int from records) as records, (select count(*)::int from revisions) as revisions`,
  );
  return row;
}

describe("seedDemoData", () => {
  it("seeds users, collections and records into an empty database, and never again", async () => {
    database = await createTestDatabase();

    expect(await seedDemoData(database.db)).toMatchObject({ seeded: true });
    const seeded = await counts(database.db);
    expect(seeded).toMatchObject({ users: DEMO_USERS.length, collections: DEMO_COLLECTIONS.length, records: 9 });
    expect(seeded?.revisions).toBe(9);
    // The collections were made by createCollection: each is its schema's revision 1.
    const schemaRevisions = await queryRows<{ version: number; action: string }>(
      database.db,
      sql`select version, action from entity_revisions where kind = 'collection'`,
    );
    expect(schemaRevisions).toEqual(DEMO_COLLECTIONS.map(() => ({ version: 1, action: "create" })));

    expect(await seedDemoData(database.db)).toEqual({ seeded: false });
    expect(await counts(database.db)).toEqual(seeded);
  });

  it("leaves nothing behind when it fails halfway, so the next start seeds everything", async () => {
    database = await createTestDatabase();
    // The second demo customer cannot be stored: the seed dies after users, collections and a record.
    await queryRows(
      database.db,
      sql.raw(`create function refuse_grace() returns trigger language plpgsql as $$
                 begin
                   if new.data ->> 'name' = 'Grace Hopper' then raise exception 'disk full'; end if;
                   return new;
                 end $$;
               create trigger refuse_grace before insert on records for each row execute function refuse_grace();`),
    );

    await expect(seedDemoData(database.db)).rejects.toThrow();
    expect(await counts(database.db)).toEqual({ users: 0, collections: 0, records: 0, revisions: 0 });

    await queryRows(database.db, sql.raw("drop trigger refuse_grace on records"));
    expect(await seedDemoData(database.db)).toMatchObject({ seeded: true });
    expect(await counts(database.db)).toMatchObject({ users: DEMO_USERS.length, records: 9 });
  });

  it("outside the local demo, seeds a random password (reported once), never tandem-demo", async () => {
    database = await createTestDatabase();
    const saved = { url: process.env.DATABASE_URL, password: process.env.DEMO_PASSWORD };
    process.env.DATABASE_URL = database.url;
    delete process.env.DEMO_PASSWORD;
    try {
      const result = await seedDemoData(database.db);
      if (!result.seeded) throw new Error("expected a seed");
      expect(result.generated).toBe(true);
      const [admin] = await queryRows<{ password_hash: string }>(
        database.db,
        sql`select password_hash from users where email = 'admin@example.com'`,
      );
      expect(await verifyPassword(admin?.password_hash ?? "", result.password)).toBe(true);
      expect(await verifyPassword(admin?.password_hash ?? "", "tandem-demo")).toBe(false);
    } finally {
      if (saved.url === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved.url;
      if (saved.password !== undefined) process.env.DEMO_PASSWORD = saved.password;
    }
  });

  it("seeds once when two instances start on one new database at the same time", async () => {
    database = await createTestDatabase();
    const results = await Promise.all([seedDemoData(database.db), seedDemoData(database.db)]);
    expect(results.map((r) => r.seeded).sort()).toEqual([false, true]);
    expect(await counts(database.db)).toMatchObject({ users: DEMO_USERS.length, records: 9 });
  });
});
