"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { queryKeys } from "@/lib/query-keys";

/**
 * Listens to the record's live events (`GET /api/records/:id/events`) and refetches what they
 * announce: a new version refreshes the record and its history (so "X saved a newer version"
 * shows within a second), a seat-counter change the reservations, and a lease change calls
 * `onLease` (the lease session looks at once: a take-over is noticed in a second, not at the
 * next poll). It only invalidates queries:
 * the form's frozen base (DESIGN.md guarantee 4) is never touched. The queries' own polling
 * stays as the fallback while the stream is down; EventSource reconnects by itself.
 */
export function useRecordEvents(recordId: string, handlers: { onLease?: () => void } = {}): void {
  const queryClient = useQueryClient();
  const onLeaseNow = useRef(handlers.onLease);
  onLeaseNow.current = handlers.onLease;
  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource(`/api/records/${encodeURIComponent(recordId)}/events`);
    const onRecord = () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.record(recordId), exact: true });
      void queryClient.invalidateQueries({ queryKey: queryKeys.revisions(recordId) });
    };
    const onReservations = () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.reservations(recordId) });
    };
    const onLease = () => onLeaseNow.current?.();
    source.addEventListener("record", onRecord);
    source.addEventListener("reservations", onReservations);
    source.addEventListener("lease", onLease);
    return () => {
      source.removeEventListener("record", onRecord);
      source.removeEventListener("reservations", onReservations);
      source.removeEventListener("lease", onLease);
      source.close();
    };
  }, [recordId, queryClient]);
}
