import { describe, expect, it } from "vitest";
import type { ReservationSummary, ReservationView } from "@/lib/reservations/queries";
import { insufficientCapacityMessage } from "@/lib/reservations/seats";
import {
  afterCancel,
  afterReserve,
  type CancelOutcome,
  cancellable,
  parseSeats,
  type ReserveOutcome,
  reserveLabel,
  seatsOf,
} from "./reservations-state";

const ALICE = { id: "a", name: "Alice" };
const BOB = { id: "b", name: "Bob" };

function reservation(id: string, seats: number, user = ALICE, cancelledAt: string | null = null): ReservationView {
  return { id, seats, user, at: "2026-01-01T10:00:00.000Z", cancelledAt, cancelledBy: cancelledAt ? user : null };
}

const summary: ReservationSummary = { capacity: 10, taken: 3, remaining: 7, reservations: [reservation("r1", 3)] };

describe("the seats box", () => {
  it("reads empty or non-numeric text as no number", () => {
    expect(seatsOf(" ")).toBeNaN();
    expect(seatsOf("x")).toBeNaN();
    expect(seatsOf("4")).toBe(4);
  });

  it("labels the button with the seats when they are valid", () => {
    expect(reserveLabel("2", false)).toBe("Reserve 2 seats");
    expect(reserveLabel("", false)).toBe("Reserve");
    expect(reserveLabel("2", true)).toBe("Reserving…");
  });

  it("refuses a number of seats outside the limits with a message", () => {
    expect(parseSeats("3")).toEqual({ ok: true, seats: 3 });
    const refused = parseSeats("0");
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).not.toBe("");
  });
});

describe("after reserving", () => {
  it("adds the reservation, moves the counts and forgets the request id", () => {
    const next = afterReserve({ ok: true, reservation: reservation("r2", 2, BOB), remaining: 5 } as ReserveOutcome);
    expect(next.notice).toEqual({ kind: "ok", message: "Reserved 2 seats." });
    expect(next.clearRequestId).toBe(true);
    expect(next.refresh).toBe(true);
    const updated = next.update?.(summary);
    expect(updated).toMatchObject({ taken: 5, remaining: 5 });
    expect(updated?.reservations.map((r) => r.id)).toEqual(["r2", "r1"]);
  });

  it("keeps the request id when the answer was lost, so a retry cannot book twice", () => {
    const lost: ReserveOutcome = {
      ok: false,
      error: { code: "unreachable", message: "No answer" },
      message: "No answer",
      retryable: true,
    };
    const next = afterReserve(lost);
    expect(next).toMatchObject({ notice: { kind: "error", message: "No answer" }, clearRequestId: false });
    expect(next.update).toBeUndefined();
  });

  it("shows the seats left when there are too few", () => {
    const next = afterReserve({
      ok: false,
      error: { code: "insufficient_capacity", remaining: 1 },
      message: "",
      retryable: false,
    });
    expect(next.notice).toEqual({ kind: "error", message: insufficientCapacityMessage(1) });
    expect(next.update?.(summary).remaining).toBe(1);
    expect(next.refresh).toBe(true);
  });

  it("puts an invalid number under the seats box", () => {
    const next = afterReserve({
      ok: false,
      error: { code: "invalid", fields: { seats: "Too many" } },
      message: "",
      retryable: false,
    });
    expect(next).toMatchObject({ notice: null, seatsError: "Too many", clearRequestId: true, refresh: false });
  });
});

describe("after cancelling", () => {
  it("marks the reservation cancelled and returns the seats", () => {
    const cancelled = reservation("r1", 3, ALICE, "2026-01-01T11:00:00.000Z");
    const next = afterCancel({ ok: true, reservation: cancelled, remaining: 10 } as CancelOutcome);
    expect(next.notice).toEqual({ kind: "ok", message: "Cancelled: 3 seats returned." });
    expect(next.update?.(summary)).toMatchObject({ taken: 0, remaining: 10, reservations: [cancelled] });
  });

  it("refetches after a refusal", () => {
    const next = afterCancel({ ok: false, error: { code: "not_found" }, message: "", retryable: false });
    expect(next.notice?.kind).toBe("error");
    expect(next.refresh).toBe(true);
  });

  it("lets people cancel their own active reservations, and admins anyone's", () => {
    expect(cancellable(reservation("r1", 1, ALICE), ALICE.id, true, false)).toBe(true);
    expect(cancellable(reservation("r1", 1, BOB), ALICE.id, true, false)).toBe(false);
    expect(cancellable(reservation("r1", 1, BOB), ALICE.id, true, true)).toBe(true);
    expect(cancellable(reservation("r1", 1, ALICE, "2026-01-01T11:00:00.000Z"), ALICE.id, true, true)).toBe(false);
    expect(cancellable(reservation("r1", 1, ALICE), ALICE.id, false, true)).toBe(false);
  });
});
