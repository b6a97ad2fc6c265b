"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { fetchRecord, fetchReservations } from "@/components/api-client";
import { callAction } from "@/components/call-action";
import { RelativeTime } from "@/components/relative-time";
import { failureMessage } from "@/lib/errors";
import { queryKeys } from "@/lib/query-keys";
import type { UserRef } from "@/lib/records/record-view";
import type { ReservationSummary, ReservationView } from "@/lib/reservations/queries";
import { insufficientCapacityMessage, MAX_SEATS_PER_REQUEST, seatsSchema, seatsWord } from "@/lib/reservations/seats";
import { cancelReservationAction, reserveSeatsAction } from "./actions";

type Notice = { kind: "ok" | "error"; message: string } | null;

const stat = { display: "flex", flexDirection: "column", gap: "0.1rem", minWidth: "7rem" } as const;
const statValue = { fontSize: "1.6rem", fontWeight: 700, lineHeight: 1.2, margin: 0 } as const;

/**
 * Seats of a record that takes reservations: taken / capacity / remaining, a "Reserve N seats"
 * control, and who reserved what and when. The counts come from the server after every
 * reservation, and every 10 s; the server decides every race (lib/reservations).
 */
export function ReservationsPanel({
  recordId,
  initialSummary,
  me,
  canReserve,
  isAdmin,
}: {
  recordId: string;
  initialSummary: ReservationSummary;
  me: UserRef;
  canReserve: boolean;
  isAdmin: boolean;
}) {
  const queryClient = useQueryClient();
  const key = queryKeys.reservations(recordId);
  const summary = useQuery({
    queryKey: key,
    queryFn: () => fetchReservations(recordId),
    initialData: initialSummary,
    refetchInterval: 10_000,
  });
  // A save of the record (say, a new capacity) moves its version: recount then. Observes the
  // editor's query without fetching it a second time.
  const record = useQuery({
    queryKey: queryKeys.record(recordId),
    queryFn: () => fetchRecord(recordId),
    enabled: false,
  });
  const version = record.data?.version;
  const seenVersion = useRef(version);
  useEffect(() => {
    if (version === seenVersion.current) return;
    seenVersion.current = version;
    void queryClient.invalidateQueries({ queryKey: queryKeys.reservations(recordId) });
  }, [version, queryClient, recordId]);

  const [seatsText, setSeatsText] = useState("1");
  const [seatsError, setSeatsError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  // Kept when an answer is lost, so "Reserve" again repeats the same request instead of booking twice.
  const requestId = useRef<string | null>(null);

  const { capacity, taken, remaining, reservations } = summary.data;
  const seats = seatsText.trim() === "" ? Number.NaN : Number(seatsText);
  const seatsValid = seatsSchema.safeParse(seats).success;

  function refresh(update?: (old: ReservationSummary) => ReservationSummary) {
    if (update) queryClient.setQueryData<ReservationSummary>(key, (old) => (old ? update(old) : old));
    void queryClient.invalidateQueries({ queryKey: key });
  }

  const reserveMutation = useMutation({
    mutationFn: (input: { recordId: string; seats: number; requestId: string }) =>
      callAction(reserveSeatsAction, input),
    onMutate: () => setNotice(null),
    onSuccess: (result) => {
      if (result.ok) {
        requestId.current = null;
        const { reservation } = result;
        setNotice({ kind: "ok", message: `Reserved ${seatsWord(reservation.seats)}.` });
        refresh((old) => ({
          ...old,
          taken: old.capacity - result.remaining,
          remaining: result.remaining,
          reservations: [reservation, ...old.reservations.filter((r) => r.id !== reservation.id)],
        }));
        return;
      }
      const { error } = result;
      // Unanswered: the request id is kept, so reserving again cannot book twice.
      if (result.retryable) {
        setNotice({ kind: "error", message: result.message });
        return;
      }
      requestId.current = null;
      switch (error.code) {
        case "insufficient_capacity":
          setNotice({ kind: "error", message: insufficientCapacityMessage(error.remaining) });
          refresh((old) => ({ ...old, remaining: error.remaining }));
          break;
        case "invalid":
          setSeatsError(error.fields.seats ?? Object.values(error.fields).join("; "));
          break;
        case "not_found":
          setNotice({ kind: "error", message: "This record no longer takes reservations." });
          break;
        case "idempotency_mismatch":
          setNotice({ kind: "error", message: "That request could not be matched; please reserve again." });
          break;
        default:
          setNotice({ kind: "error", message: result.message });
      }
    },
  });
  const reserving = reserveMutation.isPending;

  function reserve() {
    const parsed = seatsSchema.safeParse(seats);
    if (!parsed.success) {
      setSeatsError(parsed.error.issues[0]?.message ?? "Enter a number of seats");
      return;
    }
    requestId.current ??= crypto.randomUUID();
    reserveMutation.mutate({ recordId, seats: parsed.data, requestId: requestId.current });
  }

  const cancelMutation = useMutation({
    mutationFn: (reservation: ReservationView) =>
      callAction(cancelReservationAction, { recordId, reservationId: reservation.id }),
    onMutate: () => setNotice(null),
    onSuccess: (result) => {
      if (result.ok) {
        const cancelled = result.reservation;
        setNotice({ kind: "ok", message: `Cancelled: ${seatsWord(cancelled.seats)} returned.` });
        refresh((old) => ({
          ...old,
          taken: old.capacity - result.remaining,
          remaining: result.remaining,
          reservations: old.reservations.map((r) => (r.id === cancelled.id ? cancelled : r)),
        }));
        return;
      }
      setNotice({ kind: "error", message: failureMessage(result.error, "This reservation could not be cancelled.") });
      refresh();
    },
  });
  /** The reservation being cancelled, if any. */
  const cancelling = cancelMutation.isPending ? (cancelMutation.variables?.id ?? null) : null;

  return (
    <section className="panel stack" aria-labelledby="reservations-title">
      <h2 id="reservations-title" style={{ margin: 0 }}>
        Reservations
      </h2>

      <div className="row" style={{ gap: "2rem", alignItems: "flex-end" }}>
        <dl className="row" style={{ gap: "2rem", margin: 0 }}>
          <div style={stat}>
            <dt className="muted small">Seats taken</dt>
            <dd style={statValue} data-testid="seats-taken">
              {taken}
            </dd>
          </div>
          <div style={stat}>
            <dt className="muted small">Capacity</dt>
            <dd style={statValue} data-testid="seats-capacity">
              {capacity}
            </dd>
          </div>
          <div style={stat}>
            <dt className="muted small">Remaining</dt>
            <dd style={statValue} data-testid="seats-remaining">
              {remaining}
            </dd>
          </div>
        </dl>
        <meter
          aria-label="Seats taken"
          min={0}
          max={Math.max(capacity, 1)}
          value={taken}
          high={Math.max(capacity, 1) * 0.9}
          style={{ flex: "1 1 12rem", height: "1.1rem" }}
        >
          {taken} of {capacity}
        </meter>
      </div>

      {canReserve ? (
        <form
          aria-label="Reserve seats"
          className="row"
          style={{ alignItems: "flex-start" }}
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            reserve();
          }}
        >
          <div className="field" style={{ width: "8rem" }}>
            <label htmlFor="reserve-seats">Seats</label>
            <input
              id="reserve-seats"
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_SEATS_PER_REQUEST}
              step={1}
              value={seatsText}
              disabled={reserving}
              aria-invalid={seatsError ? true : undefined}
              aria-describedby={seatsError ? "reserve-seats-error" : "reserve-seats-hint"}
              onChange={(event) => {
                setSeatsText(event.target.value);
                setSeatsError(null);
                requestId.current = null; // a different request now
              }}
            />
            {seatsError ? (
              <span id="reserve-seats-error" className="field-error">
                {seatsError}
              </span>
            ) : (
              <span id="reserve-seats-hint" className="muted small" style={{ whiteSpace: "nowrap" }}>
                1–{MAX_SEATS_PER_REQUEST} per reservation
              </span>
            )}
          </div>
          <button type="submit" className="primary" disabled={reserving} style={{ marginTop: "1.55rem" }}>
            {reserving ? "Reserving…" : seatsValid ? `Reserve ${seatsWord(seats)}` : "Reserve"}
          </button>
        </form>
      ) : (
        <p className="muted small" style={{ margin: 0 }}>
          You can see the reservations; reserving seats needs the editor role.
        </p>
      )}

      {notice ? (
        <p
          className={`notice ${notice.kind}`}
          role={notice.kind === "error" ? "alert" : "status"}
          style={{ margin: 0 }}
        >
          {notice.message}
        </p>
      ) : null}

      {reservations.length === 0 ? (
        <p className="muted" style={{ margin: 0 }}>
          No reservations yet.
        </p>
      ) : (
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
                const mine = reservation.user.id === me.id;
                const cancellable = canReserve && !reservation.cancelledAt && (mine || isAdmin);
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
                        {cancellable ? (
                          <button
                            type="button"
                            className="danger"
                            disabled={cancelling !== null}
                            aria-label={`Cancel ${mine ? "my" : `${reservation.user.name}'s`} reservation of ${seatsWord(reservation.seats)}`}
                            onClick={() => cancelMutation.mutate(reservation)}
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
      )}
    </section>
  );
}
