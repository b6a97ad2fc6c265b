import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { Role, TokenScope } from "@/db/schema";
import { err, type Result } from "@/lib/result";
import { notifyAccessChanged } from "./access";
import type { Actor } from "./actor";
import { hasRole } from "./actor";
import { API_TOKEN_PREFIX, bestEffort, hashToken } from "./sessions";

/**
 * Personal API tokens for scripts (`Authorization: Bearer tdm_…`). Only the SHA-256 of a token
 * is stored, with its first characters to recognise it in a list; the token itself is shown
 * once, when it is made. A token acts as its owner, limited to reading when its scope is
 * `read`; it stops when revoked, expired, or when its owner is deactivated.
 */

export type ApiTokenView = {
  id: string;
  name: string;
  scope: TokenScope;
  /** `tdm_` and the token's first 8 characters. */
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  user: { id: string; name: string };
};

export const TOKEN_MAX_DAYS = 3650;

export async function createApiToken(
  db: DbOrTx,
  actor: Actor,
  input: { name: string; scope: TokenScope; expiresInDays?: number | null },
): Promise<{ id: string; name: string; scope: TokenScope; token: string; expiresAt: string | null }> {
  const secret = randomBytes(32).toString("base64url");
  const token = `${API_TOKEN_PREFIX}${secret}`;
  const prefix = `${API_TOKEN_PREFIX}${secret.slice(0, 8)}`;
  const days = input.expiresInDays ?? null;
  const [row] = await queryRows<{ id: string; expires_at: string | Date | null }>(
    db,
    sql`insert into api_tokens (user_id, name, scope, token_hash, prefix, expires_at)
        values (${actor.id}, ${input.name}, ${input.scope}, ${hashToken(token)}, ${prefix},
                case when ${days}::int is null then null else now() + make_interval(days => ${days}::int) end)
        returning id, expires_at`,
  );
  if (!row) throw new Error("api token insert returned no row");
  return {
    id: row.id,
    name: input.name,
    scope: input.scope,
    token,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
  };
}

type TokenRow = {
  id: string;
  name: string;
  scope: TokenScope;
  prefix: string;
  created_at: string | Date;
  expires_at: string | Date | null;
  last_used_at: string | Date | null;
  user_id: string;
  user_name: string;
};

const iso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());

/** Live tokens (not revoked, not expired): a person's own, or everyone's (`userId` null, for admins). */
export async function listApiTokens(db: DbOrTx, options: { userId: string | null }): Promise<ApiTokenView[]> {
  const rows = await queryRows<TokenRow>(
    db,
    sql`select t.id, t.name, t.scope, t.prefix, t.created_at, t.expires_at, t.last_used_at,
               u.id as user_id, u.name as user_name
          from api_tokens t join users u on u.id = t.user_id
         where t.revoked_at is null and (t.expires_at is null or t.expires_at > now())
           and (${options.userId}::uuid is null or t.user_id = ${options.userId}::uuid)
         order by t.created_at desc limit 1000`,
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    scope: row.scope,
    prefix: row.prefix,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    user: { id: row.user_id, name: row.user_name },
  }));
}

export type RevokeTokenError = { code: "not_found"; message: string };

/** Revokes a token: its owner, or an admin. Anyone else is told it does not exist. */
export async function revokeApiToken(
  db: DbOrTx,
  actor: Actor,
  tokenId: string,
  options: { repeatable?: boolean } = {},
): Promise<Result<Record<never, never>, RevokeTokenError>> {
  const isAdmin = hasRole(actor, "admin");
  return db.transaction(async (tx) => {
    const [row] = await queryRows<{ user_id: string }>(
      tx,
      sql`update api_tokens set revoked_at = now()
           where id = ${tokenId} and revoked_at is null and (user_id = ${actor.id} or ${isAdmin}::boolean)
          returning user_id`,
    );
    if (!row) {
      // A repeat (Idempotency-Key) of a revocation answers as the first did: it is revoked.
      if (options.repeatable) {
        const [revoked] = await queryRows<{ id: string }>(
          tx,
          sql`select id from api_tokens
               where id = ${tokenId} and revoked_at is not null and (user_id = ${actor.id} or ${isAdmin}::boolean)`,
        );
        if (revoked) return { ok: true };
      }
      return err({ code: "not_found", message: "No such API token." });
    }
    await notifyAccessChanged(tx, row.user_id);
    return { ok: true };
  });
}

/**
 * The owner of a live API token and the token's scope; null when the token is unknown,
 * revoked, expired, or its owner is deactivated. Marks it used, at most once a minute.
 */
export async function actorForApiToken(db: DbOrTx, token: string): Promise<{ actor: Actor; scope: TokenScope } | null> {
  const [row] = await queryRows<{
    token_id: string;
    id: string;
    name: string;
    email: string;
    role: Role;
    scope: TokenScope;
    stale: boolean;
  }>(
    db,
    sql`select t.id as token_id, u.id, u.name, u.email, u.role, t.scope,
               (t.last_used_at is null or t.last_used_at < now() - interval '1 minute') as stale
          from api_tokens t join users u on u.id = t.user_id
         where t.token_hash = ${hashToken(token)} and t.revoked_at is null
           and (t.expires_at is null or t.expires_at > now()) and u.active`,
  );
  if (!row) return null;
  if (row.stale) {
    await bestEffort("mark an API token as used", async () => {
      await queryRows(
        db,
        sql`with used as (
              update api_tokens set last_used_at = now() where id = ${row.token_id} returning user_id
            )
            update users set last_seen_at = now() where id in (select user_id from used)`,
      );
    });
  }
  return { actor: { id: row.id, name: row.name, email: row.email, role: row.role }, scope: row.scope };
}
