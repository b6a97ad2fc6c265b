import { createHash, randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { Role } from "@/db/schema";
import { env } from "@/lib/env";
import type { Actor } from "./actor";

export const SESSION_COOKIE = "tandem_session";

/** How long a session lasts: `SESSION_DAYS` (default 7). */
export function sessionMaxAgeSeconds(): number {
  return Math.round(env().SESSION_DAYS * 24 * 60 * 60);
}

/** Only the hash of a token is stored: a copy of the table signs nobody in. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export async function createSession(db: DbOrTx, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + sessionMaxAgeSeconds() * 1000);
  await queryRows(
    db,
    sql`insert into sessions (id, user_id, expires_at) values (${hashToken(token)}, ${userId}, ${expiresAt.toISOString()})`,
  );
  return { token, expiresAt };
}

/** The actor behind a token, or null when it is unknown or expired. */
export async function actorForToken(db: DbOrTx, token: string): Promise<Actor | null> {
  const [row] = await queryRows<{ id: string; name: string; email: string; role: Role }>(
    db,
    sql`select u.id, u.name, u.email, u.role from sessions s join users u on u.id = s.user_id
         where s.id = ${hashToken(token)} and s.expires_at > now()`,
  );
  return row ?? null;
}

export async function deleteSession(db: DbOrTx, token: string): Promise<void> {
  await queryRows(
    db,
    sql`delete from sessions where id = ${hashToken(token)} or expires_at < now() - interval '1 day'`,
  );
}
