import { createHash, randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { Role } from "@/db/schema";
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
  await queryRows(
    db,
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
const LIVE_SESSION = (idleMinutes: number) =>
  sql`s.expires_at > now() and s.last_seen_at > now() - make_interval(mins => ${idleMinutes})`;

/**
 * The actor behind a session token, or null when it is unknown, expired, idle too long, or its
 * person is deactivated. Each use marks the session (and its person) as seen, at most once a
 * minute, so the idle timeout and "last seen" cost one write per minute, not one per request.
 * The mark is a separate, best-effort write: reading stays possible on a read-only database.
 */
export async function actorForSession(db: DbOrTx, token: string): Promise<Actor | null> {
  const id = hashToken(token);
  const [row] = await queryRows<{ id: string; name: string; email: string; role: Role; stale: boolean }>(
    db,
    sql`select u.id, u.name, u.email, u.role, s.last_seen_at < now() - interval '1 minute' as stale
          from sessions s join users u on u.id = s.user_id
         where s.id = ${id} and ${LIVE_SESSION(sessionIdleMinutes())} and u.active`,
  );
  if (!row) return null;
  if (row.stale) {
    await bestEffort("mark a session as seen", async () => {
      await queryRows(
        db,
        sql`with touched as (
              update sessions set last_seen_at = now() where id = ${id} returning user_id
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
  const rows = await queryRows<{ id: string }>(
    db,
    sql`delete from sessions where id in (
          select s.id from sessions s where not (${LIVE_SESSION(idle)}) limit ${PURGE_BATCH}
        ) returning id`,
  );
  return rows.length;
}

export async function deleteSession(db: DbOrTx, token: string): Promise<{ userId: string } | null> {
  const [row] = await queryRows<{ user_id: string }>(
    db,
    sql`delete from sessions where id = ${hashToken(token)} returning user_id`,
  );
  return row ? { userId: row.user_id } : null;
}

/** Ends every session of a person (sign out everywhere, a reset, a deactivation); API tokens stay. */
export async function deleteSessionsOf(db: DbOrTx, userId: string, options: { except?: string } = {}): Promise<number> {
  const except = options.except ? hashToken(options.except) : null;
  const rows = await queryRows<{ id: string }>(
    db,
    sql`delete from sessions where user_id = ${userId} and (${except}::text is null or id <> ${except}) returning id`,
  );
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
  const rows = await queryRows<{
    id: string;
    user_agent: string | null;
    created_at: string | Date;
    last_seen_at: string | Date;
  }>(
    db,
    sql`select s.id, s.user_agent, s.created_at, s.last_seen_at from sessions s
         where s.user_id = ${userId} and ${LIVE_SESSION(sessionIdleMinutes())}
         order by s.last_seen_at desc limit 100`,
  );
  return rows.map((row) => ({
    id: row.id.slice(0, 12),
    userAgent: row.user_agent,
    createdAt: new Date(row.created_at).toISOString(),
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
    current: row.id === current,
  }));
}
