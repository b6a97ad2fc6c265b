import "server-only";
import { type SQL, sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { EditMode, LeaseEventAction } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { isUuid } from "@/lib/records/queries";
import { isoString, type UserRef } from "@/lib/records/record-view";
import { type LeaseEventView, type LeaseView, type LockedError, leaseView, lockedMessage } from "./lease-view";

/**
 * Reading leases. Pessimistic edit locks (DESIGN.md guarantee 6). A lease row per record is the lock: the
 * primary key admits one holder, and every decision (free? mine? expired?) is made by
 * PostgreSQL against its own clock (`now()`), never by JavaScript, so any number of app
 * instances agree. Only records of collections whose `edit_mode` is `lease` take leases.
 */

/**
 * `not_leased`: the record's collection is edited optimistically and takes no leases (the
 * HTTP API answers 409). Unknown and deleted records are `not_found`.
 */
export type LeaseTargetError = { code: "not_found" } | { code: "not_leased"; message: string };

export type LeaseRow = {
  record_id: string;
  user_id: string;
  user_name: string;
  acquired_at: string | Date;
  renewed_at: string | Date;
  expires_at: string | Date;
  expired: boolean;
  server_now: string | Date;
  tab: string | null;
};

export const LEASE_COLUMNS = sql`l.record_id, l.user_id, u.name as user_name, l.acquired_at, l.renewed_at, l.expires_at,
  l.expires_at <= now() as expired, now() as server_now, l.tab`;

/** The lease row `leases` is the caller's tab's: either side without a tab matches any tab. */
export function sameTab(tab: string | null): SQL {
  return sql`(leases.tab is null or ${tab}::uuid is null or leases.tab = ${tab}::uuid)`;
}

export function toLeaseView(row: LeaseRow): LeaseView {
  return leaseView({
    recordId: row.record_id,
    holder: { id: row.user_id, name: row.user_name },
    acquiredAt: row.acquired_at,
    renewedAt: row.renewed_at,
    expiresAt: row.expires_at,
    expired: row.expired,
    serverNow: row.server_now,
  });
}

/** Who holds a live (unexpired) lease on each of these records: the table's "Alice is editing". */
export async function liveLeaseHolders(db: DbOrTx, recordIds: readonly string[]): Promise<Map<string, UserRef>> {
  // Checked UUIDs, so one array literal (one parameter, one prepared statement for any count).
  const ids = recordIds.filter(isUuid);
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ record_id: string; user_id: string; user_name: string }>(
    db,
    sql`select l.record_id, l.user_id, u.name as user_name
          from leases l join users u on u.id = l.user_id
         where l.record_id = any(${`{${ids.join(",")}}`}::uuid[]) and l.expires_at > now()`,
  );
  return new Map(rows.map((row) => [row.record_id, { id: row.user_id, name: row.user_name }]));
}

/** The record's lease, expired or not; null when nobody holds one. */
export async function getLease(db: DbOrTx, recordId: string): Promise<LeaseView | null> {
  if (!isUuid(recordId)) return null;
  const [row] = await queryRows<LeaseRow>(
    db,
    sql`select ${LEASE_COLUMNS} from leases l join users u on u.id = l.user_id where l.record_id = ${recordId}`,
  );
  return row ? toLeaseView(row) : null;
}

export type EventRow = {
  id: string;
  record_id: string;
  action: LeaseEventAction;
  actor_id: string;
  actor_name: string;
  previous_holder_id: string | null;
  previous_holder_name: string | null;
  reason: string | null;
  at: string | Date;
};

export const EVENT_COLUMNS = sql`e.id, e.record_id, e.action, e.actor_id, a.name as actor_name,
  e.previous_holder_id, p.name as previous_holder_name, e.reason, e.at`;
export const EVENT_JOINS = sql`join users a on a.id = e.actor_id left join users p on p.id = e.previous_holder_id`;

export function toEventView(row: EventRow): LeaseEventView {
  return {
    id: row.id,
    recordId: row.record_id,
    action: row.action,
    actor: { id: row.actor_id, name: row.actor_name },
    previousHolder:
      row.previous_holder_id === null ? null : { id: row.previous_holder_id, name: row.previous_holder_name ?? "" },
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
  const [lost] = await queryRows<EventRow>(
    db,
    sql`select ${EVENT_COLUMNS} from lease_events e ${EVENT_JOINS}
         where e.record_id = ${recordId} and e.previous_holder_id = ${actor.id}
         order by e.at desc limit 1`,
  );
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
  if (!isUuid(recordId)) return { code: "not_found" };
  const [row] = await queryRows<{ edit_mode: EditMode; deleted: boolean; name: string }>(
    db,
    sql`select c.edit_mode, c.name, r.deleted_at is not null as deleted
          from records r join collections c on c.id = r.collection_id
         where r.id = ${recordId}`,
  );
  if (!row || (row.deleted && !options.deletedToo)) return { code: "not_found" };
  if (row.edit_mode !== "lease") {
    return {
      code: "not_leased",
      message: `${row.name} records are edited together and merged on save; they take no edit lock.`,
    };
  }
  return null;
}
