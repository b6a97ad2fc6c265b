"use client";

import { type FormEvent, useEffect, useId, useState } from "react";
import type { LeaseEventView, LeaseView } from "@/lib/leases/lease-view";
import type { UseLease } from "./use-lease";

/** "10:02" in 24-hour time. */
export function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

/** "just now", "20 s ago", "3 min ago", "2 h ago". */
export function agoText(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  if (seconds < 2) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ago`;
}

/** The database's clock, ticking every second in this browser. */
function useServerNow(clockOffsetMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return now + clockOffsetMs;
}

export type LeaseBannerProps = {
  lease: Pick<UseLease, "status" | "lease" | "lostTo" | "error" | "busy" | "clockOffsetMs" | "takeOver" | "retry">;
  /** This user's id: a lease of theirs that this tab does not hold is held in another tab. */
  me: string;
  /** Admins may take over at any time, with a reason. */
  isAdmin: boolean;
  /** Viewers only watch: no take-over controls. Default true. */
  canEdit?: boolean;
};

/**
 * Who holds a record's edit lease and what this user can do about it: "Alice is editing —
 * since 10:02, active 20 s ago", "Take over" once it has expired (admins: any time, with a
 * reason), and the notice that one's own lease was taken over and the edits are kept.
 */
export function LeaseBanner({ lease: state, me, isAdmin, canEdit = true }: LeaseBannerProps) {
  const serverNow = useServerNow(state.clockOffsetMs);
  const elsewhere = state.lease?.holder.id === me ? state.lease : null;
  switch (state.status) {
    case "idle":
      return null;
    case "acquiring":
      return (
        <p className="muted small" role="status">
          Getting the edit lock…
        </p>
      );
    case "held":
      return (
        <div className={`notice ${state.error ? "warn" : "ok"} small`} role="status" data-testid="lease-banner">
          You are editing this record; others see it read-only until you close it.
          {state.error ? ` Your edit lock could not be renewed just now: ${state.error}` : null}
        </div>
      );
    case "error":
      return (
        <div className="notice error row" role="alert" data-testid="lease-banner">
          <span>The edit lock could not be taken: {state.error ?? "unknown error"}</span>
          <button type="button" onClick={state.retry}>
            Try again
          </button>
        </div>
      );
    case "held_by_other":
      if (elsewhere) {
        return (
          <section className="notice warn stack" role="status" aria-label="Edit lock" data-testid="lease-banner">
            <HolderLine lease={elsewhere} serverNow={serverNow} mine />
            <EditHereInstead state={state} note="This tab stays read-only meanwhile, so the two cannot clash." />
            {state.error ? <p role="alert">{state.error}</p> : null}
          </section>
        );
      }
      return (
        <section className="notice warn stack" role="status" aria-label="Edit lock" data-testid="lease-banner">
          {state.lease ? (
            <HolderLine lease={state.lease} serverNow={serverNow} />
          ) : (
            <span>Someone else is editing this record.</span>
          )}
          {canEdit && state.lease ? (
            <TakeOverControls state={state} lease={state.lease} isAdmin={isAdmin} serverNow={serverNow} />
          ) : null}
          {state.error ? <p role="alert">{state.error}</p> : null}
        </section>
      );
    case "lost":
      return (
        <section className="notice error stack" aria-label="Edit lock" data-testid="lease-banner">
          <p role="alert" style={{ margin: 0 }}>
            <strong>{elsewhere ? "You went on editing in another tab or window" : lostText(state.lostTo)}</strong> —
            your edits here are kept as a draft.
          </p>
          {elsewhere ? (
            <EditHereInstead state={state} note="They come back into the form when you edit here again." />
          ) : state.lease ? (
            <>
              <HolderLine lease={state.lease} serverNow={serverNow} />
              <TakeOverControls state={state} lease={state.lease} isAdmin={isAdmin} serverNow={serverNow} />
            </>
          ) : (
            <div className="row">
              <span>Nobody is editing it now.</span>
              <button type="button" onClick={state.retry} disabled={state.busy}>
                Edit again
              </button>
            </div>
          )}
          {state.error ? <p role="alert">{state.error}</p> : null}
        </section>
      );
  }
}

function lostText(event: LeaseEventView | null): string {
  if (!event) return "You no longer hold the editing lock on this record";
  const verb = event.action === "break" ? "released" : "taken over";
  return `Your editing lock was ${verb} by ${event.actor.name}${event.reason ? ` (${event.reason})` : ""}`;
}

function isExpired(lease: LeaseView, serverNow: number): boolean {
  return lease.expired || serverNow >= Date.parse(lease.expiresAt);
}

function HolderLine({ lease, serverNow, mine = false }: { lease: LeaseView; serverNow: number; mine?: boolean }) {
  const expired = isExpired(lease, serverNow);
  return (
    <p style={{ margin: 0 }} data-testid="lease-holder">
      <strong>
        {mine ? "You are editing this record in another tab or window" : `${lease.holder.name} is editing`}
      </strong>{" "}
      — since <time dateTime={lease.acquiredAt}>{clockTime(lease.acquiredAt)}</time>, active{" "}
      <time dateTime={lease.renewedAt}>{agoText(serverNow - Date.parse(lease.renewedAt))}</time>
      {expired ? (
        <>
          . Their edit lock expired{" "}
          <time dateTime={lease.expiresAt}>{agoText(serverNow - Date.parse(lease.expiresAt))}</time>.
        </>
      ) : (
        "."
      )}
    </p>
  );
}

/** Moves this user's lease from their other tab to this one (no reason needed, nothing recorded). */
function EditHereInstead({ state, note }: { state: LeaseBannerProps["lease"]; note: string }) {
  return (
    <div className="row">
      <button type="button" className="primary" onClick={() => void state.takeOver()} disabled={state.busy}>
        {state.busy ? "Taking over…" : "Edit here instead"}
      </button>
      <span className="muted small">{note}</span>
    </div>
  );
}

function TakeOverControls({
  state,
  lease,
  isAdmin,
  serverNow,
}: {
  state: LeaseBannerProps["lease"];
  lease: LeaseView;
  isAdmin: boolean;
  serverNow: number;
}) {
  const reasonId = useId();
  const [reason, setReason] = useState("");
  const expired = isExpired(lease, serverNow);

  if (!isAdmin && !expired) {
    return (
      <p className="muted small" style={{ margin: 0 }}>
        The form is read-only while {lease.holder.name} edits. If their edit lock expires (at{" "}
        {clockTime(lease.expiresAt)} unless renewed), you can take over.
      </p>
    );
  }
  if (!isAdmin) {
    return (
      <div className="row">
        <button type="button" className="primary" onClick={() => void state.takeOver()} disabled={state.busy}>
          {state.busy ? "Taking over…" : "Take over"}
        </button>
      </div>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void state.takeOver(reason).then((ok) => {
      if (ok) setReason("");
    });
  };
  return (
    <form className="row" onSubmit={submit}>
      <label htmlFor={reasonId}>Reason for taking over</label>
      <input
        id={reasonId}
        type="text"
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        required={!expired}
        maxLength={500}
        style={{ width: "auto", flex: 1, minWidth: "12rem" }}
      />
      <button type="submit" className="primary" disabled={state.busy || (!expired && reason.trim() === "")}>
        {state.busy ? "Taking over…" : "Take over"}
      </button>
    </form>
  );
}
