import "server-only";
import { and, asc, desc, eq } from "drizzle-orm";
import { alias, type SelectedFields } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db/client";
import { collections, recordCapacity, records, reservations, users } from "@/db/schema";
import { isoString, type UserRef } from "@/lib/records/record-view";
import { capacityOf } from "./seats";

/** A reservation as the API and the UI see it: who, how many, when, and whether (by whom) cancelled. */
export type ReservationView = {
  id: string;
  seats: number;
  user: UserRef;
  at: string;
  cancelledAt: string | null;
  cancelledBy: UserRef | null;
};

export type ReservationSummary = {
  capacity: number;
  taken: number;
  remaining: number;
  /** Newest first. */
  reservations: ReservationView[];
};

const owner = alias(users, "owner");
const canceller = alias(users, "canceller");

/** A reservation as the domain reads it (times are Dates); `toReservationView` makes its JSON. */
export const reservationColumns = {
  id: reservations.id,
  recordId: reservations.recordId,
  seats: reservations.seats,
  user: { id: reservations.userId, name: owner.name },
  at: reservations.at,
  cancelledAt: reservations.cancelledAt,
  cancelledById: reservations.cancelledBy,
  cancelledByName: canceller.name,
};

type ReservationRow = Pick<typeof reservations.$inferSelect, "id" | "seats" | "at" | "cancelledAt"> & {
  user: UserRef;
  cancelledById: string | null;
  cancelledByName: string | null;
};

export function toReservationView(row: ReservationRow): ReservationView {
  return {
    id: row.id,
    seats: row.seats,
    user: row.user,
    at: isoString(row.at),
    cancelledAt: row.cancelledAt === null ? null : isoString(row.cancelledAt),
    cancelledBy: row.cancelledById === null ? null : { id: row.cancelledById, name: row.cancelledByName ?? "" },
  };
}

/** Reservations with their owner's and canceller's names (for `reservationColumns`), and `extra` columns. */
export function reservationsWithNames<F extends SelectedFields>(db: DbOrTx, extra: F) {
  return db
    .select({ ...reservationColumns, ...extra })
    .from(reservations)
    .innerJoin(owner, eq(owner.id, reservations.userId))
    .leftJoin(canceller, eq(canceller.id, reservations.cancelledBy));
}

export async function findReservation(
  db: DbOrTx,
  recordId: string,
  reservationId: string,
): Promise<ReservationView | null> {
  const [row] = await reservationsWithNames(db, {}).where(
    and(eq(reservations.id, reservationId), eq(reservations.recordId, recordId)),
  );
  return row ? toReservationView(row) : null;
}

export const DEFAULT_RESERVATION_LIMIT = 200;
export const MAX_RESERVATION_LIMIT = 1000;

/**
 * Seats taken, capacity and the newest reservations of a record that takes reservations;
 * null when the record is unknown, deleted, or in a collection without a capacity field.
 * One snapshot, so the counts and the list always agree.
 */
export async function getReservationSummary(
  db: DbOrTx,
  recordId: string,
  options: { limit?: number } = {},
): Promise<ReservationSummary | null> {
  const limit = options.limit ?? DEFAULT_RESERVATION_LIMIT;
  return db.transaction(
    async (tx) => {
      const [record] = await tx
        .select({
          deletedAt: records.deletedAt,
          capacityField: collections.capacityField,
          data: records.data,
          counter: { capacity: recordCapacity.capacity, taken: recordCapacity.taken },
        })
        .from(records)
        .innerJoin(collections, eq(collections.id, records.collectionId))
        .leftJoin(recordCapacity, eq(recordCapacity.recordId, records.id))
        .where(eq(records.id, recordId));
      if (!record || record.deletedAt !== null || record.capacityField === null) return null;
      // No counter row yet (a record from before its collection took reservations): nothing taken.
      const capacity = record.counter?.capacity ?? capacityOf(record.data, record.capacityField);
      const taken = record.counter?.taken ?? 0;
      const rows = await reservationsWithNames(tx, {})
        .where(eq(reservations.recordId, recordId))
        .orderBy(desc(reservations.at), asc(reservations.id))
        .limit(limit);
      return { capacity, taken, remaining: Math.max(capacity - taken, 0), reservations: rows.map(toReservationView) };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}
