"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { fetchLease } from "@/components/api-client";
import type { UserRef } from "@/lib/records/record-view";
import { acquireLeaseAction, releaseLeaseAction, takeOverLeaseAction } from "../../lease-actions";
import {
  INITIAL_LEASE_SNAPSHOT,
  type LeaseApi,
  type LeaseSession,
  type LeaseSnapshot,
  startLeaseSession,
} from "./lease-session";

export type { LeaseSnapshot, LeaseStatus } from "./lease-session";

export type UseLeaseOptions = {
  /** False: no lease at all (optimistic collections, or before the record is known). */
  enabled: boolean;
  /** Only show who holds the lease, never take it (viewers). */
  watchOnly?: boolean;
  /**
   * How often to look at the lease while someone else holds it, and to check ours (default 5 s):
   * the fallback; live lease events (`nudge`) make it look at once.
   */
  pollMs?: number;
};

export type UseLease = LeaseSnapshot & {
  /** Whoever holds the lease as last seen (this user while "held"); null when nobody does. */
  holder: UserRef | null;
  /** "Take over": admins at any time with a reason, anyone once it has expired. Resolves to success. */
  takeOver: (reason?: string) => Promise<boolean>;
  /** Try again to get the lease: after an error, or "Edit again" once a lost lease is free. */
  retry: () => void;
  /** The lease changed (a live event): look now, so a take-over is noticed at once. */
  nudge: () => void;
};

/** `tab`: this tab's own id, so another tab of the same user neither renews nor releases its lease. */
function leaseApi(recordId: string, tab: string): LeaseApi {
  return {
    acquire: (renew) => acquireLeaseAction({ recordId, tab, renew }),
    takeOver: (reason) => takeOverLeaseAction({ recordId, tab, reason }),
    release: () => releaseLeaseAction({ recordId, tab }),
    // A server action cannot outlive the page; a keepalive fetch can (same origin, so the
    // browser sends the Origin header the API checks for cookie-authenticated writes).
    releaseOnExit: () => {
      void fetch(`/api/records/${encodeURIComponent(recordId)}/lease?tab=${tab}`, {
        method: "DELETE",
        keepalive: true,
        credentials: "same-origin",
      }).catch(() => {});
    },
    read: () => fetchLease(recordId),
  };
}

/**
 * The edit lease of a record in a lease collection (DESIGN.md guarantee 6): acquired when the
 * form opens, renewed by a heartbeat (a third of the lease's length, by the server's clock),
 * released when the form closes, the page is left or the tab is closed. While someone else
 * holds it, it is watched; when ours is taken over, the status turns "lost".
 */
export function useLease(recordId: string, options: UseLeaseOptions): UseLease {
  const { enabled, watchOnly = false, pollMs = 5_000 } = options;
  const [snapshot, setSnapshot] = useState<LeaseSnapshot>(() => ({
    ...INITIAL_LEASE_SNAPSHOT,
    status: enabled && !watchOnly ? "acquiring" : "idle",
  }));
  const session = useRef<LeaseSession | null>(null);

  useEffect(() => {
    if (!enabled) {
      setSnapshot(INITIAL_LEASE_SNAPSHOT);
      return;
    }
    setSnapshot({ ...INITIAL_LEASE_SNAPSHOT, status: watchOnly ? "idle" : "acquiring" });
    const current = startLeaseSession(
      recordId,
      leaseApi(recordId, crypto.randomUUID()),
      (patch) => setSnapshot((previous) => ({ ...previous, ...patch })),
      { pollMs, watchOnly },
    );
    session.current = current;
    const onPageHide = () => current.suspend();
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) current.resume();
    };
    window.addEventListener("pagehide", onPageHide);
    window.addEventListener("pageshow", onPageShow);
    return () => {
      window.removeEventListener("pagehide", onPageHide);
      window.removeEventListener("pageshow", onPageShow);
      current.stop();
      if (session.current === current) session.current = null;
    };
  }, [recordId, enabled, watchOnly, pollMs]);

  const takeOver = useCallback(async (reason?: string) => (await session.current?.takeOver(reason)) ?? false, []);
  const retry = useCallback(() => session.current?.retry(), []);
  const nudge = useCallback(() => session.current?.nudge(), []);
  return { ...snapshot, holder: snapshot.lease?.holder ?? null, takeOver, retry, nudge };
}
