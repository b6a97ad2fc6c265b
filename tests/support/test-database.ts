import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { inject } from "vitest";
import { type Database, type DbOrTx, openPostgres, queryRows } from "@/db/client";
import type { EditMode, FieldChanges, RecordData, RevisionAction, Role } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { hashPassword } from "@/lib/auth/password";
import { createSession } from "@/lib/auth/sessions";
import type { CollectionView } from "@/lib/collections";
import type { FieldDefinition, RecordInput } from "@/lib/fields";
import { createRecord } from "@/lib/records/create-record";
import type { RecordView } from "@/lib/records/record-view";

/**
 * Each integration test file gets its own database, copied from the template that
 * global-setup.ts migrated once, so files run in parallel without seeing each other's rows.
 */
export type TestDatabase = Database & {
  /** Connection URL of this database (for a second client, or DATABASE_URL of the route handlers). */
  url: string;
  /** Closes the pool and drops the database. */
  drop: () => Promise<void>;
};

async function withAdmin<T>(run: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(inject("postgresUrl"), { max: 1, onnotice: () => {} });
  try {
    return await run(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

function databaseUrl(name: string): string {
  const url = new URL(inject("postgresUrl"));
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, migrated database. `max` is the pool size: at least the number of concurrent clients. */
export async function createTestDatabase(options: { max?: number } = {}): Promise<TestDatabase> {
  const name = `tandem_test_${randomUUID().replaceAll("-", "")}`;
  const template = inject("templateDatabase");
  await withAdmin((admin) => admin.unsafe(`create database "${name}" template "${template}"`));
  const url = databaseUrl(name);
  const database = await openPostgres(url, { max: options.max ?? 10 });
  return {
    ...database,
    url,
    drop: async () => {
      await database.close();
      await withAdmin((admin) => admin.unsafe(`drop database if exists "${name}" with (force)`));
    },
  };
}

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}${randomUUID().slice(0, 8)}`;
}

/** A signed-in user: an Actor for domain calls plus a session token for the HTTP API. */
export type TestUser = Actor & { token: string };

/**
 * A user with a live session. Without `password` the stored hash matches no password, which
 * skips the deliberately slow argon2 hashing for users that never sign in through the API.
 */
export async function createUser(
  db: DbOrTx,
  options: { role?: Role; name?: string; email?: string; password?: string } = {},
): Promise<TestUser> {
  const role = options.role ?? "editor";
  const email = (options.email ?? `${unique(role)}@example.test`).toLowerCase();
  const name = options.name ?? `${role[0]?.toUpperCase()}${role.slice(1)} ${counter}`;
  const passwordHash = options.password ? await hashPassword(options.password) : "!no-password";
  const [row] = await queryRows<{ id: string }>(
    db,
    sql`insert into users (email, name, role, password_hash) values (${email}, ${name}, ${role}, ${passwordHash})
        returning id`,
  );
  if (!row) throw new Error("user insert returned no row");
  const { token } = await createSession(db, row.id);
  return { id: row.id, email, name, role, token };
}

export async function createCollection(
  db: DbOrTx,
  options: { fields: FieldDefinition[]; slug?: string; name?: string; editMode?: EditMode },
): Promise<CollectionView> {
  const slug = options.slug ?? unique("c");
  const name = options.name ?? `Collection ${slug}`;
  const editMode = options.editMode ?? "optimistic";
  const [row] = await queryRows<{ id: string }>(
    db,
    sql`insert into collections (slug, name, fields, edit_mode)
        values (${slug}, ${name}, ${JSON.stringify(options.fields)}::jsonb, ${editMode}) returning id`,
  );
  if (!row) throw new Error("collection insert returned no row");
  return { id: row.id, slug, name, fields: options.fields, editMode, version: 1, capacityField: null };
}

/** A record at version 1, created through the domain function (so it has its create revision). */
export async function createTestRecord(
  db: DbOrTx,
  actor: Actor,
  collection: Pick<CollectionView, "slug">,
  values: RecordInput,
): Promise<RecordView> {
  const result = await createRecord(db, actor, { collectionSlug: collection.slug, values });
  if (!result.ok) throw new Error(`test record is invalid: ${JSON.stringify(result.error)}`);
  return result.record;
}

/** The revisions of a record as stored, oldest first. */
export type StoredRevision = {
  version: number;
  action: RevisionAction;
  userId: string;
  changes: FieldChanges;
  snapshot: RecordData;
  saveId: string | null;
};

export async function storedRevisions(db: DbOrTx, recordId: string): Promise<StoredRevision[]> {
  return queryRows<StoredRevision>(
    db,
    sql`select version, action, user_id as "userId", changes, snapshot, save_id as "saveId"
          from revisions where record_id = ${recordId} order by version`,
  );
}
