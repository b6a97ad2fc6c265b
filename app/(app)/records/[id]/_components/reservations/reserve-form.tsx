"use client";

import { MAX_SEATS_PER_REQUEST } from "@/lib/reservations/seats";
import { reserveLabel } from "./reservations-state";

/** The "Reserve N seats" form: the seats box with its hint or error, and the button. */
export function ReserveForm({
  seatsText,
  seatsError,
  reserving,
  onSeatsChange,
  onReserve,
}: {
  seatsText: string;
  seatsError: string | null;
  reserving: boolean;
  onSeatsChange: (text: string) => void;
  onReserve: () => void;
}) {
  return (
    <form
      aria-label="Reserve seats"
      className="row"
      style={{ alignItems: "flex-start" }}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onReserve();
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
          onChange={(event) => onSeatsChange(event.target.value)}
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
        {reserveLabel(seatsText, reserving)}
      </button>
    </form>
  );
}
