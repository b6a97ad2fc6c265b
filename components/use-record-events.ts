"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { setPresenceEditingAction } from "@/app/(app)/records/[id]/actions";
import type { PresentUser } from "@/lib/presence";
import { queryKeys } from "@/lib/query-keys";

export type RecordEventsOptions = {
  /** A lease changed: the lease session looks at once (a take-over is noticed in a second). */
  onLease?: () => void;
  /** This tab has unsaved edits: others who have the record open see "editing". */
  editing?: boolean;
};

/**
 * Listens to the record's live events (`GET /api/records/:id/events`) and refetches what they
 * announce: a new version refreshes the record and its history (so "X saved a newer version"
 * shows within a second), a seat-counter change the reservations, and a lease change calls
 * `onLease`. It only invalidates queries: the form's frozen base (DESIGN.md guarantee 4) is
 * never touched. The queries' own polling stays as the fallback while the stream is down;
 * EventSource reconnects by itself.
 *
 * The open stream is also this tab's presence on the record. Returns everyone who has the
 * record open (this user included), and tells the server when this tab starts or stops having
 * unsaved edits; a reconnected stream is a new presence, told again.
 */
export function useRecordEvents(recordId: string, options: RecordEventsOptions = {}): PresentUser[] {
  const queryClient = useQueryClient();
  const onLeaseNow = useRef(options.onLease);
  onLeaseNow.current = options.onLease;
  const [presenceId, setPresenceId] = useState<string | null>(null);
  const [present, setPresent] = useState<PresentUser[]>([]);

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource(`/api/records/${encodeURIComponent(recordId)}/events`);
    const onReady = (event: MessageEvent<string>) => {
      const data = parse<{ presenceId?: unknown }>(event.data);
      setPresenceId(typeof data?.presenceId === "string" ? data.presenceId : null);
    };
    const onPresence = (event: MessageEvent<string>) => {
      const data = parse<{ users?: unknown }>(event.data);
      if (Array.isArray(data?.users)) setPresent(data.users as PresentUser[]);
    };
    const onRecord = () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.record(recordId), exact: true });
      void queryClient.invalidateQueries({ queryKey: queryKeys.revisions(recordId) });
    };
    const onReservations = () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.reservations(recordId) });
    };
    const onLease = () => onLeaseNow.current?.();
    // While the stream is down, who else is here is unknown: show nobody rather than old news.
    const onError = () => {
      setPresenceId(null);
      setPresent([]);
    };
    source.addEventListener("ready", onReady);
    source.addEventListener("presence", onPresence);
    source.addEventListener("record", onRecord);
    source.addEventListener("reservations", onReservations);
    source.addEventListener("lease", onLease);
    source.addEventListener("error", onError);
    return () => {
      source.removeEventListener("ready", onReady);
      source.removeEventListener("presence", onPresence);
      source.removeEventListener("record", onRecord);
      source.removeEventListener("reservations", onReservations);
      source.removeEventListener("lease", onLease);
      source.removeEventListener("error", onError);
      source.close();
    };
  }, [recordId, queryClient]);

  // A new presence starts as "not editing": say so only when that is not true, and every change after.
  const editing = options.editing ?? false;
  const told = useRef<{ presenceId: string; editing: boolean } | null>(null);
  useEffect(() => {
    if (!presenceId) return;
    const before = told.current?.presenceId === presenceId ? told.current.editing : false;
    if (before === editing) return;
    told.current = { presenceId, editing };
    void setPresenceEditingAction({ presenceId, editing }).catch(() => {
      // Only a courtesy to others; the next change tries again.
      if (told.current?.presenceId === presenceId) told.current = null;
    });
  }, [presenceId, editing]);

  return present;
}

function parse<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
