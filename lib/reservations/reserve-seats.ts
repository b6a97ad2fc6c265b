import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { collections, recordCapacity, records, reservations, users } from "@/db/schema";
import { rowsOf } from "@/db/table-rows";
import { type Actor, hasRole } from "@/lib/auth/actor";
import { isConstraintViolation } from "@/lib/database-errors";
import { err, type Result } from "@/lib/result";
import { capacitySql } from "./capacity";
import { findReservation, type ReservationView, reservationsWithNames, toReservationView } from "./queries";
import { seatsSchema } from "./seats";

/**
 * Reserving and cancelling seats (DESIGN.md guarantee 5). A version check would be the wrong
 * tool here: every buyer but one would have to retry. Instead each reservation locks the
 * record's counter row (`SELECT … FOR UPDATE`), checks the seats left while holding it, and
 * inserts and counts within the same transaction; the next buyer waits for the lock and then
 * sees the new count. The CHECK on `record_capacity` (0 ≤ taken ≤ capacity) backs it.
 */

export type ReserveSeatsInput = {
  recordId: string;
  /** Validated here too, so every caller gets the same answer. */
  seats: unknown;
  /** Client-made id: a repeated request returns the reservation it made the first time. */
  requestId?: string | null;
};

export type ReserveError =
  | { code: "not_found" }
  | { code: "invalid"; fields: Record<string, string> }
  | { code: "insufficient_capacity"; remaining: number }
  | { code: "idempotency_mismatch" };

export type ReserveResult = Result<
  { reservation: ReservationView; remaining: number; replayed: boolean },
  ReserveError
>;

export type CancelReservationInput = { recordId: string; reservationId: string };

export type CancelError = { code: "not_found" } | { code: "forbidden"; message: string };

export type CancelResult = Result<
  { reservation: ReservationView; remaining: number; alreadyCancelled: boolean },
  CancelError
>;

type Counter = { capacity: number; taken: number };

// The hot path's three statements are prepared (named): PostgreSQL parses and plans each once
// per connection instead of on every reservation, which is most of the difference to a raw-SQL
// baseline (see docs/benchmarks.md, "Reservations on one hot event").

const lockStatement = (tx: DbOrTx) =>
  tx
    .select({
      capacity: recordCapacity.capacity,
      taken: recordCapacity.taken,
      open: sql<boolean>`(${records.deletedAt} is null and ${collections.capacityField} is not null)`,
    })
    .from(recordCapacity)
    .innerJoin(records, eq(records.id, recordCapacity.recordId))
    .innerJoin(collections, eq(collections.id, records.collectionId))
    .where(eq(recordCapacity.recordId, sql.placeholder("recordId")))
    .for("update", { of: recordCapacity })
    .prepare("reservations_lock_counter");

const insertStatement = (tx: DbOrTx) =>
  tx
    .insert(reservations)
    .values({
      recordId: sql.placeholder("recordId"),
      userId: sql.placeholder("userId"),
      seats: sql.placeholder("seats"),
      requestId: sql.placeholder("requestId"),
    })
    .returning({ id: reservations.id, at: reservations.at })
    .prepare("reservations_insert");

/** Adds `delta` seats (negative returns them); the CHECK refuses a count outside 0…capacity. */
const countStatement = (tx: DbOrTx) =>
  tx
    .update(recordCapacity)
    .set({ taken: sql`${recordCapacity.taken} + ${sql.placeholder("delta")}::int` })
    .where(eq(recordCapacity.recordId, sql.placeholder("recordId")))
    .returning({ remaining: sql<number>`${recordCapacity.capacity} - ${recordCapacity.taken}` })
    .prepare("reservations_count");

/**
 * Locks the record's seat counter for the rest of the transaction and returns it; null when
 * the record is unknown, deleted, or in a collection that takes no reservations. Everything
 * that changes `taken` or `capacity` goes through this lock (saves via their upsert).
 */
async function lockCounter(tx: DbOrTx, recordId: string): Promise<Counter | null> {
  const lock = () => lockStatement(tx).execute({ recordId });
  let [counter] = await lock();
  if (!counter) {
    // A record from before its collection took reservations has no counter yet: create it from
    // the record's data. Locking the record row first means a save that changes the capacity
    // meanwhile is either seen here or waits and then updates this new row.
    await tx.execute(
      sql`insert into record_capacity (record_id, capacity)
          select r.id, ${capacitySql(sql`r.data`, sql`c.capacity_field`)}
            from records r join collections c on c.id = r.collection_id
           where r.id = ${recordId} and r.deleted_at is null and c.capacity_field is not null
             for update of r
          on conflict (record_id) do nothing`,
    );
    [counter] = await lock();
  }
  if (!counter?.open) return null;
  return { capacity: counter.capacity, taken: counter.taken };
}

export async function reserveSeats(db: DbOrTx, actor: Actor, input: ReserveSeatsInput): Promise<ReserveResult> {
  const parsed = seatsSchema.safeParse(input.seats);
  if (!parsed.success) {
    return err({ code: "invalid", fields: { seats: parsed.error.issues[0]?.message ?? "Invalid number of seats" } });
  }
  const seats = parsed.data;
  const requestId = input.requestId ?? null;
  if (requestId) {
    const replayed = await replay(db, actor, input.recordId, seats, requestId);
    if (replayed) return replayed;
  }
  try {
    return await db.transaction(async (tx): Promise<ReserveResult> => {
      const counter = await lockCounter(tx, input.recordId);
      if (!counter) return err({ code: "not_found" });
      const left = counter.capacity - counter.taken;
      if (seats > left) return err({ code: "insufficient_capacity", remaining: Math.max(left, 0) });
      const [reservation] = await insertStatement(tx).execute({
        recordId: input.recordId,
        userId: actor.id,
        seats,
        requestId,
      });
      const [after] = await countStatement(tx).execute({ recordId: input.recordId, delta: seats });
      if (!reservation || !after) throw new Error("reservation insert or count returned no row");
      return {
        ok: true,
        replayed: false,
        remaining: after.remaining,
        reservation: toReservationView({
          ...reservation,
          seats,
          user: { id: actor.id, name: actor.name },
          cancelledAt: null,
          cancelledById: null,
          cancelledByName: null,
        }),
      };
    });
  } catch (error) {
    // The same request id, sent twice at once: the other copy committed first.
    if (!(requestId && isConstraintViolation(error, "23505", "reservations_user_request_idx"))) throw error;
  }
  return (await replay(db, actor, input.recordId, seats, requestId)) ?? err({ code: "idempotency_mismatch" });
}

/** The first outcome of a repeated request, or null when this request id is new. */
async function replay(
  db: DbOrTx,
  actor: Actor,
  recordId: string,
  seats: number,
  requestId: string,
): Promise<ReserveResult | null> {
  const [row] = await reservationsWithNames(db, {
    remaining: sql<number | null>`${recordCapacity.capacity} - ${recordCapacity.taken}`,
  })
    .leftJoin(recordCapacity, eq(recordCapacity.recordId, reservations.recordId))
    .where(and(eq(reservations.userId, actor.id), eq(reservations.requestId, requestId)));
  if (!row) return null;
  if (row.recordId !== recordId || row.seats !== seats) return err({ code: "idempotency_mismatch" });
  return { ok: true, replayed: true, reservation: toReservationView(row), remaining: Math.max(row.remaining ?? 0, 0) };
}

/**
 * Cancels a reservation and returns its seats — once: the UPDATE only matches a reservation
 * that is not cancelled yet, under the counter's lock, so a second cancel (or two at once)
 * returns nothing more. People cancel their own reservations; admins cancel anyone's.
 */
export async function cancelReservation(
  db: DbOrTx,
  actor: Actor,
  input: CancelReservationInput,
): Promise<CancelResult> {
  const isAdmin = hasRole(actor, "admin");
  return db.transaction(async (tx): Promise<CancelResult> => {
    const counter = await lockCounter(tx, input.recordId);
    if (!counter) return err({ code: "not_found" });
    // With the owner's name in the same statement: an admin may cancel someone else's.
    const [cancelled] = await rowsOf(
      tx,
      sql`with res as (
            update reservations set cancelled_at = now(), cancelled_by = ${actor.id}
             where id = ${input.reservationId} and record_id = ${input.recordId} and cancelled_at is null
               and (user_id = ${actor.id} or ${isAdmin})
            returning id, seats, user_id, at, cancelled_at
          )
          select res.*, u.name as user_name from res join users u on u.id = res.user_id`,
      {
        id: reservations.id,
        seats: reservations.seats,
        user_id: reservations.userId,
        user_name: users.name,
        at: reservations.at,
        cancelled_at: reservations.cancelledAt,
      },
    );
    if (cancelled) {
      const [after] = await countStatement(tx).execute({ recordId: input.recordId, delta: -cancelled.seats });
      if (!after) throw new Error("seat count returned no row");
      return {
        ok: true,
        alreadyCancelled: false,
        reservation: toReservationView({
          ...cancelled,
          user: { id: cancelled.user_id, name: cancelled.user_name },
          cancelledAt: cancelled.cancelled_at,
          cancelledById: actor.id,
          cancelledByName: actor.name,
        }),
        remaining: Math.max(after.remaining, 0),
      };
    }
    const existing = await findReservation(tx, input.recordId, input.reservationId);
    if (!existing) return err({ code: "not_found" });
    if (existing.user.id !== actor.id && !isAdmin) {
      return err({ code: "forbidden", message: "You can cancel only your own reservations." });
    }
    return {
      ok: true,
      alreadyCancelled: true,
      reservation: existing,
      remaining: Math.max(counter.capacity - counter.taken, 0),
    };
  });
}
