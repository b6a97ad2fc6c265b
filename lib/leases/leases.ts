import { type SQL, sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { EditMode, LeaseEventAction } from "@/db/schema";
import { type Actor, hasRole } from "@/lib/auth/actor";
import { leaseTtlSeconds } from "@/lib/env";
import { leaseTakenRow, notifyLeaseTaken } from "@/lib/notifications";
import { isUuid } from "@/lib/records/queries";
import { isoString, type UserRef } from "@/lib/records/record-view";
import { err, type Result } from "@/lib/result";
import { type LeaseEventView, type LeaseView, type LockedError, leaseView, lockedMessage } from "./lease-view";

/**
 * Pessimistic edit locks (DESIGN.md guarantee 6). A lease row per record is the lock: the
 * primary key admits one holder, and every decision (free? mine? expired?) is made by
 * PostgreSQL against its own clock (`now()`), never by JavaScript, so any number of app
 * instances agree. Only records of collections whose `edit_mode` is `lease` take leases.
 */

const EXPIRED_REASON = "The lease had expired.";

export type AcquireLeaseInput = {
  recordId: string;
  /** Take the lease from its holder: admins at any time (with a reason), anyone once it has expired. */
  takeover?: boolean;
  reason?: string | null;
  /** A heartbeat: only extend a lease the actor still holds; never take a free or expired one. */
  renew?: boolean;
  /**
   * The browser tab asking (a token it made). A live lease of this user held by another of
   * their tabs is then `locked` (naming this user) unless `takeover` moves it here. Null or
   * absent (the HTTP API): any lease of this user counts as the caller's.
   */
  tab?: string | null;
};

/**
 * `not_leased`: the record's collection is edited optimistically and takes no leases (the
 * HTTP API answers 409). Unknown and deleted records are `not_found`.
 */
export type LeaseTargetError = { code: "not_found" } | { code: "not_leased"; message: string };

export type AcquireLeaseError =
  | LeaseTargetError
  | LockedError
  | { code: "forbidden"; message: string }
  | { code: "invalid"; fields: Record<string, string> };

export type AcquireLeaseResult = Result<
  {
    lease: LeaseView;
    /** Set when this acquisition took the lease from someone else (recorded in lease_events). */
    tookOver: LeaseEventView | null;
  },
  AcquireLeaseError
>;

type LeaseRow = {
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

const LEASE_COLUMNS = sql`l.record_id, l.user_id, u.name as user_name, l.acquired_at, l.renewed_at, l.expires_at,
  l.expires_at <= now() as expired, now() as server_now, l.tab`;

/** The lease row `leases` is the caller's tab's: either side without a tab matches any tab. */
function sameTab(tab: string | null): SQL {
  return sql`(leases.tab is null or ${tab}::uuid is null or leases.tab = ${tab}::uuid)`;
}

function toLeaseView(row: LeaseRow): LeaseView {
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

type EventRow = {
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

const EVENT_COLUMNS = sql`e.id, e.record_id, e.action, e.actor_id, a.name as actor_name,
  e.previous_holder_id, p.name as previous_holder_name, e.reason, e.at`;
const EVENT_JOINS = sql`join users a on a.id = e.actor_id left join users p on p.id = e.previous_holder_id`;

function toEventView(row: EventRow): LeaseEventView {
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

/**
 * Why the actor may not write this record now, or null when they may: they hold its
 * unexpired lease. Saves call this to tell `locked` apart from a conflict; the write itself
 * is guarded by `leaseHeldCondition` in the same statement.
 */
export async function leaseRefusal(
  db: DbOrTx,
  actor: Pick<Actor, "id">,
  recordId: string,
): Promise<LockedError | null> {
  const lease = await getLease(db, recordId);
  if (lease && lease.holder.id === actor.id && !lease.expired) return null;
  return lockedError(db, actor, recordId, lease);
}

/**
 * For writes that need no lease of their own (a restore: a deleted record takes none), why the
 * actor may not write now: someone else holds an unexpired lease on it (taken in a race with
 * the delete, or before deletes released leases). Null when nobody else does. The write itself
 * is guarded by `leaseFreeCondition` in the same statement.
 */
export async function leaseHeldByOther(
  db: DbOrTx,
  actor: Pick<Actor, "id">,
  recordId: string,
): Promise<LockedError | null> {
  const lease = await getLease(db, recordId);
  if (!lease || lease.holder.id === actor.id || lease.expired) return null;
  return lockedError(db, actor, recordId, lease);
}

async function lockedError(
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

/**
 * The condition a write to `records` adds to its WHERE (see save-record.ts): the row's
 * collection takes no leases, or the actor holds an unexpired lease on it. It is part of the
 * compare-and-set statement itself, so a lease taken over between a check and the write
 * cannot slip through. FOR SHARE makes a take-over in progress wait for, or be waited on by,
 * this write; the lease row is then re-checked at its newest version.
 */
export function leaseHeldCondition(actorId: string, recordId: string): SQL {
  return sql`((select c.edit_mode from collections c where c.id = records.collection_id) <> 'lease'
    or exists (select 1 from leases l
                where l.record_id = ${recordId} and l.user_id = ${actorId} and l.expires_at > now()
                for share))`;
}

/**
 * The WHERE condition of a write that must not go past someone else's live lease (see
 * `leaseHeldByOther`): nobody but the actor holds an unexpired lease on the record, i.e.
 * `not exists (… l.user_id <> actor and l.expires_at > now())`. The lease row is selected by
 * record alone, FOR SHARE: a renewal or take-over in progress (even of a lease that looked
 * expired) finishes first, and the holder and expiry are then judged at its newest version.
 */
export function leaseFreeCondition(actorId: string, recordId: string): SQL {
  return sql`not coalesce((select l.user_id <> ${actorId} and l.expires_at > now()
                             from leases l where l.record_id = ${recordId} for share), false)`;
}

async function leaseTarget(
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

type Attempt =
  | { kind: "acquired"; lease: LeaseView; tookOver: LeaseEventView | null }
  | { kind: "refused"; error: AcquireLeaseError }
  | { kind: "locked" };

/**
 * Acquires or renews the actor's lease on a record. At most one person ever holds it: the
 * decision is the single `INSERT … ON CONFLICT … DO UPDATE … WHERE` below. A free record is
 * taken; the holder's own call renews; someone else's lease is replaced only once it has
 * expired, or by an admin taking it over with a reason. Replacing anyone's lease is recorded
 * in lease_events in the same transaction.
 */
export async function acquireLease(db: DbOrTx, actor: Actor, input: AcquireLeaseInput): Promise<AcquireLeaseResult> {
  const target = await leaseTarget(db, input.recordId, { deletedToo: false });
  if (target) return err(target);
  const tab = input.tab ?? null;
  if (input.renew) return renewLease(db, actor, input.recordId, tab);
  const reason = input.reason?.trim() || null;
  const ttl = leaseTtlSeconds();
  // A lease released between our failed upsert and the read of its holder: try again, a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const outcome = await db.transaction(async (tx): Promise<Attempt> => {
      // Lock the current lease row, if any: until we commit, nobody renews, releases or takes
      // it, so a take-over below names exactly whose lease it replaced. The lease row first,
      // then the record: saves and deletes lock in that order too (their WHERE reads the lease
      // FOR SHARE before the row is updated), so the two never wait for each other in a cycle.
      const [seen] = await queryRows<LeaseRow>(
        tx,
        sql`select ${LEASE_COLUMNS} from leases l join users u on u.id = l.user_id
             where l.record_id = ${input.recordId} for update of l`,
      );
      // Share-lock the record: a delete either committed before, and it is gone here, or waits
      // until this lease is in and then removes it with its own statement. (In a lease
      // collection a delete needs the deleter's lease, so it usually already waited above.)
      // No lease outlives its record.
      const [record] = await queryRows<{ live: boolean }>(
        tx,
        sql`select deleted_at is null as live from records where id = ${input.recordId} for share`,
      );
      if (!record?.live) return { kind: "refused", error: { code: "not_found" } };
      const other = seen && seen.user_id !== actor.id ? seen : null;
      const adminTakeover = Boolean(input.takeover && other && hasRole(actor, "admin"));
      if (input.takeover && other && !other.expired) {
        if (!adminTakeover) {
          return {
            kind: "refused",
            error: {
              code: "forbidden",
              message: `Only an admin can take over ${other.user_name}'s edit lock before it expires.`,
            },
          };
        }
        if (!reason) {
          return {
            kind: "refused",
            error: { code: "invalid", fields: { reason: `Say why you take over ${other.user_name}'s edit lock.` } },
          };
        }
      }
      // The decision, in one statement. Someone else's row is replaced only if it is still the
      // one we locked above (so the event below names the right person) and it has expired or
      // an admin takes it over. Zero rows back = somebody else holds it.
      const [row] = await queryRows<{
        acquired_at: string | Date;
        renewed_at: string | Date;
        expires_at: string | Date;
        server_now: string | Date;
      }>(
        tx,
        sql`insert into leases (record_id, user_id, acquired_at, renewed_at, expires_at, tab)
            values (${input.recordId}, ${actor.id}, now(), now(), now() + make_interval(secs => ${ttl}), ${tab}::uuid)
            on conflict (record_id) do update
               set user_id = excluded.user_id,
                   acquired_at = case when leases.user_id = excluded.user_id then leases.acquired_at else now() end,
                   renewed_at = now(),
                   expires_at = excluded.expires_at,
                   tab = excluded.tab
             -- This user's live lease in another of their tabs is theirs to move here only by
             -- "take over"; otherwise it stays, and the caller is told below.
             where (leases.user_id = excluded.user_id
                    and (${sameTab(tab)} or leases.expires_at <= now() or ${Boolean(input.takeover)}::boolean))
                or (leases.user_id = ${other?.user_id ?? null}::uuid
                    and (leases.expires_at <= now() or ${adminTakeover}::boolean))
            returning acquired_at, renewed_at, expires_at, now() as server_now`,
      );
      if (!row) return { kind: "locked" };
      const lease = leaseView({
        recordId: input.recordId,
        holder: { id: actor.id, name: actor.name },
        acquiredAt: row.acquired_at,
        renewedAt: row.renewed_at,
        expiresAt: row.expires_at,
        expired: false,
        serverNow: row.server_now,
      });
      if (!other) return { kind: "acquired", lease, tookOver: null };
      const [event] = await queryRows<{ id: string; at: string | Date }>(
        tx,
        sql`insert into lease_events (record_id, action, actor_id, previous_holder_id, reason)
            values (${input.recordId}, 'takeover', ${actor.id}, ${other.user_id}, ${reason ?? (other.expired ? EXPIRED_REASON : null)})
            returning id, at`,
      );
      if (!event) throw new Error("lease event insert returned no row");
      // The holder is told in this same transaction, followed or not.
      await notifyLeaseTaken(tx, {
        recordId: input.recordId,
        holderId: other.user_id,
        actor,
        how: "takeover",
        reason: reason ?? (other.expired ? EXPIRED_REASON : null),
      });
      return {
        kind: "acquired",
        lease,
        tookOver: {
          id: event.id,
          recordId: input.recordId,
          action: "takeover",
          actor: { id: actor.id, name: actor.name },
          previousHolder: { id: other.user_id, name: other.user_name },
          reason: reason ?? (other.expired ? EXPIRED_REASON : null),
          at: isoString(event.at),
        },
      };
    });
    if (outcome.kind === "acquired") return { ok: true, lease: outcome.lease, tookOver: outcome.tookOver };
    if (outcome.kind === "refused") return err(outcome.error);
    // Read after the upsert's transaction: a winner that committed meanwhile is seen here.
    const current = await getLease(db, input.recordId);
    // Released, or newly taken by someone we did not lock, in between: the next try sees it.
    if (!current) continue;
    if (current.holder.id === actor.id) {
      if (current.expired || input.takeover) continue;
      return err(await lockedError(db, actor, input.recordId, current)); // another tab of theirs
    }
    if (input.takeover && (current.expired || hasRole(actor, "admin"))) continue;
    if (input.takeover) {
      return err({
        code: "forbidden",
        message: `Only an admin can take over ${current.holder.name}'s edit lock before it expires.`,
      });
    }
    return err(await lockedError(db, actor, input.recordId, current));
  }
  return err(await lockedError(db, actor, input.recordId, await getLease(db, input.recordId)));
}

/**
 * A heartbeat extends only a lease the actor's tab still holds (expired or not, as long as
 * nobody, nor another of their tabs, took it).
 */
async function renewLease(db: DbOrTx, actor: Actor, recordId: string, tab: string | null): Promise<AcquireLeaseResult> {
  const [row] = await queryRows<LeaseRow>(
    db,
    sql`with renewed as (
          update leases set renewed_at = now(), expires_at = now() + make_interval(secs => ${leaseTtlSeconds()}),
                            tab = coalesce(${tab}::uuid, leases.tab)
           where record_id = ${recordId} and user_id = ${actor.id} and ${sameTab(tab)}
          returning *
        )
        select ${LEASE_COLUMNS} from renewed l join users u on u.id = l.user_id`,
  );
  if (row) return { ok: true, lease: toLeaseView(row), tookOver: null };
  return err(await lockedError(db, actor, recordId, await getLease(db, recordId)));
}

export type ReleaseLeaseError =
  | LeaseTargetError
  | { code: "forbidden"; message: string }
  | { code: "invalid"; fields: Record<string, string> };
export type ReleaseLeaseResult = Result<
  {
    /** False when there was no lease to release (releasing is idempotent). */
    released: boolean;
    /** Set when an admin broke someone else's lease (recorded in lease_events). */
    broke: LeaseEventView | null;
  },
  ReleaseLeaseError
>;

/**
 * Gives a lease up: its holder, or an admin, who thereby "breaks" someone else's lease (recorded
 * with the reason, in the same statement as the delete). Releasing a lease nobody holds is fine,
 * and so is a tab releasing what another tab of the same user holds: that lease stays.
 */
export async function releaseLease(
  db: DbOrTx,
  actor: Actor,
  input: { recordId: string; reason?: string | null; tab?: string | null },
): Promise<ReleaseLeaseResult> {
  const target = await leaseTarget(db, input.recordId, { deletedToo: true });
  if (target) return err(target);
  const reason = input.reason?.trim() || null;
  const isAdmin = hasRole(actor, "admin");
  const broken = leaseTakenRow({ recordId: input.recordId, holderId: actor.id, actor, how: "break", reason });
  const [row] = await queryRows<{
    user_id: string;
    user_name: string;
    event_id: string | null;
    event_at: string | Date | null;
  }>(
    db,
    sql`with released as (
          delete from leases
           where record_id = ${input.recordId}
             and ((user_id = ${actor.id} and ${sameTab(input.tab ?? null)})
                  -- Breaking someone else's lease takes a reason, checked here so a lease
                  -- that changed hands meanwhile is never broken without one.
                  or (user_id <> ${actor.id} and ${isAdmin}::boolean and ${reason}::text is not null))
          returning user_id
        ), event as (
          insert into lease_events (record_id, action, actor_id, previous_holder_id, reason)
          select ${input.recordId}, 'break', ${actor.id}, user_id, ${reason} from released where user_id <> ${actor.id}
          returning id, at
        ), told as (
          -- The holder whose lease was broken is told in the same statement (lib/notifications.ts).
          insert into notifications (user_id, kind, record_id, actor_id, message, fields, details)
          select user_id, 'lease_taken', ${input.recordId}, ${actor.id}, ${broken.message}, '[]'::jsonb,
                 ${JSON.stringify(broken.details)}::jsonb
            from released where user_id <> ${actor.id}
        )
        select r.user_id, u.name as user_name, e.id as event_id, e.at as event_at
          from released r join users u on u.id = r.user_id left join event e on true`,
  );
  if (row) {
    const broke: LeaseEventView | null =
      row.event_id && row.event_at
        ? {
            id: row.event_id,
            recordId: input.recordId,
            action: "break",
            actor: { id: actor.id, name: actor.name },
            previousHolder: { id: row.user_id, name: row.user_name },
            reason,
            at: isoString(row.event_at),
          }
        : null;
    return { ok: true, released: true, broke };
  }
  const current = await getLease(db, input.recordId);
  // Nobody holds it, or another tab of this user does (and keeps it).
  if (!current || current.holder.id === actor.id) return { ok: true, released: false, broke: null };
  if (isAdmin && !reason) {
    return err({ code: "invalid", fields: { reason: `Say why you break ${current.holder.name}'s edit lock.` } });
  }
  return err({
    code: "forbidden",
    message: `Only ${current.holder.name} or an admin can release this edit lock.`,
  });
}

export type LeaseListItem = LeaseView & {
  record: { id: string; title: string; deleted: boolean };
  collection: { slug: string; name: string };
};

function titleOf(value: unknown, fallback: string): string {
  return typeof value === "string" && value.trim() !== "" ? value : fallback;
}

/** Every lease, expired ones too, oldest first: the admin page's table. */
export async function listLeases(db: DbOrTx): Promise<LeaseListItem[]> {
  const rows = await queryRows<
    LeaseRow & { title: unknown; deleted: boolean; collection_slug: string; collection_name: string }
  >(
    db,
    sql`select ${LEASE_COLUMNS}, r.data -> (c.fields -> 0 ->> 'key') as title, r.deleted_at is not null as deleted,
               c.slug as collection_slug, c.name as collection_name
          from leases l
          join users u on u.id = l.user_id
          join records r on r.id = l.record_id
          join collections c on c.id = r.collection_id
         order by l.acquired_at, l.record_id`,
  );
  return rows.map((row) => ({
    ...toLeaseView(row),
    record: { id: row.record_id, title: titleOf(row.title, "Untitled record"), deleted: row.deleted },
    collection: { slug: row.collection_slug, name: row.collection_name },
  }));
}

export type LeaseEventListItem = LeaseEventView & { recordTitle: string; collection: { slug: string; name: string } };

/** The latest take-overs and breaks, newest first. */
export async function listLeaseEvents(db: DbOrTx, options: { limit?: number } = {}): Promise<LeaseEventListItem[]> {
  const rows = await queryRows<EventRow & { title: unknown; collection_slug: string; collection_name: string }>(
    db,
    sql`select ${EVENT_COLUMNS}, r.data -> (c.fields -> 0 ->> 'key') as title,
               c.slug as collection_slug, c.name as collection_name
          from lease_events e ${EVENT_JOINS}
          join records r on r.id = e.record_id
          join collections c on c.id = r.collection_id
         order by e.at desc, e.id
         limit ${options.limit ?? 50}`,
  );
  return rows.map((row) => ({
    ...toEventView(row),
    recordTitle: titleOf(row.title, "Untitled record"),
    collection: { slug: row.collection_slug, name: row.collection_name },
  }));
}
