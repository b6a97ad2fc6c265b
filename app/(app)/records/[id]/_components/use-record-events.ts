"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { PresentUser } from "@/lib/presence";
import { queryKeys } from "@/lib/query-keys";
import { setPresenceEditingAction } from "../actions";

/** The stream's `access` event: the person's access ended (and why) or their role changed. */
export type AccessChange = { ended: true; reason: "deactivated" | "signed_out" } | { ended: false; role: string };
/** Window event carrying an AccessChange, for whatever on the page explains it. */
export const ACCESS_EVENT = "tandem:access";

export type RecordEventsOptions = {
  /** A lease changed: the lease session looks at once (a take-over is noticed in a second). */
  onLease?: () => void;
  /** This tab has unsaved edits: others who have the record open see "editing". */
  editing?: boolean;
  /** This user's id: their own entry in the presence list shows whether "editing" arrived. */
  me?: string;
  /**
   * The stream (re)connected, or a collection's schema changed (`slug`; every collection's
   * changes come): the editor checks whether its collection's fields changed.
   */
  onSchema?: (slug?: string) => void;
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
  const onSchemaNow = useRef(options.onSchema);
  onSchemaNow.current = options.onSchema;
  const [presenceId, setPresenceId] = useState<string | null>(null);
  const [present, setPresent] = useState<PresentUser[]>([]);

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource(`/api/records/${encodeURIComponent(recordId)}/events`);
    const onReady = (event: MessageEvent<string>) => {
      const data = parse<{ presenceId?: unknown }>(event.data);
      setPresenceId(typeof data?.presenceId === "string" ? data.presenceId : null);
      // A change made while the stream was down is not missed.
      onSchemaNow.current?.();
    };
    const onSchema = (event: MessageEvent<string>) => {
      const data = parse<{ slug?: unknown }>(event.data);
      if (typeof data?.slug === "string") onSchemaNow.current?.(data.slug);
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
    const onComment = () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.comments(recordId) });
    };
    const onLease = () => onLeaseNow.current?.();
    // This person's access changed (guarantee 12): the page says why (AccessNotice). A stream
    // the server ended for good is not reopened: it would only be refused.
    const onAccess = (event: MessageEvent<string>) => {
      const data = parse<AccessChange>(event.data);
      if (!data) return;
      window.dispatchEvent(new CustomEvent<AccessChange>(ACCESS_EVENT, { detail: data }));
      if (!data.ended) return;
      source.close();
      setPresenceId(null);
      setPresent([]);
    };
    // While the stream is down, who else is here is unknown: show nobody rather than old news.
    const onError = () => {
      setPresenceId(null);
      setPresent([]);
    };
    const listeners: [string, (event: MessageEvent<string>) => void][] = [
      ["ready", onReady],
      ["presence", onPresence],
      ["record", onRecord],
      ["reservations", onReservations],
      ["lease", onLease],
      ["access", onAccess],
      ["comment", onComment],
      ["schema", onSchema],
      ["error", onError],
    ];
    for (const [type, listener] of listeners) source.addEventListener(type, listener);
    return () => {
      for (const [type, listener] of listeners) source.removeEventListener(type, listener);
      source.close();
    };
  }, [recordId, queryClient]);

  // A new presence starts as "not editing": say so only when that is not true, and every change
  // after. If the server did not take it (an error, or the row had been dropped as stale and
  // came back as "not editing"), the next presence list shows it and it is said again.
  const editing = options.editing ?? false;
  const me = options.me;
  const told = useRef<{ presenceId: string; editing: boolean } | null>(null);
  useEffect(() => {
    if (!presenceId) return;
    const before = told.current?.presenceId === presenceId ? told.current.editing : false;
    // Each presence list (a new array) is a chance to notice that "editing" did not stick.
    const lost = editing && before && !present.some((user) => user.id === me && user.editing);
    if (before === editing && !lost) return;
    const sent = { presenceId, editing };
    told.current = sent;
    void setPresenceEditingAction(sent)
      .then((answer) => answer.ok && answer.updated)
      .catch(() => false)
      .then((taken) => {
        // Only a courtesy to others: forget it, so the next change or presence list says it again.
        if (!taken && told.current === sent) told.current = null;
      });
  }, [presenceId, editing, present, me]);

  return present;
}

function parse<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
