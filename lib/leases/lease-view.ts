import type { LeaseEventAction } from "@/db/schema";
import { isoString, type UserRef } from "@/lib/records/record-view";

/** A record's edit lease as the API and the UI see it (DESIGN.md guarantee 6). */
export type LeaseView = {
  recordId: string;
  holder: UserRef;
  acquiredAt: string;
  /** The holder's last heartbeat: "active 20 s ago". */
  renewedAt: string;
  expiresAt: string;
  /** Decided by the database's clock, like every lease comparison. */
  expired: boolean;
  /** The database's clock when this was read: clients measure against it, not their own clock. */
  serverNow: string;
};

type Instant = Date | string;

/**
 * The one place a LeaseView is built: from a lease row (server), an acquire's answer, or a
 * "locked" refusal's holder (browser). Times become ISO strings here.
 */
export function leaseView(lease: {
  recordId: string;
  holder: UserRef;
  acquiredAt: Instant;
  renewedAt: Instant;
  expiresAt: Instant;
  expired: boolean;
  serverNow: Instant;
}): LeaseView {
  return {
    recordId: lease.recordId,
    holder: lease.holder,
    acquiredAt: isoString(lease.acquiredAt),
    renewedAt: isoString(lease.renewedAt),
    expiresAt: isoString(lease.expiresAt),
    expired: lease.expired,
    serverNow: isoString(lease.serverNow),
  };
}

/** A take-over or break: who did it, whose lease it was, when and why. */
export type LeaseEventView = {
  id: string;
  recordId: string;
  action: LeaseEventAction;
  actor: UserRef;
  previousHolder: UserRef | null;
  reason: string | null;
  at: string;
};

/**
 * The actor does not hold an unexpired lease on a record that needs one. `holder` is whoever
 * holds it now (null when nobody does); `lostTo` is the latest take-over or break of a lease
 * the actor held on this record, so a former holder can be told who took it and why.
 */
export type LockedError = {
  code: "locked";
  message: string;
  holder: UserRef | null;
  acquiredAt: string | null;
  renewedAt: string | null;
  expiresAt: string | null;
  expired: boolean;
  lostTo: LeaseEventView | null;
};

/** "Alice is editing this record (since 2026-…)": the same words for the form and the API. */
export function lockedMessage(
  lease: Pick<LeaseView, "holder" | "acquiredAt" | "expired"> | null,
  actorId: string | null = null,
): string {
  if (!lease) return "You do not hold the edit lock on this record. Open it for editing (acquire its lease) first.";
  if (lease.holder.id === actorId && !lease.expired) {
    return "You are editing this record in another tab or window. Continue there, or take over here.";
  }
  if (lease.holder.id === actorId) {
    return "Your edit lock on this record has expired. Renew it (open the record for editing again) to save.";
  }
  if (lease.expired) {
    return `${lease.holder.name}'s edit lock on this record has expired; take it over to edit.`;
  }
  return `${lease.holder.name} is editing this record (since ${lease.acquiredAt}).`;
}
