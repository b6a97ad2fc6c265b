import "server-only";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { type Comment, comments, entityRevisions, records, users } from "@/db/schema";
import { tableRows } from "@/db/table-rows";
import type { Actor } from "@/lib/auth/actor";
import { type EntityRevisionView, listEntityRevisions } from "@/lib/entity-revisions";
import { mentionedPeople } from "@/lib/mentions";
import { listPeople, notifyMentioned } from "@/lib/notifications";
import type { UserRef } from "@/lib/records/record-view";
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

export type { EntityRevisionView } from "@/lib/entity-revisions";

export type CommentError =
  | { code: "not_found"; message?: string }
  | { code: "forbidden"; message: string }
  | { code: "invalid"; fields: Record<string, string> }
  | { code: "version_mismatch"; current: CommentView; changes: EntityRevisionView[] };

export type CommentResult = Result<{ comment: CommentView }, CommentError>;

function toView(row: Comment, authorName: string, people: readonly UserRef[]): CommentView {
  return {
    id: row.id,
    recordId: row.recordId,
    body: row.body,
    version: row.version,
    author: { id: row.userId, name: authorName },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    edited: row.version > 1,
    mentions: mentionedPeople(row.body, people),
  };
}

function selectComments(db: DbOrTx) {
  return db
    .select({ comment: comments, authorName: users.name })
    .from(comments)
    .innerJoin(users, eq(users.id, comments.userId));
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
  const [record] = await db.select({ id: records.id }).from(records).where(eq(records.id, recordId));
  if (!record) return null;
  const rows = await selectComments(db)
    .where(and(eq(comments.recordId, recordId), isNull(comments.deletedAt)))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .limit(1000);
  const people = await listPeople(db);
  return rows.map((row) => toView(row.comment, row.authorName, people));
}

/** A comment that is not deleted, with its author's name. */
async function getComment(db: DbOrTx, commentId: string): Promise<{ comment: Comment; authorName: string } | null> {
  const [row] = await selectComments(db).where(and(eq(comments.id, commentId), isNull(comments.deletedAt)));
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
  const people = await listPeople(db);
  return db.transaction(async (tx) => {
    const [row] = await tableRows(
      tx,
      comments,
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
          select * from created`,
    );
    if (!row) return err({ code: "not_found" });
    const comment = toView(row, actor.name, people);
    await notifyMentioned(tx, {
      recordId: row.recordId,
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
  if (!row) return { code: "not_found", message: "No such comment." };
  if (row.comment.userId !== actor.id) return { code: "forbidden", message: "Only its author can change a comment." };
  return {
    code: "version_mismatch",
    current: toView(row.comment, row.authorName, await listPeople(db)),
    changes: await listEntityRevisions(db, "comment", commentId, { after: baseVersion }),
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
  if (!before) return err({ code: "not_found", message: "No such comment." });
  const people = await listPeople(db);
  const result = await db.transaction(async (tx): Promise<CommentResult | null> => {
    // The body at the version the author saw (every edit bumps the version, so if the
    // compare-and-set below succeeds, this is the body it replaced).
    const [previous] = await tx
      .select({ body: comments.body })
      .from(comments)
      .where(and(eq(comments.id, input.commentId), eq(comments.version, input.baseVersion)));
    // One statement: the update only matches the author's comment at the version they saw,
    // and its revision is inserted from the update's own RETURNING.
    const [row] = await tableRows(
      tx,
      comments,
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
          select m.* from updated m, previous p`,
    );
    if (!row) return null;
    if (!previous) throw new Error("a comment changed without its version changing");
    const comment = toView(row, actor.name, people);
    const already = new Set(mentionedPeople(previous.body, people).map((p) => p.id));
    await notifyMentioned(tx, {
      recordId: row.recordId,
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
  const [row] = await tableRows(
    db,
    entityRevisions,
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
        returning *`,
  );
  if (row) return { ok: true, version: row.version };
  return err(await refusal(db, actor, input.commentId, input.baseVersion));
}
