import "server-only";
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens, type TokenScope } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { createApiToken } from "@/lib/auth/api-tokens";
import { isConstraintViolation } from "@/lib/database-errors";
import { err, type Result } from "@/lib/result";

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

export type CreateTokenInput = { name: string; scope: TokenScope; expiresInDays?: number | null };

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
  db: Db,
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
  db: Db,
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
    const created = await db.transaction(async (tx) => {
      const made = await createApiToken(tx, actor, input);
      // A concurrent request with the same key waits here on the unique index, then fails.
      await tx.update(apiTokens).set({ requestKey, requestHash }).where(eq(apiTokens.id, made.id));
      return made;
    });
    return { ok: true, created: { ...created, replayed: false } };
  } catch (error) {
    if (!isConstraintViolation(error, "23505", REQUEST_KEY_INDEX)) throw error;
    return (await replay(db, actor, requestKey, requestHash)) ?? err({ code: "idempotency_mismatch" });
  }
}
