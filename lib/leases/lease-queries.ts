import "server-only";
import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db/client";
import { collections, leaseEvents, leases, records, users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { isUuid } from "@/lib/ids";
import { isoString, type UserRef } from "@/lib/records/record-view";
import { type LeaseEventView, type LeaseView, type LockedError, leaseView, lockedMessage } from "./lease-view";

/**
 * Reading leases. Pessimistic edit locks (DESIGN.md guarantee 6): a lease row per record is the
 * lock. The primary key admits one holder, and every decision (free? mine? expired?) is made by
 * PostgreSQL against its own clock (`now()`), never by JavaScript, so any number of app
 * instances agree. Only records of collections whose `edit_mode` is `lease` take leases.
 */

/**
 * `not_leased`: the record's collection is edited optimistically and takes no leases (the
 * HTTP API answers 409). Unknown and deleted records are `not_found`.
 */
export type LeaseTargetError = { code: "not_found" } | { code: "not_leased"; message: string };

/** A lease as the domain reads it (times are Dates; `leaseView` makes its JSON), with its holder's tab. */
export const leaseColumns = {
  recordId: leases.recordId,
  holder: { id: leases.userId, name: users.name },
  acquiredAt: leases.acquiredAt,
  renewedAt: leases.renewedAt,
  expiresAt: leases.expiresAt,
  /** Decided by the database's clock, like every lease comparison. */
  expired: sql<boolean>`(${leases.expiresAt} <= now())`,
  serverNow: sql`now()`.mapWith(leases.renewedAt),
  tab: leases.tab,
};

/** The lease row is the caller's tab's: either side without a tab matches any tab. */
export function sameTab(tab: string | null): SQL {
  return sql`(${leases.tab} is null or ${tab}::uuid is null or ${leases.tab} = ${tab}::uuid)`;
}

/** Who holds a live (unexpired) lease on each of these records: the table's "Alice is editing". */
export async function liveLeaseHolders(db: DbOrTx, recordIds: readonly string[]): Promise<Map<string, UserRef>> {
  // Checked UUIDs, so one array literal (one parameter, one prepared statement for any count).
  const ids = recordIds.filter(isUuid);
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ recordId: leases.recordId, holder: { id: leases.userId, name: users.name } })
    .from(leases)
    .innerJoin(users, eq(users.id, leases.userId))
    .where(and(sql`${leases.recordId} = any(${`{${ids.join(",")}}`}::uuid[])`, sql`${leases.expiresAt} > now()`));
  return new Map(rows.map((row) => [row.recordId, row.holder]));
}

/** The record's lease, expired or not; null when nobody holds one. */
export async function getLease(db: DbOrTx, recordId: string): Promise<LeaseView | null> {
  const [row] = await db
    .select(leaseColumns)
    .from(leases)
    .innerJoin(users, eq(users.id, leases.userId))
    .where(eq(leases.recordId, recordId));
  return row ? leaseView(row) : null;
}

export const eventActor = alias(users, "event_actor");
export const previousHolder = alias(users, "previous_holder");

/** A take-over or break as the domain reads it; `toEventView` makes its JSON. */
export const eventColumns = {
  id: leaseEvents.id,
  recordId: leaseEvents.recordId,
  action: leaseEvents.action,
  actor: { id: leaseEvents.actorId, name: eventActor.name },
  previousHolderId: leaseEvents.previousHolderId,
  previousHolderName: previousHolder.name,
  reason: leaseEvents.reason,
  at: leaseEvents.at,
};

/** lease_events with the names of its actor and previous holder (for `eventColumns`). */
export function leaseEventsWithNames(db: DbOrTx) {
  return db
    .select(eventColumns)
    .from(leaseEvents)
    .innerJoin(eventActor, eq(eventActor.id, leaseEvents.actorId))
    .leftJoin(previousHolder, eq(previousHolder.id, leaseEvents.previousHolderId));
}

type EventRow = {
  id: string;
  recordId: string;
  action: LeaseEventView["action"];
  actor: UserRef;
  previousHolderId: string | null;
  previousHolderName: string | null;
  reason: string | null;
  at: Date;
};

export function toEventView(row: EventRow): LeaseEventView {
  return {
    id: row.id,
    recordId: row.recordId,
    action: row.action,
    actor: row.actor,
    previousHolder:
      row.previousHolderId === null ? null : { id: row.previousHolderId, name: row.previousHolderName ?? "" },
    reason: row.reason,
    at: isoString(row.at),
  };
}

export async function lockedError(
  db: DbOrTx,
  actor: Pick<Actor, "id">,
  recordId: string,
  lease: LeaseView | null,
): Promise<LockedError> {
  const [lost] = await leaseEventsWithNames(db)
    .where(and(eq(leaseEvents.recordId, recordId), eq(leaseEvents.previousHolderId, actor.id)))
    .orderBy(desc(leaseEvents.at))
    .limit(1);
  return {
    code: "locked",
    message: lockedMessage(lease, actor.id),
    holder: lease?.holder ?? null,
    acquiredAt: lease?.acquiredAt ?? null,
    renewedAt: lease?.renewedAt ?? null,
    expiresAt: lease?.expiresAt ?? null,
    expired: lease?.expired ?? false,
    lostTo: lost ? toEventView(lost) : null,
  };
}

export async function leaseTarget(
  db: DbOrTx,
  recordId: string,
  options: { deletedToo: boolean },
): Promise<LeaseTargetError | null> {
  const [row] = await db
    .select({ editMode: collections.editMode, name: collections.name, deletedAt: records.deletedAt })
    .from(records)
    .innerJoin(collections, eq(collections.id, records.collectionId))
    .where(eq(records.id, recordId));
  if (!row || (row.deletedAt !== null && !options.deletedToo)) return { code: "not_found" };
  if (row.editMode !== "lease") {
    return {
      code: "not_leased",
      message: `${row.name} records are edited together and merged on save; they take no edit lock.`,
    };
  }
  return null;
}
