import type { DbOrTx } from "@/db/client";
import type { Role } from "@/db/schema";
import { err, type Result } from "@/lib/result";
import { type Actor, hasRole } from "./actor";
import { actorForToken } from "./sessions";

export type AuthError = { code: "unauthenticated" } | { code: "forbidden"; message: string };
export type AuthResult = Result<{ actor: Actor }, AuthError>;

const ROLE_WORDS: Record<Role, string> = {
  viewer: "sign in",
  editor: "be an editor",
  admin: "be an admin",
};

/**
 * The one authorisation check, called by every server action and route handler with the
 * session token it found (cookie or Bearer) and the least role the operation needs.
 */
export async function authorize(db: DbOrTx, token: string | null | undefined, needed: Role): Promise<AuthResult> {
  const actor = token ? await actorForToken(db, token) : null;
  if (!actor) return err({ code: "unauthenticated" });
  if (!hasRole(actor, needed)) {
    return err({
      code: "forbidden",
      message: `You need to ${ROLE_WORDS[needed]} to do this; you are a ${actor.role}.`,
    });
  }
  return { ok: true, actor };
}
