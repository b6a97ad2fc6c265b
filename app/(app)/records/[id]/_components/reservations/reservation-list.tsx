"use client";

import { RelativeTime } from "@/components/relative-time";
import type { ReservationView } from "@/lib/reservations/queries";
import { seatsWord } from "@/lib/reservations/seats";
import { cancellable } from "./reservations-state";

/** Who reserved what and when, newest first, with a Cancel button where this person may cancel. */
export function ReservationList({
  reservations,
  me,
  canReserve,
  isAdmin,
  cancelling,
  onCancel,
}: {
  reservations: ReservationView[];
  me: string;
  canReserve: boolean;
  isAdmin: boolean;
  /** The reservation being cancelled, if any. */
  cancelling: string | null;
  onCancel: (reservation: ReservationView) => void;
}) {
  if (reservations.length === 0) {
    return (
      <p className="muted" style={{ margin: 0 }}>
        No reservations yet.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table className="records" aria-label="Reservation list">
        <thead>
          <tr>
            <th scope="col">Who</th>
            <th scope="col">Seats</th>
            <th scope="col">When</th>
            <th scope="col">Status</th>
            {canReserve ? (
              <th scope="col">
                <span className="muted small">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {reservations.map((reservation) => {
            const mine = reservation.user.id === me;
            return (
              <tr key={reservation.id} className={reservation.cancelledAt ? "muted" : undefined}>
                <td>
                  {reservation.user.name}
                  {mine ? <span className="muted small"> (you)</span> : null}
                </td>
                <td>{reservation.seats}</td>
                <td>
                  <RelativeTime iso={reservation.at} />
                </td>
                <td>
                  {reservation.cancelledAt ? (
                    <span>
                      Cancelled{reservation.cancelledBy ? ` by ${reservation.cancelledBy.name}` : ""}{" "}
                      <RelativeTime iso={reservation.cancelledAt} />
                    </span>
                  ) : (
                    "Active"
                  )}
                </td>
                {canReserve ? (
                  <td>
                    {cancellable(reservation, me, canReserve, isAdmin) ? (
                      <button
                        type="button"
                        className="danger"
                        disabled={cancelling !== null}
                        aria-label={`Cancel ${mine ? "my" : `${reservation.user.name}'s`} reservation of ${seatsWord(reservation.seats)}`}
                        onClick={() => onCancel(reservation)}
                      >
                        {cancelling === reservation.id ? "Cancelling…" : "Cancel"}
                      </button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
