import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/collections/[slug]/records/route";
import { GET as getRecord, PATCH as patchRecord } from "@/app/api/records/[id]/route";
import { queryRows } from "@/db/client";
import type { FieldDefinition } from "@/lib/fields";
import { callRoute, expectError } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { createTestRecord, type TestDatabase, type TestUser } from "../support/test-database";

/**
 * Issue 10, reliability: a database that went read-only (a failover replica, a full disk
 * remounted read-only, an operator's `default_transaction_read_only`). Saves answer 503 with
 * Retry-After (try again; nothing was written), never 500; reads go on.
 */

const FIELDS: FieldDefinition[] = [{ key: "title", label: "Title", type: "text", required: true }];

const setup = setUpTestDatabase({ collections: { items: { fields: FIELDS } }, users: { editor: { name: "Edith" } } });
let database: TestDatabase;
let editor: TestUser;
let slug: string;
let name: string;

/** Every new connection to the database gets the setting; the open ones are closed so they reconnect. */
async function setReadOnly(on: boolean): Promise<void> {
  await queryRows(database.db, sql.raw(`alter database "${name}" set default_transaction_read_only = ${on}`));
  await queryRows(
    database.db,
    sql`select pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid()`,
  );
}

beforeAll(async () => {
  ({ database } = setup);
  slug = setup.collections.items.slug;
  ({ editor } = setup.users);
  const [row] = await queryRows<{ name: string }>(database.db, sql`select current_database() as name`);
  name = row?.name ?? "";
});

describe("with the database read-only", () => {
  it("saves answer 503 with Retry-After and write nothing; reads still answer", async () => {
    const record = await createTestRecord(database.db, editor, { slug }, { title: "Before" });
    await setReadOnly(true);
    try {
      const patch = () =>
        callRoute(patchRecord, {
          method: "PATCH",
          path: `/api/records/${record.id}`,
          params: { id: record.id },
          token: editor.token,
          headers: { "if-match": '"1"' },
          json: { data: { title: "During" } },
        });
      // The first statement on a terminated connection may fail as a closed connection: also a 503.
      let answer = await patch();
      if (answer.status === 503) answer = await patch();
      expectError(answer, 503, "unavailable");
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
      const created = await callRoute(createRoute, {
        method: "POST",
        path: `/api/collections/${slug}/records`,
        params: { slug },
        token: editor.token,
        json: { data: { title: "New" } },
      });
      expectError(created, 503, "unavailable");
      const read = await callRoute(getRecord, {
        path: `/api/records/${record.id}`,
        params: { id: record.id },
        token: editor.token,
      });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ version: 1, data: { title: "Before" } });
    } finally {
      await setReadOnly(false);
    }
    // Once writable again, the same save goes through (after a 503 from a connection the switch
    // closed: what a client does on a 503 is send it again).
    const saveAfter = () =>
      callRoute(patchRecord, {
        method: "PATCH",
        path: `/api/records/${record.id}`,
        params: { id: record.id },
        token: editor.token,
        headers: { "if-match": '"1"' },
        json: { data: { title: "After" } },
      });
    let again = await saveAfter();
    for (let attempt = 0; attempt < 3 && again.status === 503; attempt++) again = await saveAfter();
    expect(again.status).toBe(200);
  });
});
