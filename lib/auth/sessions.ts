import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, inArray, ne, not, type Placeholder, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { preparedFor } from "@/db/prepared";
import { sessions, users } from "@/db/schema";
import { env } from "@/lib/env";
import type { Actor } from "./actor";

export const SESSION_COOKIE = "tandem_session";

/** API tokens start with this; session tokens never do (see createSession). */
export const API_TOKEN_PREFIX = "tdm_";

/** How long a session lasts: `SESSION_DAYS` (default 7). */
export function sessionMaxAgeSeconds(): number {
  return Math.round(env().SESSION_DAYS * 24 * 60 * 60);
}

/** A session unused for `SESSION_IDLE_MINUTES` (default 720) ends. */
export function sessionIdleMinutes(): number {
  return env().SESSION_IDLE_MINUTES;
}

/** Only the hash of a token is stored: a copy of the table signs nobody in. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createSession(
  db: DbOrTx,
  userId: string,
  options: { userAgent?: string | null } = {},
): Promise<{ token: string; expiresAt: Date }> {
  let token = randomBytes(32).toString("base64url");
  // So that the prefix alone tells an API token from a session.
  while (token.startsWith(API_TOKEN_PREFIX)) token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + sessionMaxAgeSeconds() * 1000);
  const userAgent = options.userAgent?.slice(0, 300) ?? null;
  await db.execute(
    sql`with created as (
          insert into sessions (id, user_id, expires_at, user_agent)
          values (${hashToken(token)}, ${userId}, ${expiresAt.toISOString()}, ${userAgent})
          returning user_id
        )
        update users set last_seen_at = now() where id in (select user_id from created)`,
  );
  return { token, expiresAt };
}

/** A live session: not past its expiry, used within the idle timeout. */
const liveSession = (idleMinutes: number | Placeholder) =>
  sql`(${sessions.expiresAt} > now() and ${sessions.lastSeenAt} > now() - make_interval(mins => ${idleMinutes}))`;

/** Every request reads its session: built once per database handle (db/prepared.ts). */
const sessionActor = preparedFor((db) =>
  db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      stale: sql<boolean>`${sessions.lastSeenAt} < now() - interval '1 minute'`,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(eq(sessions.id, sql.placeholder("id")), liveSession(sql.placeholder("idleMinutes")), eq(users.active, true)),
    )
    .prepare("session_actor"),
);

/**
 * The actor behind a session token, or null when it is unknown, expired, idle too long, or its
 * person is deactivated. Each use marks the session (and its person) as seen, at most once a
 * minute, so the idle timeout and "last seen" cost one write per minute, not one per request.
 * The mark is a separate, best-effort write: reading stays possible on a read-only database.
 */
export async function actorForSession(db: DbOrTx, token: string): Promise<Actor | null> {
  const id = hashToken(token);
  const [row] = await sessionActor(db).execute({ id, idleMinutes: sessionIdleMinutes() });
  if (!row) return null;
  if (row.stale) {
    await bestEffort("mark a session as seen", async () => {
      await db.execute(
        sql`with touched as (
              -- Concurrent requests all read it stale; the first marks it, the rest (re-checked
              -- after the first commits) write nothing.
              update sessions set last_seen_at = now()
               where id = ${id} and last_seen_at < now() - interval '1 minute'
               returning user_id
            )
            update users set last_seen_at = now() where id in (select user_id from touched)`,
      );
      await purgeExpiredSessions(db);
    });
  }
  return { id: row.id, name: row.name, email: row.email, role: row.role };
}

/** Bookkeeping that must never fail the request it rides on (a read-only or busy database). */
export async function bestEffort(what: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    console.warn(`[auth] could not ${what}:`, error instanceof Error ? error.message : error);
  }
}

const PURGE_BATCH = 500;
let lastPurge = 0;

/**
 * Deletes expired and idle sessions, a bounded batch at a time and at most once a minute per
 * process: run opportunistically when a session is touched, so the table never grows unbounded.
 */
export async function purgeExpiredSessions(db: DbOrTx, options: { force?: boolean } = {}): Promise<number> {
  const now = Date.now();
  if (!options.force && now - lastPurge < 60_000) return 0;
  lastPurge = now;
  const idle = sessionIdleMinutes();
  const batch = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(not(liveSession(idle)))
    .limit(PURGE_BATCH);
  const rows = await db.delete(sessions).where(inArray(sessions.id, batch)).returning({ id: sessions.id });
  return rows.length;
}

export async function deleteSession(db: DbOrTx, token: string): Promise<{ userId: string } | null> {
  const [row] = await db
    .delete(sessions)
    .where(eq(sessions.id, hashToken(token)))
    .returning({ userId: sessions.userId });
  return row ?? null;
}

/** Ends every session of a person (sign out everywhere, a reset, a deactivation); API tokens stay. */
export async function deleteSessionsOf(db: DbOrTx, userId: string, options: { except?: string } = {}): Promise<number> {
  const except = options.except ? hashToken(options.except) : null;
  const rows = await db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), except ? ne(sessions.id, except) : undefined))
    .returning({ id: sessions.id });
  return rows.length;
}

export type SessionView = {
  id: string;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
};

/** My live sessions, for /settings: the id shown is a short prefix of the stored hash, never the token. */
export async function listSessions(db: DbOrTx, userId: string, currentToken: string | null): Promise<SessionView[]> {
  const current = currentToken ? hashToken(currentToken) : null;
  const rows = await db
    .select({
      id: sessions.id,
      userAgent: sessions.userAgent,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), liveSession(sessionIdleMinutes())))
    .orderBy(desc(sessions.lastSeenAt))
    .limit(100);
  return rows.map((row) => ({
    id: row.id.slice(0, 12),
    userAgent: row.userAgent,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    current: row.id === current,
  }));
}
