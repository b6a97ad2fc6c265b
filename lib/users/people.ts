import "server-only";
import { randomBytes } from "node:crypto";
import { and, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import {
  apiTokens,
  entityRevisions,
  type FieldChanges,
  type InviteKind,
  invites,
  presence,
  type Role,
  type User,
  users,
} from "@/db/schema";
import { tableRows } from "@/db/table-rows";
import { notifyAccessChanged } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/actor";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { passwordProblem } from "@/lib/auth/password-policy";
import { createSession, deleteSessionsOf, hashToken } from "@/lib/auth/sessions";
import { isConstraintViolation } from "@/lib/database-errors";
import { listEntityRevisions } from "@/lib/entity-revisions";
import type { UserRef } from "@/lib/records/record-view";
import { err, type Result } from "@/lib/result";
import type { UserRevisionView, UserView } from "./user-view";

/**
 * People (DESIGN.md "People and tokens"): versioned like records. Every accepted change is one
 * compare-and-set on `users.version` with its `entity_revisions` row (kind `user`) in the same
 * statement. Changes that take access away (deactivation, a lower role, a reset) end what the
 * access allowed in the same transaction and tell every app instance (guarantee 12).
 */

export type { UserRevisionView, UserView } from "./user-view";

/** A one-time link (invite or reset) lasts this long. */
export const INVITE_DAYS = 7;

/** A person's revision snapshot, built in SQL from the written row (the CTE's columns). */
const USER_SNAPSHOT = sql`jsonb_build_object('email', email, 'name', name, 'role', role, 'active', active)`;

/** The one place a person's row becomes what pages and the API show (dates as ISO strings). */
function toUserView(row: User): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: row.active,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
    invited: row.passwordHash === null,
  };
}

export async function listUsers(db: DbOrTx): Promise<UserView[]> {
  const rows = await db.select().from(users).orderBy(sql`lower(${users.name})`, users.id).limit(10000);
  return rows.map(toUserView);
}

export async function getUser(db: DbOrTx, id: string): Promise<UserView | null> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row ? toUserView(row) : null;
}

/** A person's row, locked until the transaction ends. */
async function lockUser(tx: DbOrTx, id: string): Promise<User | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.id, id)).for("update");
  return row;
}

/** The revisions of a person after `sinceVersion`, oldest first (the `changes` of a 412). */
function userRevisionsSince(db: DbOrTx, userId: string, sinceVersion: number): Promise<UserRevisionView[]> {
  return listEntityRevisions(db, "user", userId, { after: sinceVersion, limit: 100 });
}

/** A new one-time link for a person; their earlier unused links stop working. */
async function createLink(tx: DbOrTx, actor: Actor, userId: string, kind: InviteKind): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await tx
    .update(invites)
    .set({ usedAt: sql`now()` })
    .where(and(eq(invites.userId, userId), isNull(invites.usedAt)));
  await tx.insert(invites).values({
    tokenHash: hashToken(token),
    userId,
    kind,
    createdBy: actor.id,
    expiresAt: sql`now() + make_interval(days => ${INVITE_DAYS})`,
  });
  return token;
}

export type InviteError = { code: "email_taken"; message: string } | { code: "idempotency_mismatch" };

/**
 * The answer again to an invite already made with this `saveId` (Idempotency-Key): the same
 * person, and a fresh link that replaces the first (only its hash was kept, so the first cannot
 * be shown again); `token` null once the person has used their link. Null when no invite was
 * made with this key; `idempotency_mismatch` when it was made for someone else.
 */
async function replayInvite(
  db: DbOrTx,
  actor: Actor,
  input: { email: string; name: string; role: Role; saveId: string },
): Promise<Result<{ user: UserView; token: string | null }, InviteError> | null> {
  const [made] = await db
    .select({ entityId: entityRevisions.entityId, snapshot: entityRevisions.snapshot })
    .from(entityRevisions)
    .where(
      and(
        eq(entityRevisions.kind, "user"),
        eq(entityRevisions.action, "create"),
        eq(entityRevisions.userId, actor.id),
        eq(entityRevisions.saveId, input.saveId),
      ),
    );
  if (!made) return null;
  const { snapshot } = made;
  if (snapshot.email !== input.email || snapshot.name !== input.name || snapshot.role !== input.role) {
    return err({ code: "idempotency_mismatch" });
  }
  const user = await getUser(db, made.entityId);
  if (!user) return err({ code: "idempotency_mismatch" });
  return { ok: true, user, token: user.invited ? await createLink(db, actor, user.id, "invite") : null };
}

/**
 * Invites a person: a user without a password (so they cannot sign in yet, and do not count
 * as an admin) at version 1 with its revision, and a one-time link to set a password. With a
 * `saveId` (Idempotency-Key), a repeat invites no one again (see replayInvite).
 */
export async function inviteUser(
  db: DbOrTx,
  actor: Actor,
  input: { email: string; name: string; role: Role },
): Promise<Result<{ user: UserView; token: string }, InviteError>>;
export async function inviteUser(
  db: DbOrTx,
  actor: Actor,
  input: { email: string; name: string; role: Role; saveId: string | null },
): Promise<Result<{ user: UserView; token: string | null }, InviteError>>;
export async function inviteUser(
  db: DbOrTx,
  actor: Actor,
  input: { email: string; name: string; role: Role; saveId?: string | null },
): Promise<Result<{ user: UserView; token: string | null }, InviteError>> {
  const email = input.email.trim().toLowerCase();
  const saveId = input.saveId ?? null;
  const replay = () => (saveId ? replayInvite(db, actor, { ...input, email, saveId }) : Promise.resolve(null));
  const earlier = await replay();
  if (earlier) return earlier;
  try {
    const first = await inviteOnce(db, actor, { ...input, email, saveId });
    // Two requests with one key at once: the one that lost the race answers as the repeat.
    if (!first.ok && saveId) return (await replay()) ?? first;
    return first;
  } catch (error) {
    if (!(saveId && isConstraintViolation(error, "23505", "entity_revisions_user_save_id_idx"))) throw error;
    return (await replay()) ?? err({ code: "idempotency_mismatch" });
  }
}

async function inviteOnce(
  db: DbOrTx,
  actor: Actor,
  input: { email: string; name: string; role: Role; saveId: string | null },
): Promise<Result<{ user: UserView; token: string }, InviteError>> {
  const { email } = input;
  return db.transaction(async (tx) => {
    const [row] = await tableRows(
      tx,
      users,
      sql`with created as (
            insert into users (email, name, role, password_hash) values (${email}, ${input.name}, ${input.role}, null)
            on conflict (email) do nothing
            returning *
          ), rev as (
            insert into entity_revisions (kind, entity_id, version, user_id, action, changes, snapshot, save_id)
            select 'user', id, 1, ${actor.id}, 'create',
                   jsonb_build_object('email', jsonb_build_object('from', null, 'to', email),
                                      'name', jsonb_build_object('from', null, 'to', name),
                                      'role', jsonb_build_object('from', null, 'to', role)),
                   ${USER_SNAPSHOT},
                   ${input.saveId}
              from created
          )
          select * from created`,
    );
    if (!row) return err({ code: "email_taken", message: `Someone already has the email ${email}.` });
    const token = await createLink(tx, actor, row.id, "invite");
    return { ok: true, user: toUserView(row), token };
  });
}

export type UpdateUserError =
  | { code: "not_found"; message: string }
  | { code: "user_conflict"; current: UserView; changes: UserRevisionView[] }
  | { code: "last_admin"; message: string };

export type UserPatch = { name?: string; role?: Role; active?: boolean };

/**
 * Changes a person's name, role or active flag, if `baseVersion` is still their version.
 *
 * When the role or the active flag changes, the rows of every active admin who has a password
 * are locked first (in id order, so two such changes queue instead of deadlocking) and counted:
 * two admins demoting each other at once cannot both succeed and leave none (409 `last_admin`).
 * Deactivating ends the person's sessions, revokes their API tokens, releases their edit leases
 * (recorded in lease_events as `deactivated`) and removes their presence, in the same
 * transaction; any loss of access notifies every instance on commit.
 */
export async function updateUser(
  db: DbOrTx,
  actor: Actor,
  input: { userId: string; baseVersion: number; patch: UserPatch; saveId?: string | null },
): Promise<Result<{ user: UserView }, UpdateUserError>> {
  const { patch } = input;
  if (input.saveId) {
    const [repeat] = await db
      .select({ version: entityRevisions.version })
      .from(entityRevisions)
      .where(
        and(
          eq(entityRevisions.kind, "user"),
          eq(entityRevisions.entityId, input.userId),
          eq(entityRevisions.userId, actor.id),
          eq(entityRevisions.saveId, input.saveId),
        ),
      );
    const current = repeat ? await getUser(db, input.userId) : null;
    if (current) return { ok: true, user: current };
  }
  return db.transaction(async (tx) => {
    const adminsLocked =
      patch.role !== undefined || patch.active !== undefined
        ? await tx
            .select({ id: users.id })
            .from(users)
            .where(and(eq(users.role, "admin"), eq(users.active, true), isNotNull(users.passwordHash)))
            .orderBy(users.id)
            .for("update")
        : [];
    const before = await lockUser(tx, input.userId);
    if (!before) return err({ code: "not_found", message: "No such person." });
    if (before.version !== input.baseVersion) {
      return err({
        code: "user_conflict",
        current: toUserView(before),
        changes: await userRevisionsSince(tx, input.userId, input.baseVersion),
      });
    }
    const after = {
      name: patch.name ?? before.name,
      role: patch.role ?? before.role,
      active: patch.active ?? before.active,
    };
    const countedAdmin = (user: { role: Role; active: boolean }) =>
      user.role === "admin" && user.active && before.passwordHash !== null;
    if (countedAdmin(before) && !countedAdmin(after) && !adminsLocked.some((a) => a.id !== before.id)) {
      return err({
        code: "last_admin",
        message: `${before.name} is the last active admin: make someone else an admin first.`,
      });
    }
    const changes: FieldChanges = {};
    for (const key of ["name", "role", "active"] as const) {
      if (after[key] !== before[key]) changes[key] = { from: before[key], to: after[key] };
    }
    // The compare-and-set and its revision, in one statement: no accepted change without its
    // revision, and of any number of writers from one version exactly one gets a row back.
    const [row] = await tableRows(
      tx,
      users,
      sql`with updated as (
            update users set name = ${after.name}, role = ${after.role}, active = ${after.active},
                   version = version + 1, updated_at = now()
             where id = ${input.userId} and version = ${input.baseVersion}
            returning *
          ), rev as (
            insert into entity_revisions (kind, entity_id, version, user_id, action, changes, snapshot, save_id)
            select 'user', id, version, ${actor.id}, 'update', ${JSON.stringify(changes)}::jsonb,
                   ${USER_SNAPSHOT}, ${input.saveId ?? null}
              from updated
          )
          select * from updated`,
    );
    if (!row) throw new Error("user compare-and-set found no row under its own lock");
    const deactivated = before.active && !after.active;
    // Any role change is announced: lowered, open forms turn read-only; raised, they turn editable again.
    const roleChanged = after.role !== before.role;
    if (deactivated) await endAccess(tx, actor, { id: before.id, name: before.name });
    if (deactivated || roleChanged) await notifyAccessChanged(tx, before.id);
    return { ok: true, user: toUserView(row) };
  });
}

/** What a deactivation takes away, inside its transaction. */
async function endAccess(tx: DbOrTx, actor: Actor, user: UserRef): Promise<void> {
  await deleteSessionsOf(tx, user.id);
  await tx
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.userId, user.id), isNull(apiTokens.revokedAt)));
  // One statement: every lease released here has its lease_events row.
  await tx.execute(
    sql`with released as (
          delete from leases where user_id = ${user.id} returning record_id
        )
        insert into lease_events (record_id, action, actor_id, previous_holder_id, reason)
        select record_id, 'deactivated', ${actor.id}, ${user.id}, ${`${user.name} was deactivated by ${actor.name}.`}
          from released`,
  );
  // Their tabs leave everyone's presence lists now (the presence trigger tells the others).
  await tx.delete(presence).where(eq(presence.userId, user.id));
}

/** A reset link for a person (an admin's doing): their sessions end at once; API tokens stay. */
export async function createResetLink(
  db: DbOrTx,
  actor: Actor,
  userId: string,
): Promise<Result<{ token: string }, { code: "not_found"; message: string }>> {
  return db.transaction(async (tx) => {
    const user = await lockUser(tx, userId);
    if (!user) return err({ code: "not_found", message: "No such person." });
    const token = await createLink(tx, actor, userId, "reset");
    await deleteSessionsOf(tx, userId);
    await notifyAccessChanged(tx, userId);
    return { ok: true, token };
  });
}

export type AcceptInviteError =
  | { code: "not_found"; message: string }
  | { code: "invalid"; fields: Record<string, string> };

/**
 * Uses a one-time link (invite or reset): sets the person's password (and name, if given) as a
 * versioned change, marks the link used, and signs them in. A link works once, for 7 days, and
 * only while its person is active.
 */
export async function acceptInvite(
  db: DbOrTx,
  input: { token: string; password: string; name?: string; userAgent?: string | null },
): Promise<Result<{ actor: Actor; token: string; expiresAt: Date }, AcceptInviteError>> {
  const gone: AcceptInviteError = {
    code: "not_found",
    message: "This link is unknown, already used or expired. Ask an admin for a new one.",
  };
  const [link] = await usableLink(db, input.token);
  if (!link) return err(gone);
  const problem = passwordProblem(input.password, { email: link.email, name: input.name ?? link.name });
  if (problem) return err({ code: "invalid", fields: { password: problem } });
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    // Claiming the link is the atomic step: of two tabs using it at once, one gets the row.
    const [claimed] = await tx
      .update(invites)
      .set({ usedAt: sql`now()` })
      .from(users)
      .where(and(usableLinkCondition(input.token), eq(users.id, invites.userId)))
      .returning({ userId: invites.userId, kind: invites.kind });
    if (!claimed) return err(gone);
    const [row] = await tableRows(
      tx,
      users,
      sql`with before as (
            select id, name, password_hash is null as had_none from users where id = ${claimed.userId} for update
          ), updated as (
            update users u set password_hash = ${passwordHash}, name = coalesce(${input.name ?? null}, u.name),
                   version = u.version + 1, updated_at = now()
              from before b where u.id = b.id
            returning u.*, b.name as old_name, b.had_none
          ), rev as (
            insert into entity_revisions (kind, entity_id, version, user_id, action, changes, snapshot)
            select 'user', id, version, id, ${claimed.kind === "invite" ? "accept_invite" : "reset_password"},
                   jsonb_build_object('password', jsonb_build_object('from', case when had_none then null else 'set' end, 'to', 'set'))
                   || case when old_name <> name then jsonb_build_object('name', jsonb_build_object('from', old_name, 'to', name)) else '{}'::jsonb end,
                   ${USER_SNAPSHOT}
              from updated
          )
          select * from updated`,
    );
    if (!row) throw new Error("the invited user vanished under its own lock");
    const session = await createSession(tx, row.id, { userAgent: input.userAgent });
    return { ok: true, actor: { id: row.id, name: row.name, email: row.email, role: row.role }, ...session };
  });
}

export type UpdateMeError =
  | { code: "not_found"; message: string }
  | { code: "invalid"; fields: Record<string, string> }
  | { code: "user_conflict"; current: UserView; changes: UserRevisionView[] };

/**
 * A person changes their own name or password; the current password is required. A new
 * password ends their other sessions (the one in use stays signed in). `baseVersion`, when
 * given (If-Match), makes it a compare-and-set like an admin's change.
 */
export async function updateMe(
  db: DbOrTx,
  actor: Actor,
  input: { name?: string; password?: string; currentPassword: string; baseVersion?: number; currentToken?: string },
): Promise<Result<{ user: UserView }, UpdateMeError>> {
  const [me] = await db
    .select({ passwordHash: users.passwordHash, version: users.version })
    .from(users)
    .where(eq(users.id, actor.id));
  if (!me) return err({ code: "not_found", message: "No such person." });
  const fields: Record<string, string> = {};
  if (!me.passwordHash || !(await verifyPassword(me.passwordHash, input.currentPassword))) {
    fields.currentPassword = "This is not your current password.";
  }
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password, { email: actor.email, name: input.name ?? actor.name });
    if (problem) fields.password = problem;
    else if (input.password === input.currentPassword)
      fields.password = "The new password is the same as the current one.";
  }
  if (Object.keys(fields).length > 0) return err({ code: "invalid", fields });
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
  const baseVersion = input.baseVersion ?? me.version;
  return db.transaction(async (tx) => {
    const before = await lockUser(tx, actor.id);
    if (!before) return err({ code: "not_found", message: "No such person." });
    if (before.version !== baseVersion) {
      return err({
        code: "user_conflict",
        current: toUserView(before),
        changes: await userRevisionsSince(tx, actor.id, baseVersion),
      });
    }
    const changes: FieldChanges = {};
    if (input.name !== undefined && input.name !== before.name) changes.name = { from: before.name, to: input.name };
    if (passwordHash) changes.password = { from: "set", to: "set" };
    if (Object.keys(changes).length === 0) return { ok: true, user: toUserView(before) };
    const [row] = await tableRows(
      tx,
      users,
      sql`with updated as (
            update users set name = ${input.name ?? before.name},
                   password_hash = coalesce(${passwordHash}, password_hash),
                   version = version + 1, updated_at = now()
             where id = ${actor.id} and version = ${baseVersion}
            returning *
          ), rev as (
            insert into entity_revisions (kind, entity_id, version, user_id, action, changes, snapshot)
            select 'user', id, version, ${actor.id}, 'update', ${JSON.stringify(changes)}::jsonb,
                   ${USER_SNAPSHOT}
              from updated
          )
          select * from updated`,
    );
    if (!row) throw new Error("own user compare-and-set found no row under its own lock");
    if (passwordHash) {
      await deleteSessionsOf(tx, actor.id, { except: input.currentToken });
      await notifyAccessChanged(tx, actor.id);
    }
    return { ok: true, user: toUserView(row) };
  });
}

/** What the /invite/:token page shows: whose link it is, or null when it is unknown, used or expired. */
export async function findInviteLink(
  db: DbOrTx,
  token: string,
): Promise<{ email: string; name: string; kind: InviteKind; expiresAt: string } | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const [row] = await usableLink(db, token);
  return row ? { ...row, expiresAt: row.expiresAt.toISOString() } : null;
}

/** A link that still works: unused, unexpired, and its person active (joined to `users`). */
function usableLinkCondition(token: string) {
  return and(
    eq(invites.tokenHash, hashToken(token)),
    isNull(invites.usedAt),
    gt(invites.expiresAt, sql`now()`),
    eq(users.active, true),
  );
}

function usableLink(db: DbOrTx, token: string) {
  return db
    .select({ email: users.email, name: users.name, kind: invites.kind, expiresAt: invites.expiresAt })
    .from(invites)
    .innerJoin(users, eq(users.id, invites.userId))
    .where(usableLinkCondition(token));
}
