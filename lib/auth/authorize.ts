import "server-only";
import type { DbOrTx } from "@/db/client";
import type { Role } from "@/db/schema";
import { err, type Result } from "@/lib/result";
import { type Actor, hasRole } from "./actor";
import { actorForApiToken } from "./api-tokens";
import { API_TOKEN_PREFIX, actorForSession } from "./sessions";

export type AuthError = { code: "unauthenticated" } | { code: "forbidden"; message: string };
export type AuthResult = Result<{ actor: Actor }, AuthError>;

const ROLE_WORDS: Record<Role, string> = {
  viewer: "sign in",
  editor: "be an editor",
  admin: "be an admin",
};

/**
 * The one authorisation check, called by every server action and route handler with the
 * token it found (session cookie, or Bearer: a session token or an API token `tdm_…`) and
 * the least role the operation needs. `write`: the request changes something (any method
 * but GET/HEAD/OPTIONS), which a `read` API token may never do, whatever the route's role.
 * A deactivated person, an expired or idle session and a revoked or expired token: 401.
 */
export async function authorize(
  db: DbOrTx,
  token: string | null | undefined,
  needed: Role,
  options: { write?: boolean } = {},
): Promise<AuthResult> {
  let actor: Actor | null = null;
  let readOnly = false;
  if (token?.startsWith(API_TOKEN_PREFIX)) {
    const found = await actorForApiToken(db, token);
    actor = found?.actor ?? null;
    readOnly = found?.scope === "read";
  } else if (token) {
    actor = await actorForSession(db, token);
  }
  if (!actor) return err({ code: "unauthenticated" });
  if (readOnly && (options.write || needed !== "viewer")) {
    return err({ code: "forbidden", message: "This API token can only read; make a token with scope write." });
  }
  if (!hasRole(actor, needed)) {
    return err({
      code: "forbidden",
      message: `You need to ${ROLE_WORDS[needed]} to do this; you are a ${actor.role}.`,
    });
  }
  return { ok: true, actor };
}
