import { type ActionFailure, FAILURE_MESSAGES, failureMessage } from "@/lib/errors";
import type { AcquireLeaseError } from "@/lib/leases/acquire-lease";
import { type LeaseEventView, type LeaseView, type LockedError, leaseView } from "@/lib/leases/lease-view";

/**
 * The browser's side of an edit lease, without React: acquire when the form opens, renew
 * with a heartbeat, notice when someone else took it, watch while someone else holds it,
 * and let go when the form closes. The server decides everything; this only asks in time.
 */

export type LeaseStatus =
  /** Not enabled, or watching (`watchOnly`) a record that nobody holds. */
  | "idle"
  | "acquiring"
  /** This user holds the lease: the form is editable. */
  | "held"
  /** Someone else holds it (maybe expired: then "Take over"). The form is read-only. */
  | "held_by_other"
  /** This user held it and someone took it over or broke it: read-only, keep the edits as a draft. */
  | "lost"
  | "error";

export type LeaseSnapshot = {
  status: LeaseStatus;
  /** The lease as last seen: this user's while "held", the other holder's otherwise; null when free. */
  lease: LeaseView | null;
  /** Status "lost": who took the lease over or broke it, when and why (null if unknown). */
  lostTo: LeaseEventView | null;
  /** What went wrong last (status "error", a failed take-over, or a heartbeat that could not reach the server). */
  error: string | null;
  /** A take-over is in flight. */
  busy: boolean;
  /** Add to Date.now() to get the database's clock, which every lease time is measured by. */
  clockOffsetMs: number;
};

export const INITIAL_LEASE_SNAPSHOT: LeaseSnapshot = {
  status: "idle",
  lease: null,
  lostTo: null,
  error: null,
  busy: false,
  clockOffsetMs: 0,
};

export type LeaseAnswer = { ok: true; lease: LeaseView } | { ok: false; error: AcquireLeaseError | ActionFailure };

/** How the session talks to the server (server actions and the HTTP API in the app; fakes in tests). */
export type LeaseApi = {
  acquire: (renew: boolean) => Promise<LeaseAnswer>;
  takeOver: (reason: string | undefined) => Promise<LeaseAnswer>;
  release: () => Promise<unknown>;
  /** A release that outlives the page (pagehide): `fetch(…, {keepalive: true})`. */
  releaseOnExit: () => void;
  read: () => Promise<LeaseView | { holder: null }>;
};

export type LeaseSession = {
  takeOver: (reason?: string) => Promise<boolean>;
  /** Tries again to get the lease (after an error, or "Edit again" once a lost lease is free). */
  retry: () => void;
  /** The page is going away (pagehide): release at once, stop the heartbeat. */
  suspend: () => void;
  /** The page came back from the back/forward cache. */
  resume: () => void;
  /** The form closed: stop and release. */
  stop: () => void;
  /** The lease changed (a live event): look at it now rather than at the next poll. */
  nudge: () => void;
};

export type LeaseSessionOptions = {
  /** How often to look at the lease while someone else holds it, and to check ours is still ours. */
  pollMs: number;
  /** Only watch who holds the lease (viewers); never acquire it. */
  watchOnly: boolean;
  now?: () => number;
};

/** No answer at all: handled like `unavailable` (keep what we have, ask again soon). */
const UNREACHABLE: ActionFailure = { code: "unavailable", message: FAILURE_MESSAGES.unreachable };

export function leaseErrorMessage(error: AcquireLeaseError | ActionFailure): string {
  return failureMessage(error, error.code === "invalid" ? "Check the reason and try again." : undefined);
}

/** A LockedError's holder as a lease, until the next read brings the exact one. */
function leaseFromLocked(error: LockedError, recordId: string, serverNow: string): LeaseView | null {
  if (!error.holder || !error.acquiredAt || !error.renewedAt || !error.expiresAt) return null;
  const { holder, acquiredAt, renewedAt, expiresAt, expired } = error;
  return leaseView({ recordId, holder, acquiredAt, renewedAt, expiresAt, expired, serverNow });
}

export function startLeaseSession(
  recordId: string,
  api: LeaseApi,
  emit: (patch: Partial<LeaseSnapshot>) => void,
  options: LeaseSessionOptions,
): LeaseSession {
  const now = options.now ?? Date.now;
  let status: LeaseStatus = "idle";
  let held: LeaseView | null = null;
  let renewDue = 0;
  let clockOffsetMs = 0;
  let stopped = false;
  let suspended = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const set = (patch: Partial<LeaseSnapshot>) => {
    if (patch.status) status = patch.status;
    if (patch.clockOffsetMs !== undefined) clockOffsetMs = patch.clockOffsetMs;
    emit(patch);
  };
  const schedule = (ms: number, run: () => Promise<void>) => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), Math.max(0, ms));
  };
  const offsetOf = (lease: LeaseView) => Date.parse(lease.serverNow) - now();
  const serverNowIso = () => new Date(now() + clockOffsetMs).toISOString();

  async function ask<T>(request: () => Promise<T>): Promise<T | { ok: false; error: ActionFailure }> {
    try {
      return await request();
    } catch {
      return { ok: false, error: UNREACHABLE };
    }
  }

  function hold(lease: LeaseView) {
    held = lease;
    // Renew a third of the way through the lease, measured on the server's clock.
    const ttl = Date.parse(lease.expiresAt) - Date.parse(lease.serverNow);
    renewDue = now() + Math.max(1_000, ttl / 3);
    set({ status: "held", lease, lostTo: null, error: null, clockOffsetMs: offsetOf(lease) });
    schedule(Math.min(options.pollMs, renewDue - now()), check);
  }

  /** An answer that arrived after the form closed or the page left: give back what it got. */
  function returnLate(answer: LeaseAnswer | { ok: false }) {
    if (!answer.ok) return;
    if (suspended) api.releaseOnExit();
    else void api.release().catch(() => {});
  }

  function onAnswer(answer: LeaseAnswer, wasHolding: boolean) {
    if (stopped || suspended) return returnLate(answer);
    if (answer.ok) return hold(answer.lease);
    const { error } = answer;
    if (error.code === "locked") {
      if (wasHolding) {
        const mine = held;
        held = null;
        const lostTo = error.lostTo && mine && error.lostTo.at >= mine.acquiredAt ? error.lostTo : null;
        // Released elsewhere (through the API, or by a delete and restore) and taken by nobody: take it again.
        if (!lostTo && !error.holder) return void acquire();
        set({ status: "lost", lease: leaseFromLocked(error, recordId, serverNowIso()), lostTo, error: null });
        return void watch();
      }
      if (!error.holder) return schedule(options.pollMs, acquire);
      set({
        status: status === "lost" ? "lost" : "held_by_other",
        lease: leaseFromLocked(error, recordId, serverNowIso()),
        error: null,
      });
      return void watch();
    }
    if (error.code === "unavailable" || error.code === "internal") {
      // Maybe only the network: keep what we have and ask again soon.
      set({ error: error.message });
      if (wasHolding && held) return schedule(options.pollMs, renew);
      if (status === "acquiring" || status === "idle") set({ status: "error" });
      return schedule(options.pollMs, status === "held_by_other" || status === "lost" ? watch : acquire);
    }
    held = null;
    set({ status: "error", error: leaseErrorMessage(error) });
  }

  async function acquire(): Promise<void> {
    if (stopped || suspended) return;
    if (options.watchOnly) return watch();
    if (status !== "held_by_other" && status !== "lost") set({ status: "acquiring", error: null });
    onAnswer(await ask(() => api.acquire(false)), false);
  }

  async function renew(): Promise<void> {
    if (stopped || suspended) return;
    onAnswer(await ask(() => api.acquire(true)), true);
  }

  /** While holding: renew when due, and in between look whether someone took it (so the holder is told at once). */
  async function check(): Promise<void> {
    if (stopped || suspended || !held) return;
    if (now() >= renewDue) return renew();
    const seen = await ask(api.read);
    if (stopped || suspended || !held) return;
    // Renewed by anyone but this tab (someone else, or another tab of this user taking it):
    // the renewal gives the authoritative answer.
    const unchanged =
      "holder" in seen &&
      seen.holder?.id === held.holder.id &&
      "renewedAt" in seen &&
      seen.renewedAt === held.renewedAt &&
      !seen.expired;
    if ("holder" in seen && !unchanged) return renew();
    schedule(Math.min(options.pollMs, renewDue - now()), check);
  }

  /** While someone else holds it (or ours was lost): follow their lease; take a free one unless lost or watching. */
  async function watch(): Promise<void> {
    if (stopped || suspended) return;
    const seen = await ask(api.read);
    if (stopped || suspended) return;
    if ("ok" in seen) return schedule(options.pollMs, watch);
    if (seen.holder === null) {
      if (status === "held_by_other" && !options.watchOnly) return acquire();
      set({ lease: null, ...(options.watchOnly ? { status: "idle" as const } : {}) });
    } else {
      set({
        lease: seen,
        clockOffsetMs: offsetOf(seen),
        ...(options.watchOnly ? { status: "held_by_other" as const } : {}),
      });
    }
    schedule(options.pollMs, watch);
  }

  void acquire();

  return {
    async takeOver(reason) {
      if (stopped || suspended || options.watchOnly) return false;
      clearTimeout(timer);
      set({ busy: true, error: null });
      const answer = await ask(() => api.takeOver(reason?.trim() || undefined));
      if (stopped || suspended) {
        returnLate(answer);
        return false;
      }
      set({ busy: false });
      if (answer.ok) {
        hold(answer.lease);
        return true;
      }
      if (answer.error.code === "locked") onAnswer(answer, false);
      else {
        set({ error: leaseErrorMessage(answer.error) });
        schedule(options.pollMs, watch);
      }
      return false;
    },
    retry() {
      clearTimeout(timer);
      // A lost lease stays "lost" (its notice with it) until this user holds it again.
      void acquire();
    },
    suspend() {
      suspended = true;
      clearTimeout(timer);
      if (held) api.releaseOnExit();
      held = null;
    },
    resume() {
      if (!suspended || stopped) return;
      suspended = false;
      set({ status: "acquiring" });
      void acquire();
    },
    nudge() {
      if (stopped || suspended) return;
      if (status === "held" && held) schedule(0, check);
      else if (status === "held_by_other" || status === "lost" || (options.watchOnly && status === "idle")) {
        schedule(0, watch);
      }
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      if (held) void api.release().catch(() => {});
      held = null;
    },
  };
}
