import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as eventsRoute } from "@/app/api/records/[id]/events/route";
import { queryRows } from "@/db/client";
import { getCollectionDetail } from "@/lib/collections";
import { updateCollection } from "@/lib/collections/write-collection";
import type { FieldDefinition } from "@/lib/fields";
import { acquireLease } from "@/lib/leases/acquire-lease";
import { releaseLease } from "@/lib/leases/release-lease";
import { subscribe, subscriberCount } from "@/lib/live-events";
import { presentUsers, setPresenceEditing, touchPresence } from "@/lib/presence";
import { deleteRecord } from "@/lib/records/delete-record";
import type { RecordView } from "@/lib/records/record-view";
import { restoreRecord } from "@/lib/records/restore-record";
import { saveRecord } from "@/lib/records/save-record";
import { reserveSeats } from "@/lib/reservations/reserve-seats";
import { callRoute, expectError, ORIGIN } from "../support/api";
import { whileLocked } from "../support/lock-gate";
import { setUpTestDatabase } from "../support/set-up-test-database";
import { type SseEvent, sseReader } from "../support/sse";
import {
  createCollection,
  createTestRecord,
  createUser,
  type TestDatabase,
  type TestUser,
} from "../support/test-database";

/** GET /api/records/:id/events: live events from PostgreSQL's NOTIFY, through the route handler. */

const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", required: true },
  { key: "notes", label: "Notes", type: "longtext" },
];
const EVENT_FIELDS: FieldDefinition[] = [
  { key: "name", label: "Name", type: "text", required: true },
  { key: "capacity", label: "Capacity", type: "integer", required: true, min: 0 },
];

/** How long to wait for an event that must come. Not a timing assertion: a bound on a hang. */
const EVENT_TIMEOUT_MS = 10_000;

const setup = setUpTestDatabase({
  collections: {
    tickets: { fields: FIELDS, name: "Tickets" },
    customers: { fields: FIELDS, name: "Customers", editMode: "lease" },
    events: { fields: EVENT_FIELDS, name: "Events" },
  },
  users: { editor: { name: "Edith" }, other: { name: "Otto" }, viewer: { role: "viewer", name: "Vera" } },
});
let database: TestDatabase;
let tickets: string;
let customers: string;
let events: string;
let editor: TestUser;
let other: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  ({ database } = setup);
  tickets = setup.collections.tickets.slug;
  customers = setup.collections.customers.slug;
  await queryRows(
    database.db,
    sql`update collections set capacity_field = 'capacity' where id = ${setup.collections.events.id}`,
  );
  events = setup.collections.events.slug;
  ({ editor, other, viewer } = setup.users);
});

type Stream = {
  response: Response;
  /** The next event but presence (comments skipped); fails after EVENT_TIMEOUT_MS. */
  next: () => Promise<SseEvent>;
  /** The next presence event (others skipped); fails after EVENT_TIMEOUT_MS. */
  nextPresence: () => Promise<SseEvent>;
  /** The client goes away: the request's signal aborts. */
  abort: () => void;
  reader: ReadableStreamDefaultReader<Uint8Array>;
};

const open: Stream[] = [];

afterEach(() => {
  for (const stream of open.splice(0)) stream.abort();
});

async function openEvents(id: string, as: TestUser = viewer): Promise<Stream> {
  const controller = new AbortController();
  const response = await eventsRoute(
    new Request(new URL(`/api/records/${id}/events`, ORIGIN), {
      headers: { authorization: `Bearer ${as.token}`, host: new URL(ORIGIN).host },
      signal: controller.signal,
    }),
    { params: Promise.resolve({ id }) },
  );
  expect(response.status).toBe(200);
  if (!response.body) throw new Error("an event stream has a body");
  const reader = response.body.getReader();
  const { nextWhere } = sseReader(reader, EVENT_TIMEOUT_MS);
  const next = () => nextWhere((event) => event.event !== "presence");
  const nextPresence = () => nextWhere((event) => event.event === "presence");
  const stream = { response, next, nextPresence, abort: () => controller.abort(), reader };
  open.push(stream);
  return stream;
}

async function presenceRows(recordId: string): Promise<number> {
  const [row] = await queryRows<{ count: number }>(
    database.db,
    sql`select count(*)::int as count from presence where record_id = ${recordId}`,
  );
  return row?.count ?? 0;
}

function newTicket(): Promise<RecordView> {
  return createTestRecord(database.db, editor, { slug: tickets }, { title: "Printer jams" });
}

async function saveAs(user: TestUser, record: { id: string; version: number }, values: Record<string, unknown>) {
  const result = await saveRecord(database.db, user, {
    recordId: record.id,
    baseVersion: record.version,
    values,
    patch: true,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.record;
}

describe("GET /api/records/:id/events", () => {
  it("answers 401 without a session and 404 for an unknown record", async () => {
    const record = await newTicket();
    expectError(
      await callRoute(eventsRoute, { path: `/api/records/${record.id}/events`, params: { id: record.id } }),
      401,
      "unauthenticated",
    );
    const unknown = "00000000-0000-4000-8000-000000000000";
    expectError(
      await callRoute(eventsRoute, {
        path: `/api/records/${unknown}/events`,
        params: { id: unknown },
        token: viewer.token,
      }),
      404,
      "not_found",
    );
    expectError(
      await callRoute(eventsRoute, { path: "/api/records/nope/events", params: { id: "nope" }, token: viewer.token }),
      404,
      "not_found",
    );
    expect(subscriberCount()).toBe(0);
  });

  it("streams text/event-stream, ready first with the current version", async () => {
    const record = await newTicket();
    const stream = await openEvents(record.id);
    expect(stream.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get("cache-control")).toBe("no-cache");
    expect(stream.response.headers.get("connection")).toBe("keep-alive");
    expect(stream.response.headers.get("x-accel-buffering")).toBe("no");
    expect(await stream.next()).toEqual({
      event: "ready",
      data: { id: record.id, version: 1, deleted: false, presenceId: expect.any(String) },
    });
  });

  it("sends a record event for every new version: save, delete, restore", async () => {
    const record = await newTicket();
    const stream = await openEvents(record.id);
    expect((await stream.next()).event).toBe("ready");

    const saved = await saveAs(other, record, { notes: "Paper tray" });
    expect(await stream.next()).toEqual({
      event: "record",
      data: {
        id: record.id,
        version: 2,
        action: "update",
        updatedAt: saved.updatedAt,
        updatedBy: { id: other.id, name: "Otto" },
      },
    });

    const deleted = await deleteRecord(database.db, editor, { recordId: record.id, baseVersion: 2 });
    expect(deleted.ok).toBe(true);
    expect(await stream.next()).toMatchObject({
      event: "record",
      data: { version: 3, action: "delete", updatedBy: { id: editor.id, name: "Edith" } },
    });

    const restored = await restoreRecord(database.db, editor, {
      recordId: record.id,
      deletedVersion: 3,
      values: { title: "Printer jams again" },
    });
    expect(restored.ok).toBe(true);
    expect(await stream.next()).toMatchObject({ event: "record", data: { version: 4, action: "restore" } });
  });

  it("sends nothing about other records", async () => {
    const watched = await newTicket();
    const elsewhere = await newTicket();
    const stream = await openEvents(watched.id);
    expect((await stream.next()).event).toBe("ready");
    // The other record's change commits first; the next event on this stream must still be ours.
    await saveAs(other, elsewhere, { notes: "Not yours" });
    await saveAs(other, watched, { notes: "Yours" });
    expect(await stream.next()).toMatchObject({ event: "record", data: { id: watched.id, version: 2 } });
  });

  it("sends a schema event when a collection's fields change, so an open form can offer to reload", async () => {
    const collection = await createCollection(database.db, { fields: FIELDS, name: "Intake" });
    const admin = await createUser(database.db, { role: "admin", name: "Ada" });
    const record = await createTestRecord(database.db, editor, collection, { title: "Open form" });
    const stream = await openEvents(record.id);
    expect((await stream.next()).event).toBe("ready");
    const before = await getCollectionDetail(database.db, collection.slug);
    if (!before) throw new Error("the collection exists");
    const changed = await updateCollection(database.db, admin, {
      slug: collection.slug,
      baseVersion: before.version,
      changes: { fields: [...FIELDS, { key: "owner", label: "Owner", type: "text", required: true }] },
      acceptImpact: true,
    });
    if (!changed.ok) throw new Error(JSON.stringify(changed.error));
    expect(await stream.next()).toEqual({
      event: "schema",
      data: { slug: collection.slug, version: before.version + 1 },
    });
    // The record's own events still come after it.
    await saveAs(other, record, { notes: "Still live" });
    expect(await stream.next()).toMatchObject({ event: "record", data: { id: record.id, version: 2 } });
  });

  it("sends lease events when the lease is acquired, renewed and released", async () => {
    const record = await createTestRecord(database.db, editor, { slug: customers }, { title: "Acme" });
    const stream = await openEvents(record.id);
    expect((await stream.next()).event).toBe("ready");

    const acquired = await acquireLease(database.db, editor, { recordId: record.id });
    if (!acquired.ok) throw new Error(JSON.stringify(acquired));
    expect(await stream.next()).toEqual({
      event: "lease",
      data: { recordId: record.id, holder: { id: editor.id, name: "Edith" }, expiresAt: acquired.lease.expiresAt },
    });

    const renewed = await acquireLease(database.db, editor, { recordId: record.id, renew: true });
    if (!renewed.ok) throw new Error(JSON.stringify(renewed));
    expect(await stream.next()).toMatchObject({
      event: "lease",
      data: { holder: { id: editor.id }, expiresAt: renewed.lease.expiresAt },
    });

    expect((await releaseLease(database.db, editor, { recordId: record.id })).ok).toBe(true);
    expect(await stream.next()).toEqual({
      event: "lease",
      data: { recordId: record.id, holder: null, expiresAt: null },
    });
  });

  it("sends a reservations event when the seat counter changes", async () => {
    const record = await createTestRecord(database.db, editor, { slug: events }, { name: "Launch", capacity: 10 });
    const stream = await openEvents(record.id);
    expect((await stream.next()).event).toBe("ready");

    const reserved = await reserveSeats(database.db, other, { recordId: record.id, seats: 3 });
    expect(reserved.ok).toBe(true);
    expect(await stream.next()).toEqual({
      event: "reservations",
      data: { recordId: record.id, taken: 3, capacity: 10 },
    });
  });

  it("reaches every open stream of the record", async () => {
    const record = await newTicket();
    const first = await openEvents(record.id);
    const second = await openEvents(record.id, editor);
    expect((await first.next()).event).toBe("ready");
    expect((await second.next()).event).toBe("ready");
    await saveAs(other, record, { notes: "Both see this" });
    expect(await first.next()).toMatchObject({ event: "record", data: { version: 2 } });
    expect(await second.next()).toMatchObject({ event: "record", data: { version: 2 } });
  });

  it("unsubscribes when the client disconnects (request aborted)", async () => {
    const record = await newTicket();
    const stream = await openEvents(record.id);
    expect((await stream.next()).event).toBe("ready");
    expect(subscriberCount(record.id)).toBe(1);
    stream.abort();
    await expect.poll(() => subscriberCount(record.id)).toBe(0);
    // The stream ends too (after what was already queued: the first presence message).
    let chunks = 0;
    while (!(await stream.reader.read()).done) expect(++chunks).toBeLessThan(3);
  });

  it("unsubscribes when the reader cancels the stream", async () => {
    const record = await newTicket();
    const stream = await openEvents(record.id);
    expect((await stream.next()).event).toBe("ready");
    expect(subscriberCount(record.id)).toBe(1);
    await stream.reader.cancel();
    await expect.poll(() => subscriberCount(record.id)).toBe(0);
  });

  it("presence: lists who has the record open, and announces each opening and closing", async () => {
    const record = await newTicket();
    const vera = await openEvents(record.id, viewer);
    expect((await vera.next()).event).toBe("ready");
    expect(await vera.nextPresence()).toEqual({
      event: "presence",
      data: {
        recordId: record.id,
        users: [{ id: viewer.id, name: "Vera", since: expect.any(String), editing: false }],
      },
    });

    const edith = await openEvents(record.id, editor);
    expect((await edith.next()).event).toBe("ready");
    const both = [
      { id: viewer.id, name: "Vera", since: expect.any(String), editing: false },
      { id: editor.id, name: "Edith", since: expect.any(String), editing: false },
    ];
    expect((await edith.nextPresence()).data).toEqual({ recordId: record.id, users: both });
    expect((await vera.nextPresence()).data).toEqual({ recordId: record.id, users: both });

    edith.abort();
    expect((await vera.nextPresence()).data).toEqual({ recordId: record.id, users: [both[0]] });
    expect(await presenceRows(record.id)).toBe(1);
  });

  it("presence: a person with two tabs is listed once, as editing while either tab has unsaved edits", async () => {
    const record = await newTicket();
    const vera = await openEvents(record.id, viewer);
    expect((await vera.nextPresence()).data).toMatchObject({ users: [{ id: viewer.id }] });
    const first = await openEvents(record.id, editor);
    const second = await openEvents(record.id, editor);
    const secondReady = (await second.next()).data as { presenceId: string };
    await expect.poll(async () => (await presentUsers(database.db, record.id)).length).toBe(2);
    expect(await presenceRows(record.id)).toBe(3);
    // Someone else cannot speak for Edith's tab.
    expect(await setPresenceEditing(database.db, other, { id: secondReady.presenceId, editing: true })).toBe(false);
    expect(await setPresenceEditing(database.db, editor, { id: secondReady.presenceId, editing: true })).toBe(true);
    let seen = await vera.nextPresence();
    while ((seen.data as { users: { editing: boolean }[] }).users.length < 2) seen = await vera.nextPresence();
    while (!(seen.data as { users: { editing: boolean }[] }).users[1]?.editing) seen = await vera.nextPresence();
    expect(seen.data).toEqual({
      recordId: record.id,
      users: [
        { id: viewer.id, name: "Vera", since: expect.any(String), editing: false },
        { id: editor.id, name: "Edith", since: expect.any(String), editing: true },
      ],
    });
    first.abort();
    second.abort();
    await expect.poll(() => presenceRows(record.id)).toBe(1);
  });

  it("presence: a tab whose process died stops counting, and the next ping or join removes it", async () => {
    const record = await newTicket();
    const vera = await openEvents(record.id, viewer);
    const ready = (await vera.next()).data as { presenceId: string };
    expect((await vera.nextPresence()).data).toMatchObject({ users: [{ id: viewer.id }] });
    const staleRow = (recordId: string) =>
      queryRows(
        database.db,
        sql`insert into presence (id, record_id, user_id, since, seen_at)
            values (gen_random_uuid(), ${recordId}, ${other.id}, now() - interval '10 minutes', now() - interval '1 minute')`,
      );
    // Otto's tab went away with its process a minute ago: over PRESENCE_TTL_SECONDS, not listed,
    // though still there until Vera's next ping removes it.
    await staleRow(record.id);
    expect(await presentUsers(database.db, record.id)).toMatchObject([{ id: viewer.id }]);
    expect(await presenceRows(record.id)).toBe(2);
    await touchPresence(database.db, viewer, { id: ready.presenceId, recordId: record.id });
    expect(await presenceRows(record.id)).toBe(1);

    // Opening any record also clears stale rows elsewhere (records nobody opens again).
    const elsewhere = await newTicket();
    await staleRow(elsewhere.id);
    expect(await presenceRows(elsewhere.id)).toBe(1);
    const another = await openEvents((await newTicket()).id, editor);
    expect((await another.next()).event).toBe("ready");
    expect(await presenceRows(elsewhere.id)).toBe(0);

    // A tab taken for stale (a long pause) is put back by its own next ping.
    await queryRows(database.db, sql`delete from presence where id = ${ready.presenceId}`);
    await touchPresence(database.db, viewer, { id: ready.presenceId, recordId: record.id });
    expect(await presentUsers(database.db, record.id)).toMatchObject([{ id: viewer.id }]);
  });

  it("notifies nothing for a record nobody has open, so those commits never take NOTIFY's lock", async () => {
    const unwatched = await newTicket();
    const heard: string[] = [];
    // Listening in this process, but with no presence row: nobody has the record open.
    const stop = await subscribe(unwatched.id, (event) => heard.push(event.kind));
    try {
      const watched = await newTicket();
      const stream = await openEvents(watched.id);
      expect((await stream.next()).event).toBe("ready");
      await saveAs(other, unwatched, { notes: "Nobody is looking" });
      // Notifications arrive in commit order: once the watched record's has, none came before it.
      await saveAs(other, watched, { notes: "Someone is looking" });
      expect(await stream.next()).toMatchObject({ event: "record", data: { id: watched.id, version: 2 } });
      expect(heard).toEqual([]);
    } finally {
      stop();
    }
  });

  it("a save in flight while a stream opens is either in its first version or announced after it", async () => {
    const record = await newTicket();
    // The save holds the record row when the stream joins; the join waits for it to commit.
    const stream = await whileLocked(
      database.url,
      { waiters: 1, timeoutMs: 30_000 },
      (tx) => tx.execute(sql`update records set version = version + 1 where id = ${record.id}`),
      () => openEvents(record.id),
    );
    expect(await stream.next()).toMatchObject({ event: "ready", data: { version: 2 } });
  });

  it("leaves no subscriber behind", async () => {
    for (const stream of open.splice(0)) stream.abort();
    await expect.poll(() => subscriberCount()).toBe(0);
  });
});
