import type { Outcome } from "@/components/call-action";
import { failureMessage } from "@/lib/errors";
import type { ReservationSummary, ReservationView } from "@/lib/reservations/queries";
import { insufficientCapacityMessage, seatsSchema, seatsWord } from "@/lib/reservations/seats";
import type { cancelReservationAction, reserveSeatsAction } from "../../actions";

/**
 * The reservations panel's state and transitions, without React: what the seats box holds,
 * the notice under the form, and what an answer from the server does to the counts. The
 * server decides every race (lib/reservations); this only says what to show.
 */

export type Notice = { kind: "ok" | "error"; message: string } | null;

export type ReserveOutcome = Outcome<Awaited<ReturnType<typeof reserveSeatsAction>>>;
export type CancelOutcome = Outcome<Awaited<ReturnType<typeof cancelReservationAction>>>;

/** What an answer does: the notice, a field error, whether to forget the request id, and the cached counts. */
export type Transition = {
  notice: Notice;
  seatsError?: string;
  /** False while the answer is unknown: reserving again repeats the same request instead of booking twice. */
  clearRequestId: boolean;
  /** Update the cached summary before refetching it; undefined: leave it. */
  update?: (old: ReservationSummary) => ReservationSummary;
  /** Refetch the summary. */
  refresh: boolean;
};

/** The seats box as a number: NaN when empty or not a number. */
export function seatsOf(text: string): number {
  return text.trim() === "" ? Number.NaN : Number(text);
}

/** The reserve button's label. */
export function reserveLabel(text: string, reserving: boolean): string {
  if (reserving) return "Reserving…";
  const seats = seatsOf(text);
  return seatsSchema.safeParse(seats).success ? `Reserve ${seatsWord(seats)}` : "Reserve";
}

/** The seats to ask for, or the message to show under the box. */
export function parseSeats(text: string): { ok: true; seats: number } | { ok: false; error: string } {
  const parsed = seatsSchema.safeParse(seatsOf(text));
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]?.message ?? "Enter a number of seats" };
  return { ok: true, seats: parsed.data };
}

export function afterReserve(result: ReserveOutcome): Transition {
  if (result.ok) {
    const { reservation } = result;
    return {
      notice: { kind: "ok", message: `Reserved ${seatsWord(reservation.seats)}.` },
      clearRequestId: true,
      update: (old) => ({
        ...old,
        taken: old.capacity - result.remaining,
        remaining: result.remaining,
        reservations: [reservation, ...old.reservations.filter((r) => r.id !== reservation.id)],
      }),
      refresh: true,
    };
  }
  const { error } = result;
  // Unanswered: the request id is kept, so reserving again cannot book twice.
  if (result.retryable)
    return { notice: { kind: "error", message: result.message }, clearRequestId: false, refresh: false };
  const failed = (message: string): Transition => ({
    notice: { kind: "error", message },
    clearRequestId: true,
    refresh: false,
  });
  switch (error.code) {
    case "insufficient_capacity":
      return {
        ...failed(insufficientCapacityMessage(error.remaining)),
        update: (old) => ({ ...old, remaining: error.remaining }),
        refresh: true,
      };
    case "invalid":
      return {
        notice: null,
        seatsError: error.fields.seats ?? Object.values(error.fields).join("; "),
        clearRequestId: true,
        refresh: false,
      };
    case "not_found":
      return failed("This record no longer takes reservations.");
    case "idempotency_mismatch":
      return failed("That request could not be matched; please reserve again.");
    default:
      return failed(result.message);
  }
}

export function afterCancel(result: CancelOutcome): Transition {
  if (result.ok) {
    const cancelled = result.reservation;
    return {
      notice: { kind: "ok", message: `Cancelled: ${seatsWord(cancelled.seats)} returned.` },
      clearRequestId: false,
      update: (old) => ({
        ...old,
        taken: old.capacity - result.remaining,
        remaining: result.remaining,
        reservations: old.reservations.map((r) => (r.id === cancelled.id ? cancelled : r)),
      }),
      refresh: true,
    };
  }
  return {
    notice: { kind: "error", message: failureMessage(result.error, "This reservation could not be cancelled.") },
    clearRequestId: false,
    refresh: true,
  };
}

/** Whether this person may cancel the reservation: their own, or any as an admin. */
export function cancellable(reservation: ReservationView, me: string, canReserve: boolean, isAdmin: boolean): boolean {
  return canReserve && !reservation.cancelledAt && (reservation.user.id === me || isAdmin);
}
