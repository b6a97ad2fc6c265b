import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { RecordData } from "@/db/schema";
import { isUuid } from "@/lib/records/queries";
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

export type ReservationRow = {
  id: string;
  seats: number;
  user_id: string;
  user_name: string;
  at: string | Date;
  cancelled_at: string | Date | null;
  cancelled_by: string | null;
  cancelled_by_name: string | null;
};

export function toReservationView(row: ReservationRow): ReservationView {
  return {
    id: row.id,
    seats: row.seats,
    user: { id: row.user_id, name: row.user_name },
    at: isoString(row.at),
    cancelledAt: row.cancelled_at === null ? null : isoString(row.cancelled_at),
    cancelledBy: row.cancelled_by === null ? null : { id: row.cancelled_by, name: row.cancelled_by_name ?? "" },
  };
}

/** The columns of a ReservationRow, from a reservations row aliased `res`. */
export const reservationColumns = sql`res.id, res.seats, res.user_id, u.name as user_name, res.at,
  res.cancelled_at, res.cancelled_by, cu.name as cancelled_by_name`;
export const reservationJoins = sql`join users u on u.id = res.user_id left join users cu on cu.id = res.cancelled_by`;

export async function findReservation(
  db: DbOrTx,
  recordId: string,
  reservationId: string,
): Promise<ReservationView | null> {
  if (!isUuid(reservationId)) return null;
  const [row] = await queryRows<ReservationRow>(
    db,
    sql`select ${reservationColumns} from reservations res ${reservationJoins}
         where res.id = ${reservationId} and res.record_id = ${recordId}`,
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
  if (!isUuid(recordId)) return null;
  const limit = options.limit ?? DEFAULT_RESERVATION_LIMIT;
  return db.transaction(
    async (tx) => {
      const [record] = await queryRows<{
        deleted_at: string | Date | null;
        capacity_field: string | null;
        data: RecordData;
        capacity: number | null;
        taken: number | null;
      }>(
        tx,
        sql`select r.deleted_at, c.capacity_field, r.data, rc.capacity, rc.taken
              from records r
              join collections c on c.id = r.collection_id
              left join record_capacity rc on rc.record_id = r.id
             where r.id = ${recordId}`,
      );
      if (!record || record.deleted_at !== null || record.capacity_field === null) return null;
      // No counter row yet (a record from before its collection took reservations): nothing taken.
      const capacity = record.capacity ?? capacityOf(record.data, record.capacity_field);
      const taken = record.taken ?? 0;
      const rows = await queryRows<ReservationRow>(
        tx,
        sql`select ${reservationColumns} from reservations res ${reservationJoins}
             where res.record_id = ${recordId}
             order by res.at desc, res.id
             limit ${limit}`,
      );
      return { capacity, taken, remaining: Math.max(capacity - taken, 0), reservations: rows.map(toReservationView) };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}
