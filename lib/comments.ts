import "server-only";
import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { mentionedPeople } from "@/lib/mentions";
import { listPeople, notifyMentioned } from "@/lib/notifications";
import { isUuid } from "@/lib/records/queries";
import { isoString, type UserRef } from "@/lib/records/record-view";
import { err, type Result } from "@/lib/result";

/**
 * A conversation on each record, outside its versioned data: adding, editing or deleting a
 * comment never touches the record's row, so it never bumps the record's version and never
 * makes anyone's save a conflict. Comments are versioned themselves (entity_revisions, kind
 * `comment`): an edit or delete is one compare-and-set with its revision in the same statement,
 * and only the author may make it. Plain text; `@Name` mentions people, who are told.
 */

export const MAX_COMMENT_LENGTH = 5000;

export type CommentView = {
  id: string;
  recordId: string;
  body: string;
  version: number;
  author: UserRef;
  createdAt: string;
  updatedAt: string;
  edited: boolean;
  mentions: UserRef[];
};

export type EntityRevisionView = {
  version: number;
  action: string;
  user: UserRef;
  at: string;
  changes: Record<string, { from: unknown; to: unknown }>;
};

export type CommentError =
  | { code: "not_found"; message?: string }
  | { code: "forbidden"; message: string }
  | { code: "invalid"; fields: Record<string, string> }
  | { code: "version_mismatch"; current: CommentView; changes: EntityRevisionView[] };

export type CommentResult = Result<{ comment: CommentView }, CommentError>;

type CommentRow = {
  id: string;
  record_id: string;
  body: string;
  version: number;
  user_id: string;
  user_name: string;
  created_at: string | Date;
  updated_at: string | Date;
  deleted_at: string | Date | null;
};

const COLUMNS = sql`m.id, m.record_id, m.body, m.version, m.user_id, u.name as user_name, m.created_at, m.updated_at, m.deleted_at`;

function toView(row: CommentRow, people: readonly UserRef[]): CommentView {
  return {
    id: row.id,
    recordId: row.record_id,
    body: row.body,
    version: row.version,
    author: { id: row.user_id, name: row.user_name },
    createdAt: isoString(row.created_at),
    updatedAt: isoString(row.updated_at),
    edited: row.version > 1,
    mentions: mentionedPeople(row.body, people),
  };
}

/** The body as stored: trimmed, not empty, at most MAX_COMMENT_LENGTH characters. */
function checkBody(body: string): { ok: true; body: string } | { ok: false; error: CommentError } {
  const trimmed = body.trim();
  if (trimmed === "") return { ok: false, error: { code: "invalid", fields: { body: "Write something first." } } };
  if (trimmed.length > MAX_COMMENT_LENGTH) {
    return {
      ok: false,
      error: { code: "invalid", fields: { body: `At most ${MAX_COMMENT_LENGTH.toLocaleString("en")} characters.` } },
    };
  }
  return { ok: true, body: trimmed };
}

/** A record's comments, oldest first (deleted ones left out); null when there is no such record. */
export async function listComments(db: DbOrTx, recordId: string): Promise<CommentView[] | null> {
  if (!isUuid(recordId)) return null;
  const [record] = await queryRows<{ id: string }>(db, sql`select id from records where id = ${recordId}`);
  if (!record) return null;
  const rows = await queryRows<CommentRow>(
    db,
    sql`select ${COLUMNS} from comments m join users u on u.id = m.user_id
         where m.record_id = ${recordId} and m.deleted_at is null
         order by m.created_at, m.id
         limit 1000`,
  );
  const people = await listPeople(db);
  return rows.map((row) => toView(row, people));
}

async function getComment(db: DbOrTx, commentId: string): Promise<CommentRow | null> {
  if (!isUuid(commentId)) return null;
  const [row] = await queryRows<CommentRow>(
    db,
    sql`select ${COLUMNS} from comments m join users u on u.id = m.user_id where m.id = ${commentId}`,
  );
  return row ?? null;
}

/** Adds a comment; the people it mentions are told in the same transaction. */
export async function addComment(
  db: DbOrTx,
  actor: Actor,
  input: { recordId: string; body: string },
): Promise<CommentResult> {
  const checked = checkBody(input.body);
  if (!checked.ok) return err(checked.error);
  if (!isUuid(input.recordId)) return err({ code: "not_found" });
  const people = await listPeople(db);
  return db.transaction(async (tx) => {
    const [row] = await queryRows<CommentRow>(
      tx,
      sql`with created as (
            insert into comments (record_id, user_id, body)
            select id, ${actor.id}, ${checked.body} from records where id = ${input.recordId} and deleted_at is null
            returning *
          ), revision as (
            insert into entity_revisions (kind, entity_id, version, user_id, at, action, changes, snapshot)
            select 'comment', id, 1, user_id, created_at, 'create',
                   jsonb_build_object('body', jsonb_build_object('from', null, 'to', body)),
                   jsonb_build_object('recordId', record_id, 'body', body)
              from created
          )
          select m.id, m.record_id, m.body, m.version, m.user_id, ${actor.name} as user_name,
                 m.created_at, m.updated_at, m.deleted_at
            from created m`,
    );
    if (!row) return err({ code: "not_found" });
    const comment = toView(row, people);
    await notifyMentioned(tx, {
      recordId: row.record_id,
      commentId: row.id,
      actor,
      userIds: comment.mentions.map((p) => p.id),
    });
    return { ok: true, comment };
  });
}

/** Why a compare-and-set on a comment matched no row: gone, not the author's, or stale. */
async function refusal(db: DbOrTx, actor: Actor, commentId: string, baseVersion: number): Promise<CommentError> {
  const row = await getComment(db, commentId);
  if (!row || row.deleted_at !== null) return { code: "not_found", message: "No such comment." };
  if (row.user_id !== actor.id) return { code: "forbidden", message: "Only its author can change a comment." };
  const changes = await queryRows<{
    version: number;
    action: string;
    user_id: string;
    user_name: string;
    at: string | Date;
    changes: EntityRevisionView["changes"];
  }>(
    db,
    sql`select e.version, e.action, e.user_id, u.name as user_name, e.at, e.changes
          from entity_revisions e join users u on u.id = e.user_id
         where e.kind = 'comment' and e.entity_id = ${commentId} and e.version > ${baseVersion}
         order by e.version`,
  );
  return {
    code: "version_mismatch",
    current: toView(row, await listPeople(db)),
    changes: changes.map((c) => ({
      version: c.version,
      action: c.action,
      user: { id: c.user_id, name: c.user_name },
      at: isoString(c.at),
      changes: c.changes,
    })),
  };
}

/** Edits one's own comment against the version one saw; people newly mentioned are told. */
export async function editComment(
  db: DbOrTx,
  actor: Actor,
  input: { commentId: string; baseVersion: number; body: string },
): Promise<CommentResult> {
  const checked = checkBody(input.body);
  if (!checked.ok) return err(checked.error);
  const before = await getComment(db, input.commentId);
  if (!before || before.deleted_at !== null) return err({ code: "not_found", message: "No such comment." });
  const people = await listPeople(db);
  const result = await db.transaction(async (tx): Promise<CommentResult | null> => {
    // One statement: the update only matches the author's comment at the version they saw,
    // and its revision is inserted from the update's own RETURNING.
    const [row] = await queryRows<CommentRow & { previous: string }>(
      tx,
      sql`with previous as (
            select body from comments where id = ${input.commentId}
          ), updated as (
            update comments set body = ${checked.body}, version = version + 1, updated_at = now()
             where id = ${input.commentId} and version = ${input.baseVersion}
               and user_id = ${actor.id} and deleted_at is null
            returning *
          ), revision as (
            insert into entity_revisions (kind, entity_id, version, user_id, at, action, changes, snapshot)
            select 'comment', m.id, m.version, m.user_id, m.updated_at, 'update',
                   jsonb_build_object('body', jsonb_build_object('from', p.body, 'to', m.body)),
                   jsonb_build_object('recordId', m.record_id, 'body', m.body)
              from updated m, previous p
          )
          select m.id, m.record_id, m.body, m.version, m.user_id, ${actor.name} as user_name,
                 m.created_at, m.updated_at, m.deleted_at, p.body as previous
            from updated m, previous p`,
    );
    if (!row) return null;
    const comment = toView(row, people);
    const already = new Set(mentionedPeople(row.previous, people).map((p) => p.id));
    await notifyMentioned(tx, {
      recordId: row.record_id,
      commentId: row.id,
      actor,
      userIds: comment.mentions.map((p) => p.id).filter((id) => !already.has(id)),
    });
    return { ok: true, comment };
  });
  return result ?? err(await refusal(db, actor, input.commentId, input.baseVersion));
}

/** Deletes one's own comment against the version one saw (kept as a revision, hidden from the record). */
export async function deleteComment(
  db: DbOrTx,
  actor: Actor,
  input: { commentId: string; baseVersion: number },
): Promise<Result<{ version: number }, CommentError>> {
  if (!isUuid(input.commentId)) return err({ code: "not_found", message: "No such comment." });
  const [row] = await queryRows<{ version: number }>(
    db,
    sql`with deleted as (
          update comments set deleted_at = now(), version = version + 1, updated_at = now()
           where id = ${input.commentId} and version = ${input.baseVersion}
             and user_id = ${actor.id} and deleted_at is null
          returning *
        )
        insert into entity_revisions (kind, entity_id, version, user_id, at, action, changes, snapshot)
        select 'comment', id, version, user_id, updated_at, 'delete', '{}'::jsonb,
               jsonb_build_object('recordId', record_id, 'body', body)
          from deleted
        returning version`,
  );
  if (row) return { ok: true, version: row.version };
  return err(await refusal(db, actor, input.commentId, input.baseVersion));
}
