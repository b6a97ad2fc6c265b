import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as eventsRoute } from "@/app/api/records/[id]/events/route";
import { queryRows } from "@/db/client";
import { presenceReads } from "@/lib/presence-fanout";
import type { RecordView } from "@/lib/records/record-view";
import { ORIGIN } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { createTestRecord, createUser, type TestDatabase, type TestUser } from "../support/test-database";

/**
 * Issue 10, defect 3: event streams are capped per person (in PostgreSQL, across instances),
 * and a presence change is read once per record per process, not once per open stream.
 */

const EVENT_TIMEOUT_MS = 10_000;

const setup = setUpTestDatabase({
  collections: { tickets: { fields: [{ key: "title", label: "Title", type: "text" }], name: "Tickets" } },
  users: { editor: { name: "Edith" } },
});
let database: TestDatabase;
let slug: string;
let editor: TestUser;
const controllers: AbortController[] = [];

beforeAll(() => {
  ({ database } = setup);
  slug = setup.collections.tickets.slug;
  ({ editor } = setup.users);
});

afterEach(async () => {
  for (const controller of controllers.splice(0)) controller.abort();
  delete process.env.MAX_STREAMS_PER_USER;
  // The aborted streams' presence rows go as their leaves land.
  await expect
    .poll(async () => (await queryRows(database.db, sql`select 1 from presence`)).length, { timeout: EVENT_TIMEOUT_MS })
    .toBe(0);
});

type Opened = { response: Response; presenceMessages: () => number; waitForPresence: (count: number) => Promise<void> };

/** Opens a stream as `user` and counts the presence messages it receives. */
async function openEvents(record: { id: string }, user: TestUser): Promise<Opened> {
  const controller = new AbortController();
  const response = await eventsRoute(
    new Request(new URL(`/api/records/${record.id}/events`, ORIGIN), {
      headers: { authorization: `Bearer ${user.token}`, host: new URL(ORIGIN).host },
      signal: controller.signal,
    }),
    { params: Promise.resolve({ id: record.id }) },
  );
  controllers.push(controller);
  let presence = 0;
  let last: string[] = [];
  const waiters: (() => void)[] = [];
  if (response.status === 200 && response.body) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    void (async () => {
      for (;;) {
        const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (frame.startsWith("event: presence")) {
            presence += 1;
            const data = JSON.parse(
              frame
                .split("\n")
                .find((l) => l.startsWith("data: "))
                ?.slice(6) ?? "{}",
            );
            last = data.users.map((u: { id: string }) => u.id);
            for (const wake of waiters.splice(0)) wake();
          }
        }
      }
    })();
  }
  return {
    response,
    presenceMessages: () => presence,
    waitForPresence: async (count) => {
      const deadline = Date.now() + EVENT_TIMEOUT_MS;
      while (presence < count) {
        if (Date.now() > deadline) throw new Error(`only ${presence} presence messages (${last.length} users)`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
  };
}

function newTicket(): Promise<RecordView> {
  return createTestRecord(database.db, editor, { slug }, { title: "Printer jams" });
}

describe("event streams per person", () => {
  it("answers 429 with Retry-After beyond MAX_STREAMS_PER_USER, counted over every record", async () => {
    process.env.MAX_STREAMS_PER_USER = "3";
    const viewer = await createUser(database.db, { name: "Vic", role: "viewer" });
    const [first, second] = [await newTicket(), await newTicket()];
    const opened = [await openEvents(first, viewer), await openEvents(first, viewer), await openEvents(second, viewer)];
    expect(opened.map((o) => o.response.status)).toEqual([200, 200, 200]);

    const refused = await openEvents(second, viewer);
    expect(refused.response.status).toBe(429);
    expect(Number(refused.response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.response.json()).toMatchObject({ error: "too_many_streams", limit: 3 });
    // Someone else is not affected.
    expect((await openEvents(second, editor)).response.status).toBe(200);
  });

  it("never lets concurrent opens overshoot the limit", async () => {
    process.env.MAX_STREAMS_PER_USER = "5";
    const viewer = await createUser(database.db, { name: "Val", role: "viewer" });
    const ticket = await newTicket();
    const opened = await Promise.all(Array.from({ length: 12 }, () => openEvents(ticket, viewer)));
    const statuses = opened.map((o) => o.response.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    const [rows] = await queryRows<{ count: number }>(
      database.db,
      sql`select count(*)::int as count from presence where user_id = ${viewer.id}`,
    );
    expect(rows?.count).toBe(5);
  });
});

describe("presence fan-out", () => {
  it("reads presence once per change for all of a record's streams, not once per stream", async () => {
    // Before: every stream re-read on every change, so N people opening a record one after
    // another made N(N-1)/2 reads (60 streams: 1,770 reads, plus each stream's first).
    const N = 20;
    const ticket = await newTicket();
    const people = await Promise.all(Array.from({ length: N }, (_, i) => createUser(database.db, { name: `P${i}` })));
    const before = presenceReads();
    const streams: Opened[] = [];
    for (const person of people) {
      streams.push(await openEvents(ticket, person));
      // Every earlier stream hears of this one before the next opens.
      await Promise.all(streams.map((stream, i) => stream.waitForPresence(streams.length - i)));
    }
    const reads = presenceReads() - before;
    // One read per opening after the first (the opening stream's own first list is read by the route).
    expect(reads).toBe(N - 1);
    // Each stream got its own first list and one list per later opening.
    expect(streams.map((s) => s.presenceMessages())).toEqual(streams.map((_, i) => N - i));
  });
});
