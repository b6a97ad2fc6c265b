import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { openStreamCount, PING_INTERVAL_MS, STREAMS_PER_TAB } from "@/app/api/_lib/event-stream";
import { GET as listEvents } from "@/app/api/collections/[slug]/events/route";
import { GET as notificationEvents } from "@/app/api/notifications/events/route";
import { GET as schemaEvents } from "@/app/api/schema/events/route";
import { queryRows } from "@/db/client";
import { notifyAccessChanged } from "@/lib/auth/access";
import { createSession } from "@/lib/auth/sessions";
import { signOut } from "@/lib/auth/sign-out";
import type { FieldDefinition } from "@/lib/fields";
import { subscriberCount } from "@/lib/live-events";
import { ORIGIN } from "../support/api";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { type SseEvent, sseReader } from "../support/sse";

/**
 * Issue 10, defect 4 ("streams outlive the right to read"), for the streams other than a
 * record's (tests/integration/access-streams.test.ts covers that one): a collection's list
 * stream, my notifications' stream and the schema stream. Each now re-checks its session or
 * token (app/api/_lib/event-stream.ts, `access`) at every ping and when the person's access
 * changes: before, they went on delivering after sign-out or deactivation. And they are capped
 * per person on an instance (defect 3): before, anyone could open as many as they liked.
 */

const FIELDS: FieldDefinition[] = [{ key: "title", label: "Title", type: "text", required: true }];
/** "Within seconds", generous for a loaded 2-core machine. */
const WAIT_MS = 10_000;

const setup = setUpTestDatabase({
  collections: { tickets: { fields: FIELDS, name: "Tickets" } },
  users: { walt: { role: "viewer", name: "Walt" } },
});

type Route = (request: Request, context: { params: Promise<{ slug: string }> }) => Promise<Response>;
const STREAMS: { name: string; route: Route; path: () => string }[] = [
  {
    name: "a collection's list stream",
    route: listEvents,
    path: () => `/api/collections/${setup.collections.tickets.slug}/events`,
  },
  {
    name: "the notifications stream",
    route: notificationEvents as unknown as Route,
    path: () => "/api/notifications/events",
  },
  { name: "the schema stream", route: schemaEvents as unknown as Route, path: () => "/api/schema/events" },
];

const opened: AbortController[] = [];
afterEach(() => {
  for (const controller of opened.splice(0)) controller.abort();
});

async function open(route: Route, path: string, token: string) {
  const controller = new AbortController();
  opened.push(controller);
  const response = await route(
    new Request(new URL(path, ORIGIN), {
      headers: { authorization: `Bearer ${token}`, host: new URL(ORIGIN).host },
      signal: controller.signal,
    }),
    { params: Promise.resolve({ slug: setup.collections.tickets?.slug ?? "" }) },
  );
  expect(response.status).toBe(200);
  const reader = response.body?.getReader();
  if (!reader) throw new Error("an event stream has a body");
  const events = sseReader(reader, WAIT_MS);
  /** Resolves when the stream ends (the reader reports done), with the events read meanwhile. */
  const untilEnd = async (): Promise<SseEvent[]> => {
    const seen: SseEvent[] = [];
    for (;;) {
      try {
        seen.push(await events.nextWhere(() => true));
      } catch (error) {
        if ((error as Error).message === "the event stream ended") return seen;
        throw error;
      }
    }
  };
  return { first: () => events.nextWhere(() => true), untilEnd };
}

describe("streams other than a record's end with the right to read them", () => {
  for (const stream of STREAMS) {
    it(`${stream.name}: signing out sends access {ended, signed_out} and closes it`, async () => {
      const { db } = setup.database;
      const { token } = await createSession(db, setup.users.walt.id);
      const opened = await open(stream.route, stream.path(), token);
      await opened.first();
      const started = Date.now();
      const ended = opened.untilEnd();
      await signOut(db, token);
      const events = await ended;
      expect(events.at(-1)).toEqual({ event: "access", data: { ended: true, reason: "signed_out" } });
      expect(Date.now() - started).toBeLessThan(WAIT_MS);
    });
  }

  it("a deactivated person's streams say so and close, and none opens again", async () => {
    const { db } = setup.database;
    const { token } = await createSession(db, setup.users.walt.id);
    const other = await createSession(db, setup.users.walt.id);
    const mine = await Promise.all(STREAMS.map((s) => open(s.route, s.path(), token)));
    for (const s of mine) await s.first();
    const ends = mine.map((s) => s.untilEnd());
    await queryRows(db, sql`update users set active = false where id = ${setup.users.walt.id}`);
    await notifyAccessChanged(db, setup.users.walt.id);
    for (const events of await Promise.all(ends)) {
      expect(events.at(-1)).toEqual({ event: "access", data: { ended: true, reason: "deactivated" } });
    }
    // Walt's other session is refused now too: nothing is left open for him (a fresh open is 401).
    const refused = await listEvents(
      new Request(new URL(STREAMS[0]?.path() ?? "", ORIGIN), { headers: { authorization: `Bearer ${other.token}` } }),
      { params: Promise.resolve({ slug: setup.collections.tickets.slug }) },
    );
    expect(refused.status).toBe(401);
    await queryRows(db, sql`update users set active = true where id = ${setup.users.walt.id}`);
  });
});

describe("streams other than a record's are capped per person on an instance", () => {
  afterEach(() => {
    delete process.env.MAX_STREAMS_PER_USER;
  });

  it("answers 429 too_many_streams with Retry-After beyond the cap, lets nothing stay subscribed, and frees a slot when a stream closes", async () => {
    process.env.MAX_STREAMS_PER_USER = "1";
    const limit = STREAMS_PER_TAB;
    const { db } = setup.database;
    const person = await createSession(db, setup.users.walt.id);
    const openRaw = (route: Route, path: string) => {
      const controller = new AbortController();
      opened.push(controller);
      const response = route(
        new Request(new URL(path, ORIGIN), {
          headers: { authorization: `Bearer ${person.token}`, host: new URL(ORIGIN).host },
          signal: controller.signal,
        }),
        { params: Promise.resolve({ slug: setup.collections.tickets.slug }) },
      );
      return { response, controller };
    };
    const kept = [];
    for (let i = 0; i < limit; i++) {
      const stream = STREAMS[i % STREAMS.length];
      if (!stream) throw new Error("no stream");
      const open = openRaw(stream.route, stream.path());
      expect((await open.response).status).toBe(200);
      kept.push(open);
    }
    expect(openStreamCount(setup.users.walt.id)).toBe(limit);
    const subscribers = subscriberCount();
    const [watchers] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from list_watchers`);
    for (const stream of STREAMS) {
      const refused = await openRaw(stream.route, stream.path()).response;
      expect(refused.status, stream.name).toBe(429);
      expect(refused.headers.get("retry-after")).toBe(String(PING_INTERVAL_MS / 1000));
      expect(await refused.json()).toMatchObject({ error: "too_many_streams", limit, message: expect.any(String) });
    }
    // The refused opens let go of what they had taken.
    expect(subscriberCount()).toBe(subscribers);
    await expect
      .poll(async () => (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from list_watchers`))[0]?.n)
      .toBe(watchers?.n);
    expect(openStreamCount(setup.users.walt.id)).toBe(limit);
    // A closed stream gives its slot back.
    kept[0]?.controller.abort();
    await expect.poll(() => openStreamCount(setup.users.walt.id)).toBe(limit - 1);
    const again = STREAMS[1];
    if (!again) throw new Error("no stream");
    expect((await openRaw(again.route, again.path()).response).status).toBe(200);
    for (const open of kept) open.controller.abort();
  });
});
