// Scripts that reach this module (db:seed, bench, e2e/serve.ts) run with tsx --conditions=react-server.
import "server-only";
import { and, count, desc, eq, inArray, isNull, lt, ne, not, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db/client";
import {
  collections,
  type NotificationKind,
  notifications,
  type RecordData,
  type RevisionAction,
  records,
  revisions,
  type StoredValue,
  users,
} from "@/db/schema";
import { executeRows } from "@/db/table-rows";
import type { Actor } from "@/lib/auth/actor";
import type { UserRef } from "@/lib/records/record-view";
import { recordTitleSql } from "@/lib/records/title";

/**
 * Telling people about work that was replaced (DESIGN.md "History and notifications").
 * Every notification is inserted by the transaction of the write that causes it, so a write
 * that is refused or rolls back tells nobody, and one that commits cannot lose its notice.
 * One notification per person per write. People hear about records they follow (they created,
 * edited or commented on it, and did not unfollow: see lib/follows.ts), about mentions of
 * themselves, and always about their own edit lease.
 */

/** What replaced someone's values: an overwrite, a revert, a bulk edit, an import or an undo of a batch. */
export type ReplacingWrite = Extract<RevisionAction, "overwrite" | "revert"> | "bulk" | "import" | "undo";

/** The writes of saveRecord that tell the people whose values they replaced; plain updates and merges don't. */
export function notifiesReplacedWork(action: RevisionAction): action is "overwrite" | "revert" {
  return action === "overwrite" || action === "revert";
}

/** A person follows the record unless they chose to unfollow it (`follows.following = false`). */
function notUnfollowed(userColumn: SQL, recordId: string | SQL): SQL {
  return sql`not exists (select 1 from follows f where f.user_id = ${userColumn} and f.record_id = ${recordId} and not f.following)`;
}

const VERB: Record<ReplacingWrite, string> = {
  overwrite: "overwrote",
  revert: "restored an older version over",
  bulk: "bulk-edited over",
  import: "imported over",
  undo: "undid a batch over",
};

export type OverwrittenInput = {
  recordId: string;
  /** The record's version this write made. */
  version: number;
  actor: Pick<Actor, "id" | "name">;
  /** The keys whose values this write changed. */
  fieldsChanged: readonly string[];
  /** The record's values before this write. */
  previousData: RecordData;
  /** What kind of write it was (for the message); `overwrite` when absent. */
  cause?: ReplacingWrite;
  /** For a revert: the version it brought back. */
  revertedFrom?: number | null;
};

/**
 * For each field this write changed, the person who last set that field's current value (the
 * newest earlier revision that changed it) — if not the writer, and still following the record —
 * gets ONE `overwritten` notification naming all their fields, with theirs (`mine`, as they see
 * it) vs the new value (`theirs`) and the record's version. Call it inside the write's
 * transaction, after the write (bulk edits and imports call it per record they wrote). Returns
 * the ids of the people notified.
 */
export async function notifyOverwritten(tx: DbOrTx, input: OverwrittenInput): Promise<string[]> {
  if (input.fieldsChanged.length === 0) return [];
  const keys = JSON.stringify(input.fieldsChanged);
  // Per changed field, the newest earlier revision that changed it; then per person their fields.
  // Hand-written: the lateral key list and DISTINCT ON are this query.
  const found = await executeRows(
    tx,
    sql`with last_setters as (
          select distinct on (k.key) k.key, v.user_id
            from revisions v cross join lateral jsonb_object_keys(v.changes) as k(key)
           where v.record_id = ${input.recordId} and v.version < ${input.version}
             and ${keys}::jsonb ? k.key
           order by k.key, v.version desc
        )
        select l.user_id, array_agg(l.key order by l.key) as fields
          from last_setters l join users u on u.id = l.user_id
         where l.user_id <> ${input.actor.id} and u.active and ${notUnfollowed(sql`l.user_id`, input.recordId)}
         group by l.user_id
         order by l.user_id`,
  );
  const setters = found.map((row) => ({
    userId: String(row.user_id),
    fields: Array.isArray(row.fields) ? row.fields.map(String) : [],
  }));
  if (setters.length === 0) return [];
  const [record] = await tx
    .select({ data: records.data, fields: collections.fields })
    .from(records)
    .innerJoin(collections, eq(collections.id, records.collectionId))
    .where(eq(records.id, input.recordId));
  const next = record?.data ?? {};
  const label = (key: string) => record?.fields.find((f) => f.key === key)?.label ?? key;
  const cause = input.cause ?? "overwrite";
  const rows = setters.map((setter) => {
    const values: Record<string, { mine: StoredValue | null; theirs: StoredValue | null }> = {};
    for (const key of setter.fields) {
      values[key] = { mine: input.previousData[key] ?? null, theirs: next[key] ?? null };
    }
    return {
      userId: setter.userId,
      kind: "overwritten" as const,
      recordId: input.recordId,
      actorId: input.actor.id,
      message: `${input.actor.name} ${VERB[cause]} your ${setter.fields.map(label).join(", ")}`,
      fields: setter.fields,
      details: {
        version: input.version,
        cause,
        revertedFrom: input.revertedFrom ?? null,
        values,
        labels: Object.fromEntries(setter.fields.map((key) => [key, label(key)])),
      },
    };
  });
  await tx.insert(notifications).values(rows);
  return rows.map((row) => row.userId);
}

export type RestoredInput = {
  recordId: string;
  version: number;
  actor: Pick<Actor, "id" | "name">;
  revertedFrom: number;
  /** People this write already told (`overwritten`): one notification per person per write. */
  alreadyTold: readonly string[];
};

/** A revert tells everyone else who edited the record (and still follows it): `restored`. */
export async function notifyRestored(tx: DbOrTx, input: RestoredInput): Promise<string[]> {
  const editors = await tx
    .selectDistinct({ userId: revisions.userId })
    .from(revisions)
    .innerJoin(users, eq(users.id, revisions.userId))
    .where(
      and(
        eq(revisions.recordId, input.recordId),
        lt(revisions.version, input.version),
        ne(revisions.userId, input.actor.id),
        eq(users.active, true),
        input.alreadyTold.length > 0 ? not(inArray(revisions.userId, [...input.alreadyTold])) : undefined,
        notUnfollowed(sql`${revisions.userId}`, input.recordId),
      ),
    )
    .orderBy(revisions.userId);
  if (editors.length === 0) return [];
  await tx.insert(notifications).values(
    editors.map((editor) => ({
      userId: editor.userId,
      kind: "restored" as const,
      recordId: input.recordId,
      actorId: input.actor.id,
      message: `${input.actor.name} restored version ${input.revertedFrom} of a record you edited`,
      fields: [],
      details: { version: input.version, revertedFrom: input.revertedFrom },
    })),
  );
  return editors.map((editor) => editor.userId);
}

/** What saveRecord calls in the transaction of an overwrite or revert that was accepted. */
export async function notifyReplacedWork(
  tx: DbOrTx,
  write: {
    record: { id: string };
    version: number;
    actor: Pick<Actor, "id" | "name">;
    action: RevisionAction;
    changes: Record<string, unknown>;
    previousData: RecordData;
    revertedFrom: number | null;
  },
): Promise<void> {
  if (!notifiesReplacedWork(write.action)) return;
  const told = await notifyOverwritten(tx, {
    recordId: write.record.id,
    version: write.version,
    actor: write.actor,
    fieldsChanged: Object.keys(write.changes),
    previousData: write.previousData,
    cause: write.action,
    revertedFrom: write.revertedFrom,
  });
  if (write.action === "revert" && write.revertedFrom !== null) {
    await notifyRestored(tx, {
      recordId: write.record.id,
      version: write.version,
      actor: write.actor,
      revertedFrom: write.revertedFrom,
      alreadyTold: told,
    });
  }
}

export type BatchWritesInput = {
  batchId: string;
  collectionId: string;
  actor: Pick<Actor, "id" | "name">;
  cause: Extract<ReplacingWrite, "bulk" | "import" | "undo">;
};

/**
 * The notifications of a whole batch (bulk edit, import or undo), set-based: one statement for
 * all the revisions the batch wrote, whatever their number. The same rules as a single write
 * (notifyOverwritten, notifyRestored): for each record written and each field it changed, the
 * person who last set that field before this write (not the writer, active, not unfollowed) gets
 * ONE `overwritten` per record naming all their fields, with the values before (`mine`) and
 * after (`theirs`); for a revert (an undo), everyone else who edited the record and was not just
 * told gets `restored`. Creations replace nothing. Call it in the batch's transaction, after its
 * writes. Returns how many notifications of each kind it inserted.
 */
export async function notifyBatchWrites(
  tx: DbOrTx,
  input: BatchWritesInput,
): Promise<{ overwritten: number; restored: number }> {
  const { actor, batchId, cause } = input;
  const [row] = await executeRows(
    tx,
    sql`with written as (
          select v.record_id, v.version, v.action, v.changes, v.reverted_from
            from revisions v
           where v.batch_id = ${batchId} and v.action <> 'create'
        ),
        labels as (
          select f->>'key' as key, coalesce(f->>'label', f->>'key') as label
            from collections c cross join lateral jsonb_array_elements(c.fields) as f
           where c.id = ${input.collectionId}
        ),
        last_setters as (
          select w.record_id, w.version, k.key, s.user_id
            from written w
            cross join lateral jsonb_object_keys(w.changes) as k(key)
            cross join lateral (select p.user_id from revisions p
                                 where p.record_id = w.record_id and p.version < w.version and p.changes ? k.key
                                 order by p.version desc limit 1) s
        ),
        setters as (
          select l.record_id, l.version, l.user_id, array_agg(l.key order by l.key) as keys
            from last_setters l join users u on u.id = l.user_id
           where l.user_id <> ${actor.id} and u.active
             and ${notUnfollowed(sql`l.user_id`, sql`l.record_id`)}
           group by l.record_id, l.version, l.user_id
        ),
        told as (
          insert into notifications (user_id, kind, record_id, actor_id, message, fields, details)
          select s.user_id, 'overwritten', s.record_id, ${actor.id},
                 ${`${actor.name} ${VERB[cause]} your `} || n.names,
                 to_jsonb(s.keys),
                 jsonb_build_object(
                   'version', s.version, 'cause', ${cause}::text, 'batchId', ${batchId}::text,
                   'revertedFrom', w.reverted_from, 'values', n.vals, 'labels', n.labels)
            from setters s
            join written w on w.record_id = s.record_id and w.version = s.version
            cross join lateral (
              select string_agg(coalesce(lb.label, x.key), ', ' order by x.ord) as names,
                     jsonb_object_agg(x.key, jsonb_build_object(
                       'mine', coalesce(w.changes->x.key->'from', 'null'::jsonb),
                       'theirs', coalesce(w.changes->x.key->'to', 'null'::jsonb))) as vals,
                     jsonb_object_agg(x.key, coalesce(lb.label, x.key)) as labels
                from unnest(s.keys) with ordinality as x(key, ord)
                left join labels lb on lb.key = x.key
            ) n
          returning 1
        ),
        editors as (
          select distinct w.record_id, w.version, w.reverted_from, p.user_id
            from written w
            join revisions p on p.record_id = w.record_id and p.version < w.version
            join users u on u.id = p.user_id
           where w.action = 'revert' and w.reverted_from is not null
             and p.user_id <> ${actor.id} and u.active
             and ${notUnfollowed(sql`p.user_id`, sql`w.record_id`)}
             and not exists (select 1 from setters s
                              where s.record_id = w.record_id and s.version = w.version and s.user_id = p.user_id)
        ),
        restored as (
          insert into notifications (user_id, kind, record_id, actor_id, message, fields, details)
          select e.user_id, 'restored', e.record_id, ${actor.id},
                 ${`${actor.name} undid a batch on a record you edited (back to version `} || e.reverted_from || ')',
                 '[]'::jsonb,
                 jsonb_build_object('version', e.version, 'revertedFrom', e.reverted_from,
                                    'cause', ${cause}::text, 'batchId', ${batchId}::text)
            from editors e
          returning 1
        )
        select (select count(*)::int from told) as overwritten, (select count(*)::int from restored) as restored`,
  );
  return { overwritten: Number(row?.overwritten ?? 0), restored: Number(row?.restored ?? 0) };
}

/** `lease_taken`: always reaches the holder, followed or not. Call it in the take-over's or break's transaction. */
export async function notifyLeaseTaken(
  tx: DbOrTx,
  input: {
    recordId: string;
    holderId: string;
    actor: Pick<Actor, "id" | "name">;
    how: "takeover" | "break";
    reason: string | null;
  },
): Promise<void> {
  await tx.insert(notifications).values(leaseTakenRow(input));
}

export function leaseTakenRow(input: {
  recordId: string;
  holderId: string;
  actor: Pick<Actor, "id" | "name">;
  how: "takeover" | "break";
  reason: string | null;
}) {
  const verb = input.how === "takeover" ? "took over" : "broke";
  return {
    userId: input.holderId,
    kind: "lease_taken" as const,
    recordId: input.recordId,
    actorId: input.actor.id,
    message: `${input.actor.name} ${verb} your edit lock${input.reason ? ` (${input.reason})` : ""}; your unsaved edits are kept in this browser`,
    fields: [],
    details: { how: input.how, reason: input.reason },
  };
}

/** `mention`: someone named these people in a comment. */
export async function notifyMentioned(
  tx: DbOrTx,
  input: { recordId: string; commentId: string; actor: Pick<Actor, "id" | "name">; userIds: readonly string[] },
): Promise<void> {
  const others = input.userIds.filter((id) => id !== input.actor.id);
  if (others.length === 0) return;
  await tx.insert(notifications).values(
    others.map((userId) => ({
      userId,
      kind: "mention" as const,
      recordId: input.recordId,
      actorId: input.actor.id,
      message: `${input.actor.name} mentioned you in a comment`,
      fields: [],
      details: { commentId: input.commentId },
    })),
  );
}

export type NotificationView = {
  id: string;
  kind: NotificationKind;
  at: string;
  recordId: string | null;
  recordTitle: string | null;
  by: UserRef | null;
  message: string;
  fields: string[];
  read: boolean;
  details: Record<string, unknown>;
};

/** A person's notifications, newest first, with how many are unread. */
export async function listNotifications(
  db: DbOrTx,
  userId: string,
  options: { unreadOnly?: boolean; limit?: number } = {},
): Promise<{ items: NotificationView[]; unread: number }> {
  const actor = alias(users, "actor");
  const rows = await db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      at: notifications.at,
      recordId: notifications.recordId,
      title: sql<string | null>`${recordTitleSql(sql`${records}`, sql`${collections}`)}`,
      by: { id: actor.id, name: actor.name },
      message: notifications.message,
      fields: notifications.fields,
      readAt: notifications.readAt,
      details: notifications.details,
    })
    .from(notifications)
    .leftJoin(actor, eq(actor.id, notifications.actorId))
    .leftJoin(records, eq(records.id, notifications.recordId))
    .leftJoin(collections, eq(collections.id, records.collectionId))
    .where(and(eq(notifications.userId, userId), options.unreadOnly ? isNull(notifications.readAt) : undefined))
    .orderBy(desc(notifications.at), desc(notifications.id))
    .limit(options.limit ?? 100);
  return {
    items: rows.map(({ readAt, title, ...row }) => ({
      ...row,
      at: row.at.toISOString(),
      recordTitle: row.recordId ? (title ?? "Untitled record") : null,
      read: readAt !== null,
    })),
    unread: await unreadCount(db, userId),
  };
}

export async function unreadCount(db: DbOrTx, userId: string): Promise<number> {
  const [row] = await db
    .select({ unread: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return row?.unread ?? 0;
}

/** Marks the person's own notifications read: these ids (others' ids are ignored), or all of them. */
export async function markNotificationsRead(
  db: DbOrTx,
  userId: string,
  which: { ids: readonly string[] } | { all: true },
): Promise<number> {
  const mine = and(eq(notifications.userId, userId), isNull(notifications.readAt));
  const where = "all" in which ? mine : and(mine, inArray(notifications.id, [...which.ids]));
  if (!("all" in which) && which.ids.length === 0) return 0;
  const updated = await db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(where)
    .returning({ id: notifications.id });
  return updated.length;
}

/** Active people, by name: whom a comment can mention. */
export async function listPeople(db: DbOrTx): Promise<UserRef[]> {
  return db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(eq(users.active, true))
    .orderBy(users.name, desc(users.id));
}
