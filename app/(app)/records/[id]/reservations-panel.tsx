"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { fetchRecord, fetchReservations } from "@/components/api-client";
import { callAction } from "@/components/call-action";
import { queryKeys } from "@/lib/query-keys";
import type { UserRef } from "@/lib/records/record-view";
import type { ReservationSummary, ReservationView } from "@/lib/reservations/queries";
import { ReservationList } from "./_components/reservations/reservation-list";
import {
  afterCancel,
  afterReserve,
  type Notice,
  parseSeats,
  type Transition,
} from "./_components/reservations/reservations-state";
import { ReserveForm } from "./_components/reservations/reserve-form";
import { cancelReservationAction, reserveSeatsAction } from "./actions";

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

  /** Apply an answer (reservations-state.ts): notice, field error, request id, cached counts. */
  function apply(next: Transition) {
    setNotice(next.notice);
    if (next.seatsError !== undefined) setSeatsError(next.seatsError);
    if (next.clearRequestId) requestId.current = null;
    const { update } = next;
    if (update) queryClient.setQueryData<ReservationSummary>(key, (old) => (old ? update(old) : old));
    if (next.refresh) void queryClient.invalidateQueries({ queryKey: key });
  }

  const reserveMutation = useMutation({
    mutationFn: (input: { recordId: string; seats: number; requestId: string }) =>
      callAction(reserveSeatsAction, input),
    onMutate: () => setNotice(null),
    onSuccess: (result) => apply(afterReserve(result)),
  });
  const reserving = reserveMutation.isPending;

  function reserve() {
    const parsed = parseSeats(seatsText);
    if (!parsed.ok) {
      setSeatsError(parsed.error);
      return;
    }
    requestId.current ??= crypto.randomUUID();
    reserveMutation.mutate({ recordId, seats: parsed.seats, requestId: requestId.current });
  }

  const cancelMutation = useMutation({
    mutationFn: (reservation: ReservationView) =>
      callAction(cancelReservationAction, { recordId, reservationId: reservation.id }),
    onMutate: () => setNotice(null),
    onSuccess: (result) => apply(afterCancel(result)),
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
        <ReserveForm
          seatsText={seatsText}
          seatsError={seatsError}
          reserving={reserving}
          onSeatsChange={(text) => {
            setSeatsText(text);
            setSeatsError(null);
            requestId.current = null; // a different request now
          }}
          onReserve={reserve}
        />
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

      <ReservationList
        reservations={reservations}
        me={me.id}
        canReserve={canReserve}
        isAdmin={isAdmin}
        cancelling={cancelling}
        onCancel={(reservation) => cancelMutation.mutate(reservation)}
      />
    </section>
  );
}
