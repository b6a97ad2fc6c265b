import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { openStreamPresence, PRESENCE_TTL_SECONDS } from "@/lib/presence";
import {
  createCollection,
  createTestDatabase,
  createTestRecord,
  createUser,
  type TestDatabase,
  type TestUser,
} from "../support/test-database";

/**
 * Opening an event stream counts the person's fresh streams (MAX_STREAMS_PER_USER, issue 10
 * defect 3) with `presence where user_id = $1 and seen_at >= now() - 45 s`. Without an index
 * by person that is a scan of every open tab of everyone, at every open; the index
 * presence_user_seen_idx (migration 0012) answers it from the person's own rows.
 */

let database: TestDatabase;
let owner: TestUser;
let recordId: string;

/** The statement lib/presence.ts openStreamPresence runs, as its plan. */
const COUNT_PLAN = (userId: string) =>
  sql`explain (format text)
      select count(*)::int as count from presence
       where user_id = ${userId} and seen_at >= now() - make_interval(secs => ${PRESENCE_TTL_SECONDS})`;

beforeAll(async () => {
  database = await createTestDatabase();
  owner = await createUser(database.db, { name: "Owner" });
  const collection = await createCollection(database.db, {
    fields: [{ key: "title", label: "Title", type: "text", required: true }],
  });
  recordId = (await createTestRecord(database.db, owner, collection, { title: "Busy" })).id;
  // An office's worth of open tabs: 400 people, 10 tabs each, half of them stale.
  await queryRows(
    database.db,
    sql`with people as (
          insert into users (email, name, role, password_hash)
          select 'tab' || n || '@example.test', 'Tab ' || n, 'editor', '!no-password' from generate_series(1, 400) n
          returning id
        )
        insert into presence (id, record_id, user_id, seen_at)
        select gen_random_uuid(), ${recordId}, people.id, now() - make_interval(secs => (tab % 2) * 120)
          from people, generate_series(1, 10) tab`,
  );
  await queryRows(database.db, sql`analyze presence`);
});

afterAll(async () => {
  await database?.drop();
});

describe("the per-person stream count", () => {
  it("uses presence_user_seen_idx, not a scan of everyone's tabs", async () => {
    const plan = (await queryRows<{ "QUERY PLAN": string }>(database.db, COUNT_PLAN(owner.id)))
      .map((row) => row["QUERY PLAN"])
      .join("\n");
    expect(plan).toMatch(/presence_user_seen_idx/);
    expect(plan).not.toMatch(/Seq Scan on presence/);
  });

  it("still counts only the person's fresh streams: the cap refuses the one beyond it", async () => {
    const someone = await queryRows<{ id: string }>(
      database.db,
      sql`select id from users where email = 'tab1@example.test'`,
    );
    const actor = { id: someone[0]?.id ?? "", name: "Tab 1", email: "tab1@example.test", role: "editor" as const };
    // Five fresh tabs of ten: a cap of 6 admits one more and refuses the next.
    const open = () => openStreamPresence(database.db, actor, { id: crypto.randomUUID(), recordId, maxStreams: 6 });
    expect((await open()).ok).toBe(true);
    expect(await open()).toMatchObject({ ok: false, error: { code: "too_many_streams", limit: 6 } });
  });
});
