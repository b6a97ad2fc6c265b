import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import * as cancelRoute from "@/app/api/records/[id]/reservations/[reservationId]/route";
import * as reservationsRoute from "@/app/api/records/[id]/reservations/route";
import { queryRows } from "@/db/client";
import type { FieldDefinition } from "@/lib/fields";
import { deleteRecord } from "@/lib/records/delete-record";
import type { RecordView } from "@/lib/records/record-view";
import { restoreRecord } from "@/lib/records/restore-record";
import { saveRecord } from "@/lib/records/save-record";
import type { SaveResult } from "@/lib/records/write-outcome";
import { getReservationSummary } from "@/lib/reservations/queries";
import {
  type CancelResult,
  cancelReservation,
  type ReserveResult,
  reserveSeats,
} from "@/lib/reservations/reserve-seats";
import { seedDemoData } from "@/lib/seed";
import { callRoute } from "../support/api";
import { whileLocked } from "../support/lock-gate";
import { setUpTestDatabase } from "../support/set-up-test-database";
import {
  createCollection,
  createTestDatabase,
  createTestRecord,
  createUser,
  storedRevisions,
  type TestDatabase,
  type TestUser,
} from "../support/test-database";

const EVENT_FIELDS: FieldDefinition[] = [
  { key: "name", label: "Name", type: "text", required: true },
  { key: "capacity", label: "Capacity", type: "integer", required: true, min: 0 },
  { key: "description", label: "Description", type: "longtext" },
];

const CONCURRENT = 200;
const SEATS = 50;

let database: TestDatabase;
let events: string;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;
let buyers: TestUser[];

const setup = setUpTestDatabase({
  // One connection per concurrent request, so each reservation really runs in its own session.
  max: CONCURRENT + 10,
  collections: { events: { fields: EVENT_FIELDS } },
  users: { alice: { name: "Alice" }, bob: { name: "Bob" }, admin: { name: "Admin", role: "admin" } },
});

beforeAll(async () => {
  ({ database } = setup);
  ({ alice, bob, admin } = setup.users);
  const collection = setup.collections.events;
  await queryRows(database.db, sql`update collections set capacity_field = 'capacity' where id = ${collection.id}`);
  events = collection.slug;
  buyers = await Promise.all(Array.from({ length: 20 }, () => createUser(database.db)));
});

function newEvent(capacity: number, extra: Record<string, unknown> = {}): Promise<RecordView> {
  return createTestRecord(database.db, admin, { slug: events }, { name: "Launch party", capacity, ...extra });
}

type Ledger = { capacity: number; taken: number; active: number; activeRows: number; dataCapacity: number };

/** The counter, the reservations it counts and the record's capacity field, read in one statement. */
async function ledger(recordId: string): Promise<Ledger> {
  const [row] = await queryRows<Ledger>(
    database.db,
    sql`select rc.capacity, rc.taken,
               (select coalesce(sum(seats), 0)::int from reservations
                 where record_id = rc.record_id and cancelled_at is null) as active,
               (select count(*)::int from reservations
                 where record_id = rc.record_id and cancelled_at is null) as "activeRows",
               (r.data ->> 'capacity')::int as "dataCapacity"
          from record_capacity rc join records r on r.id = rc.record_id
         where rc.record_id = ${recordId}`,
  );
  if (!row) throw new Error(`no seat counter for ${recordId}`);
  return row;
}

/** Holds the event's counter lock until `waiters` requests are blocked on it (see tests/support/lock-gate.ts). */
function whileCounterLocked<T>(recordId: string, waiters: number, start: () => Promise<T>): Promise<T> {
  return whileLocked(
    database.url,
    { waiters },
    (tx) => tx.execute(sql`select taken from record_capacity where record_id = ${recordId} for update`),
    start,
  );
}

function failures<T>(results: PromiseSettledResult<T>[]): unknown[] {
  return results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
}

function fulfilled<T>(results: PromiseSettledResult<T>[]): T[] {
  return results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
}

describe("reserving seats under concurrency", () => {
  it(`sells exactly ${SEATS} seats to ${CONCURRENT} concurrent single-seat requests on separate connections`, async () => {
    const event = await newEvent(SEATS);

    const results = await whileCounterLocked(event.id, CONCURRENT, () =>
      Promise.all(
        Array.from({ length: CONCURRENT }, (_, i) =>
          reserveSeats(database.db, buyers[i % buyers.length] ?? alice, { recordId: event.id, seats: 1 }),
        ),
      ),
    );

    const won = results.filter((r) => r.ok);
    const refused = results.flatMap((r) => (!r.ok ? [r.error] : []));
    expect(won).toHaveLength(SEATS);
    expect(refused).toHaveLength(CONCURRENT - SEATS);
    expect(refused).toEqual(refused.map(() => ({ code: "insufficient_capacity", remaining: 0 })));
    // Each winner saw the count its predecessor left: remaining 49, 48, …, 0, each exactly once.
    expect(won.map((r) => (r.ok ? r.remaining : -1)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: SEATS }, (_, i) => i),
    );
    expect(await ledger(event.id)).toEqual({
      capacity: SEATS,
      taken: SEATS,
      active: SEATS,
      activeRows: SEATS,
      dataCapacity: SEATS,
    });
    const summary = await getReservationSummary(database.db, event.id);
    expect(summary).toMatchObject({ capacity: SEATS, taken: SEATS, remaining: 0 });
    expect(summary?.reservations).toHaveLength(SEATS);
    // Reservations live outside the versioned data: the record is still at version 1.
    expect((await storedRevisions(database.db, event.id)).map((r) => r.version)).toEqual([1]);
  });

  it("keeps taken = sum(active reservations) ≤ capacity with mixed sizes, cancellations and capacity edits at once", async () => {
    const event = await newEvent(40);
    // Reservations that exist before the storm, to be cancelled during it.
    const earlier: { id: string; seats: number; owner: TestUser }[] = [];
    for (let i = 0; i < 12; i++) {
      const owner = buyers[i] ?? alice;
      const result = await reserveSeats(database.db, owner, { recordId: event.id, seats: 1 + (i % 3) });
      if (!result.ok) throw new Error(`setup reservation failed: ${JSON.stringify(result.error)}`);
      earlier.push({ id: result.reservation.id, seats: result.reservation.seats, owner });
    }
    expect((await ledger(event.id)).taken).toBe(24);

    const reservations = Array.from({ length: 120 }, (_, i) =>
      reserveSeats(database.db, buyers[(i * 7) % buyers.length] ?? alice, { recordId: event.id, seats: 1 + (i % 4) }),
    );
    // Every earlier reservation is cancelled by its owner; half of them by an admin at the same time too.
    const cancellations = earlier.flatMap((r, i) => [
      cancelReservation(database.db, r.owner, { recordId: event.id, reservationId: r.id }),
      ...(i % 2 === 0 ? [cancelReservation(database.db, admin, { recordId: event.id, reservationId: r.id })] : []),
    ]);
    // Meanwhile an admin edits the capacity, down and up, each save against the version it just read.
    const capacityEdits = (async () => {
      const outcomes: SaveResult[] = [];
      for (const capacity of [30, 12, 55, 35, 60]) {
        const [current] = await queryRows<{ version: number; data: Record<string, unknown> }>(
          database.db,
          sql`select version, data from records where id = ${event.id}`,
        );
        if (!current) throw new Error("event vanished");
        outcomes.push(
          await saveRecord(database.db, admin, {
            recordId: event.id,
            baseVersion: current.version,
            values: { ...current.data, capacity },
          }),
        );
      }
      return outcomes;
    })();

    const [reserved, cancelled, saved] = await Promise.all([
      Promise.allSettled(reservations),
      Promise.allSettled(cancellations),
      Promise.allSettled([capacityEdits]),
    ]);

    // Nothing threw: no request would have been a 500.
    expect([...failures(reserved), ...failures(cancelled), ...failures(saved)]).toEqual([]);
    const reserveResults: ReserveResult[] = fulfilled(reserved);
    const cancelResults: CancelResult[] = fulfilled(cancelled);
    const saveResults: SaveResult[] = fulfilled(saved).flat();

    const unexpectedReserve = reserveResults.filter((r) => !r.ok && r.error.code !== "insufficient_capacity");
    expect(unexpectedReserve).toEqual([]);
    expect(cancelResults.filter((r) => !r.ok)).toEqual([]);
    // Each earlier reservation returned its seats exactly once, however many cancels raced.
    const firstCancels = cancelResults.flatMap((r) => (r.ok && !r.alreadyCancelled ? [r.reservation.id] : []));
    expect(firstCancels.sort()).toEqual(earlier.map((r) => r.id).sort());
    expect(cancelResults.filter((r) => r.ok && r.alreadyCancelled)).toHaveLength(6);
    // A capacity edit either applied or was refused for the seats already taken; nothing else.
    for (const result of saveResults) {
      if (!result.ok) {
        expect(result.error).toMatchObject({
          code: "invalid",
          fields: { capacity: expect.stringMatching(/reserved/) },
        });
      }
    }
    const appliedEdits = saveResults.filter((r) => r.ok).length;
    expect(appliedEdits).toBeGreaterThanOrEqual(2); // 55 and 60 always fit: taken never exceeds 40

    const end = await ledger(event.id);
    const soldNow = reserveResults.reduce((sum, r) => sum + (r.ok ? r.reservation.seats : 0), 0);
    expect(end.taken).toBe(end.active);
    expect(end.taken).toBe(soldNow);
    expect(end.taken).toBeLessThanOrEqual(end.capacity);
    expect(end.capacity).toBe(end.dataCapacity);
    // Reservations never bump the version; only the applied capacity edits did.
    const revisions = await storedRevisions(database.db, event.id);
    expect(revisions.map((r) => r.version)).toEqual(Array.from({ length: 1 + appliedEdits }, (_, i) => i + 1));
  });
});

describe("capacity edits", () => {
  it("refuses a capacity below the seats taken, writing nothing, and accepts one equal to them", async () => {
    const event = await newEvent(20);
    for (const user of [alice, bob, alice]) {
      expect((await reserveSeats(database.db, user, { recordId: event.id, seats: 4 })).ok).toBe(true);
    }

    const lower = await saveRecord(database.db, admin, {
      recordId: event.id,
      baseVersion: 1,
      values: { name: "Launch party", capacity: 11 },
    });

    expect(lower).toEqual({
      ok: false,
      error: {
        code: "invalid",
        fields: { capacity: "12 seats are already reserved; capacity cannot be lower than 12" },
      },
    });
    expect((await storedRevisions(database.db, event.id)).map((r) => r.version)).toEqual([1]);
    expect(await ledger(event.id)).toMatchObject({ capacity: 20, taken: 12, dataCapacity: 20 });

    const exact = await saveRecord(database.db, admin, {
      recordId: event.id,
      baseVersion: 1,
      values: { name: "Launch party", capacity: 12 },
    });
    expect(exact).toMatchObject({ ok: true, record: { version: 2, data: { capacity: 12 } } });
    expect(await ledger(event.id)).toMatchObject({ capacity: 12, taken: 12, dataCapacity: 12 });
    expect(await reserveSeats(database.db, bob, { recordId: event.id, seats: 1 })).toEqual({
      ok: false,
      error: { code: "insufficient_capacity", remaining: 0 },
    });
  });

  it("waits for a reservation holding the counter, then judges the capacity against its seats", async () => {
    const event = await newEvent(10);
    expect((await reserveSeats(database.db, alice, { recordId: event.id, seats: 3 })).ok).toBe(true);

    // The save arrives while a reservation of 5 more seats holds the counter's lock.
    const saved = await whileCounterLocked(event.id, 2, async () => {
      const reservation = reserveSeats(database.db, bob, { recordId: event.id, seats: 5 });
      const save = saveRecord(database.db, admin, {
        recordId: event.id,
        baseVersion: 1,
        values: { name: "Launch party", capacity: 6 },
      });
      return Promise.all([reservation, save]);
    });

    // Whichever got the lock first, the database never held capacity < taken.
    const [reservation, save] = saved;
    const end = await ledger(event.id);
    expect(end.taken).toBe(end.active);
    expect(end.taken).toBeLessThanOrEqual(end.capacity);
    expect(end.capacity).toBe(end.dataCapacity);
    if (reservation.ok) {
      expect(save).toMatchObject({ ok: false, error: { code: "invalid" } });
      expect(end).toMatchObject({ capacity: 10, taken: 8 });
    } else {
      expect(save.ok).toBe(true);
      expect(reservation).toEqual({ ok: false, error: { code: "insufficient_capacity", remaining: 3 } });
      expect(end).toMatchObject({ capacity: 6, taken: 3 });
    }
  });

  it("mirrors the capacity a restore brings back, and refuses one below the seats still taken", async () => {
    const event = await newEvent(10);
    expect((await reserveSeats(database.db, alice, { recordId: event.id, seats: 4 })).ok).toBe(true);
    expect((await deleteRecord(database.db, admin, { recordId: event.id, baseVersion: 1 })).ok).toBe(true);

    const tooLow = await restoreRecord(database.db, admin, {
      recordId: event.id,
      deletedVersion: 2,
      values: { name: "Launch party", capacity: 3 },
    });
    expect(tooLow).toEqual({
      ok: false,
      error: { code: "invalid", fields: { capacity: "4 seats are already reserved; capacity cannot be lower than 4" } },
    });
    const restored = await restoreRecord(database.db, admin, {
      recordId: event.id,
      deletedVersion: 2,
      values: { name: "Launch party", capacity: 6 },
    });
    expect(restored).toMatchObject({ ok: true, record: { version: 3 } });
    expect(await ledger(event.id)).toMatchObject({ capacity: 6, taken: 4, dataCapacity: 6 });
  });

  it("never makes someone who changed only the description conflict with reservations", async () => {
    const event = await newEvent(30, { description: "Drinks at six." });
    for (const user of [alice, bob]) await reserveSeats(database.db, user, { recordId: event.id, seats: 2 });
    const cancelled = await reserveSeats(database.db, bob, { recordId: event.id, seats: 1 });
    if (cancelled.ok) {
      await cancelReservation(database.db, bob, { recordId: event.id, reservationId: cancelled.reservation.id });
    }

    const saved = await saveRecord(database.db, alice, {
      recordId: event.id,
      baseVersion: event.version,
      values: { ...event.data, description: "Drinks at seven." },
    });

    expect(saved).toMatchObject({ ok: true, record: { version: 2, data: { description: "Drinks at seven." } } });
    expect(await ledger(event.id)).toMatchObject({ capacity: 30, taken: 4 });
  });
});

describe("cancelling", () => {
  it("lets the owner cancel once, refuses another editor, and lets an admin cancel anyone's", async () => {
    const event = await newEvent(10);
    const mine = await reserveSeats(database.db, alice, { recordId: event.id, seats: 3 });
    const theirs = await reserveSeats(database.db, bob, { recordId: event.id, seats: 2 });
    if (!mine.ok || !theirs.ok) throw new Error("setup failed");

    expect(
      await cancelReservation(database.db, bob, { recordId: event.id, reservationId: mine.reservation.id }),
    ).toEqual({ ok: false, error: { code: "forbidden", message: "You can cancel only your own reservations." } });

    const first = await cancelReservation(database.db, alice, {
      recordId: event.id,
      reservationId: mine.reservation.id,
    });
    const again = await cancelReservation(database.db, alice, {
      recordId: event.id,
      reservationId: mine.reservation.id,
    });
    expect(first).toMatchObject({
      ok: true,
      alreadyCancelled: false,
      remaining: 8,
      reservation: { id: mine.reservation.id, seats: 3, cancelledBy: { id: alice.id, name: "Alice" } },
    });
    expect(again).toMatchObject({ ok: true, alreadyCancelled: true, remaining: 8 });

    const byAdmin = await cancelReservation(database.db, admin, {
      recordId: event.id,
      reservationId: theirs.reservation.id,
    });
    expect(byAdmin).toMatchObject({ ok: true, alreadyCancelled: false, remaining: 10 });
    expect(await ledger(event.id)).toMatchObject({ taken: 0, active: 0 });

    // Who and when, for every reservation and cancellation.
    const summary = await getReservationSummary(database.db, event.id);
    expect(summary?.reservations.map((r) => [r.user.name, r.seats, r.cancelledBy?.name])).toEqual([
      ["Bob", 2, "Admin"],
      ["Alice", 3, "Alice"],
    ]);
    for (const r of summary?.reservations ?? []) {
      expect(Date.parse(r.at)).not.toBeNaN();
      expect(Date.parse(r.cancelledAt ?? "")).not.toBeNaN();
    }
  });

  it("returns the seats once when the same reservation is cancelled many times at once", async () => {
    const event = await newEvent(10);
    const reservation = await reserveSeats(database.db, alice, { recordId: event.id, seats: 4 });
    if (!reservation.ok) throw new Error("setup failed");

    const results = await whileCounterLocked(event.id, 10, () =>
      Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          cancelReservation(database.db, i % 2 ? alice : admin, {
            recordId: event.id,
            reservationId: reservation.reservation.id,
          }),
        ),
      ),
    );

    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.filter((r) => r.ok && !r.alreadyCancelled)).toHaveLength(1);
    expect(results.map((r) => (r.ok ? r.remaining : -1))).toEqual(results.map(() => 10));
    expect(await ledger(event.id)).toMatchObject({ capacity: 10, taken: 0, active: 0 });
  });

  it("answers not_found for an unknown reservation, or one of another event", async () => {
    const event = await newEvent(5);
    const other = await newEvent(5);
    const elsewhere = await reserveSeats(database.db, alice, { recordId: other.id, seats: 1 });
    if (!elsewhere.ok) throw new Error("setup failed");
    for (const reservationId of [randomUUID(), elsewhere.reservation.id]) {
      expect(await cancelReservation(database.db, alice, { recordId: event.id, reservationId })).toEqual({
        ok: false,
        error: { code: "not_found" },
      });
    }
    expect((await ledger(other.id)).taken).toBe(1);
  });

  it("answers 404 not_found at the API for ids that are not uuids, before the domain is asked", async () => {
    const event = await newEvent(5);
    const cancel = (id: string, reservationId: string) =>
      callRoute(cancelRoute.DELETE, {
        method: "DELETE",
        path: `/api/records/${id}/reservations/${reservationId}`,
        params: { id, reservationId },
        token: admin.token,
      });
    for (const [id, reservationId] of [
      [event.id, "not-a-uuid"],
      ["not-a-uuid", randomUUID()],
    ] as const) {
      const response = await cancel(id, reservationId);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ error: "not_found" });
    }
    for (const route of [reservationsRoute.GET, reservationsRoute.POST]) {
      const response = await callRoute(route, {
        method: route === reservationsRoute.GET ? "GET" : "POST",
        path: "/api/records/not-a-uuid/reservations",
        params: { id: "not-a-uuid" },
        token: alice.token,
        ...(route === reservationsRoute.POST ? { json: { seats: 1 } } : {}),
      });
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ error: "not_found" });
    }
    expect((await ledger(event.id)).taken).toBe(0);
  });
});

describe("requests the domain refuses", () => {
  it("answers invalid for seats that are not a whole number from 1 to 10, naming the field", async () => {
    const event = await newEvent(100);
    for (const seats of [0, -1, 1.5, 11, "2", null, Number.NaN]) {
      const result = await reserveSeats(database.db, alice, { recordId: event.id, seats });
      expect(result, `seats = ${String(seats)}`).toMatchObject({ ok: false, error: { code: "invalid" } });
      if (!result.ok && result.error.code === "invalid") expect(Object.keys(result.error.fields)).toEqual(["seats"]);
    }
    expect(await reserveSeats(database.db, alice, { recordId: event.id, seats: 10 })).toMatchObject({
      ok: true,
      remaining: 90,
    });
    expect((await ledger(event.id)).taken).toBe(10);
  });

  it("answers insufficient_capacity naming the seats left, and reserves nothing", async () => {
    const event = await newEvent(5);
    expect((await reserveSeats(database.db, alice, { recordId: event.id, seats: 3 })).ok).toBe(true);
    expect(await reserveSeats(database.db, bob, { recordId: event.id, seats: 3 })).toEqual({
      ok: false,
      error: { code: "insufficient_capacity", remaining: 2 },
    });
    expect(await ledger(event.id)).toMatchObject({ taken: 3, activeRows: 1 });
  });

  it("answers not_found for unknown, deleted and capacity-less records", async () => {
    const deleted = await newEvent(5);
    expect((await deleteRecord(database.db, admin, { recordId: deleted.id, baseVersion: 1 })).ok).toBe(true);
    const plain = await createCollection(database.db, { fields: EVENT_FIELDS });
    const noCapacity = await createTestRecord(database.db, admin, plain, { name: "No seats here", capacity: 5 });

    for (const recordId of [randomUUID(), deleted.id, noCapacity.id]) {
      expect(await reserveSeats(database.db, alice, { recordId, seats: 1 }), recordId).toEqual({
        ok: false,
        error: { code: "not_found" },
      });
      expect(await getReservationSummary(database.db, recordId)).toBeNull();
    }
  });
});

describe("repeated requests (request ids)", () => {
  it("answers a repeat with the first reservation, sequentially and concurrently", async () => {
    const event = await newEvent(10);
    const requestId = randomUUID();
    const first = await reserveSeats(database.db, alice, { recordId: event.id, seats: 2, requestId });
    const again = await reserveSeats(database.db, alice, { recordId: event.id, seats: 2, requestId });
    expect(first).toMatchObject({ ok: true, replayed: false, remaining: 8 });
    expect(again).toMatchObject({ ok: true, replayed: true, remaining: 8 });
    expect(first.ok && again.ok && again.reservation.id === first.reservation.id).toBe(true);

    const raced = randomUUID();
    const results = await whileCounterLocked(event.id, 8, () =>
      Promise.all(
        Array.from({ length: 8 }, () =>
          reserveSeats(database.db, bob, { recordId: event.id, seats: 3, requestId: raced }),
        ),
      ),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(new Set(results.map((r) => (r.ok ? r.reservation.id : null))).size).toBe(1);
    expect(results.filter((r) => r.ok && !r.replayed)).toHaveLength(1);
    expect(await ledger(event.id)).toMatchObject({ taken: 5, activeRows: 2 });
  });

  it("does not take a request id used for another event or seat count as a repeat", async () => {
    const one = await newEvent(10);
    const other = await newEvent(10);
    const requestId = randomUUID();
    expect((await reserveSeats(database.db, alice, { recordId: one.id, seats: 1, requestId })).ok).toBe(true);
    const mismatch = { ok: false, error: { code: "idempotency_mismatch" } };
    expect(await reserveSeats(database.db, alice, { recordId: other.id, seats: 1, requestId })).toEqual(mismatch);
    expect(await reserveSeats(database.db, alice, { recordId: one.id, seats: 2, requestId })).toEqual(mismatch);
    // Request ids are per person: Bob's same id is a new request.
    expect(await reserveSeats(database.db, bob, { recordId: one.id, seats: 1, requestId })).toMatchObject({
      ok: true,
      replayed: false,
    });
    expect((await ledger(one.id)).taken).toBe(2);
    expect((await ledger(other.id)).taken).toBe(0);
  });
});

describe("the seat counter's life", () => {
  it("is created with the record, from its capacity field", async () => {
    const event = await newEvent(75);
    expect(await ledger(event.id)).toEqual({ capacity: 75, taken: 0, active: 0, activeRows: 0, dataCapacity: 75 });
  });

  it("is created on first use for a record from before its collection took reservations", async () => {
    const collection = await createCollection(database.db, { fields: EVENT_FIELDS });
    const legacy = await createTestRecord(database.db, admin, collection, { name: "Old event", capacity: 3 });
    await queryRows(database.db, sql`update collections set capacity_field = 'capacity' where id = ${collection.id}`);

    expect(await getReservationSummary(database.db, legacy.id)).toMatchObject({ capacity: 3, taken: 0, remaining: 3 });
    expect(await reserveSeats(database.db, alice, { recordId: legacy.id, seats: 2 })).toMatchObject({
      ok: true,
      remaining: 1,
    });
    expect(await ledger(legacy.id)).toMatchObject({ capacity: 3, taken: 2, active: 2 });
  });

  it("is seeded for the demo events", async () => {
    const fresh = await createTestDatabase({ max: 2 });
    try {
      await seedDemoData(fresh.db);
      const rows = await queryRows<{ capacity_field: string | null; capacity: number; data_capacity: number }>(
        fresh.db,
        sql`select c.capacity_field, rc.capacity, (r.data ->> 'capacity')::int as data_capacity
              from collections c join records r on r.collection_id = c.id
              left join record_capacity rc on rc.record_id = r.id
             where c.slug = 'events'`,
      );
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        expect(row.capacity_field).toBe("capacity");
        expect(row.capacity).toBe(row.data_capacity);
      }
    } finally {
      await fresh.drop();
    }
  });
});
