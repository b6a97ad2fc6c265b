import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNotNull, isNull, or, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { apiTokens, type TokenScope, users } from "@/db/schema";
import { isConstraintViolation } from "@/lib/database-errors";
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

export type CreateTokenInput = { name: string; scope: TokenScope; expiresInDays?: number | null };

/**
 * A new token for `actor`. With `request` (an Idempotency-Key and a digest of the body), the key
 * is stored on the token's row in the same INSERT, under a unique index per person: a second
 * insert with the key fails (see `createApiTokenOnce`).
 */
export async function createApiToken(
  db: DbOrTx,
  actor: Actor,
  input: CreateTokenInput,
  request: { key: string; hash: string } | null = null,
): Promise<{ id: string; name: string; scope: TokenScope; token: string; expiresAt: string | null }> {
  const secret = randomBytes(32).toString("base64url");
  const token = `${API_TOKEN_PREFIX}${secret}`;
  const prefix = `${API_TOKEN_PREFIX}${secret.slice(0, 8)}`;
  const days = input.expiresInDays ?? null;
  const [row] = await db
    .insert(apiTokens)
    .values({
      userId: actor.id,
      name: input.name,
      scope: input.scope,
      tokenHash: hashToken(token),
      prefix,
      expiresAt: days === null ? null : sql`now() + make_interval(days => ${days}::int)`,
      requestKey: request?.key ?? null,
      requestHash: request?.hash ?? null,
    })
    .returning({ id: apiTokens.id, expiresAt: apiTokens.expiresAt });
  if (!row) throw new Error("api token insert returned no row");
  return { id: row.id, name: input.name, scope: input.scope, token, expiresAt: row.expiresAt?.toISOString() ?? null };
}

/** Neither revoked nor expired. */
const liveToken: SQL | undefined = and(
  isNull(apiTokens.revokedAt),
  or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`)),
);

/** Who may revoke a token: its owner, or any admin. */
const revocableBy = (actor: Actor) => (hasRole(actor, "admin") ? undefined : eq(apiTokens.userId, actor.id));

/** Live tokens (not revoked, not expired): a person's own, or everyone's (`userId` null, for admins). */
export async function listApiTokens(db: DbOrTx, options: { userId: string | null }): Promise<ApiTokenView[]> {
  const rows = await db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      scope: apiTokens.scope,
      prefix: apiTokens.prefix,
      createdAt: apiTokens.createdAt,
      expiresAt: apiTokens.expiresAt,
      lastUsedAt: apiTokens.lastUsedAt,
      user: { id: users.id, name: users.name },
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(liveToken, options.userId === null ? undefined : eq(apiTokens.userId, options.userId)))
    .orderBy(desc(apiTokens.createdAt))
    .limit(1000);
  return rows.map((row) => ({
    ...row,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
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
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt), revocableBy(actor)))
      .returning({ userId: apiTokens.userId });
    if (!row) {
      // A repeat (Idempotency-Key) of a revocation answers as the first did: it is revoked.
      if (options.repeatable) {
        const [revoked] = await tx
          .select({ id: apiTokens.id })
          .from(apiTokens)
          .where(and(eq(apiTokens.id, tokenId), isNotNull(apiTokens.revokedAt), revocableBy(actor)));
        if (revoked) return { ok: true };
      }
      return err({ code: "not_found", message: "No such API token." });
    }
    await notifyAccessChanged(tx, row.userId);
    return { ok: true };
  });
}

/**
 * The owner of a live API token and the token's scope; null when the token is unknown,
 * revoked, expired, or its owner is deactivated. Marks it used, at most once a minute.
 */
export async function actorForApiToken(db: DbOrTx, token: string): Promise<{ actor: Actor; scope: TokenScope } | null> {
  const [row] = await db
    .select({
      tokenId: apiTokens.id,
      scope: apiTokens.scope,
      actor: { id: users.id, name: users.name, email: users.email, role: users.role },
      stale: sql<boolean>`(${apiTokens.lastUsedAt} is null or ${apiTokens.lastUsedAt} < now() - interval '1 minute')`,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), liveToken, eq(users.active, true)));
  if (!row) return null;
  if (row.stale) {
    await bestEffort("mark an API token as used", async () => {
      // One statement, so the token and its person are marked together.
      await db.execute(
        sql`with used as (
              update api_tokens set last_used_at = now() where id = ${row.tokenId} returning user_id
            )
            update users set last_seen_at = now() where id in (select user_id from used)`,
      );
    });
  }
  return { actor: row.actor, scope: row.scope };
}

/**
 * `POST /api/tokens` with an `Idempotency-Key` (DESIGN.md: a repeat of a request already
 * applied returns the first answer). The key and a digest of the request are stored on the
 * token the first request made, in the same transaction, under a unique index per person: a
 * repeat (a retry after a lost answer, or duplicates sent at once) makes no second token.
 *
 * Only the token's hash is kept, so a repeat cannot show the secret again: it answers the same
 * status with the same token's id, name, scope and expiry, `token: null`, `replayed: true` and a
 * message saying so. A lost secret is replaced by revoking the token and making another. The
 * same key with another body is `idempotency_mismatch`. A key lives as long as its token's row
 * (a revoked token's row stays, and its key with it).
 */

export type CreatedToken = {
  id: string;
  name: string;
  scope: TokenScope;
  /** The secret: in the first answer only; null in a repeat's. */
  token: string | null;
  expiresAt: string | null;
  /** A repeat of an Idempotency-Key: the first request made this token. */
  replayed: boolean;
};

export const REPLAY_MESSAGE =
  "This Idempotency-Key already made this token. Its secret was shown once, in the first answer, and is not stored: if it was lost, revoke the token and make another.";

const REQUEST_KEY_INDEX = "api_tokens_user_request_key_idx";

type CreateTokenError = { code: "idempotency_mismatch" };

function requestDigest(input: CreateTokenInput): string {
  return createHash("sha256")
    .update(JSON.stringify([input.name, input.scope, input.expiresInDays ?? null]))
    .digest("hex");
}

/** The token an earlier request with this key made; null when none did. */
async function replay(
  db: DbOrTx,
  actor: Actor,
  requestKey: string,
  requestHash: string,
): Promise<Result<{ created: CreatedToken }, CreateTokenError> | null> {
  const [made] = await db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      scope: apiTokens.scope,
      expiresAt: apiTokens.expiresAt,
      requestHash: apiTokens.requestHash,
    })
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, actor.id), eq(apiTokens.requestKey, requestKey)));
  if (!made) return null;
  if (made.requestHash !== requestHash) return err({ code: "idempotency_mismatch" });
  const { requestHash: _, expiresAt, ...token } = made;
  return {
    ok: true,
    created: { ...token, token: null, expiresAt: expiresAt?.toISOString() ?? null, replayed: true },
  };
}

/** A new API token for `actor`; with `requestKey` (Idempotency-Key), at most one per key. */
export async function createApiTokenOnce(
  db: DbOrTx,
  actor: Actor,
  input: CreateTokenInput,
  requestKey: string | null,
): Promise<Result<{ created: CreatedToken }, CreateTokenError>> {
  if (requestKey === null)
    return { ok: true, created: { ...(await createApiToken(db, actor, input)), replayed: false } };
  const requestHash = requestDigest(input);
  const earlier = await replay(db, actor, requestKey, requestHash);
  if (earlier) return earlier;
  try {
    // A concurrent request with the same key waits on the unique index, then fails.
    const created = await createApiToken(db, actor, input, { key: requestKey, hash: requestHash });
    return { ok: true, created: { ...created, replayed: false } };
  } catch (error) {
    if (!isConstraintViolation(error, "23505", REQUEST_KEY_INDEX)) throw error;
    return (await replay(db, actor, requestKey, requestHash)) ?? err({ code: "idempotency_mismatch" });
  }
}
