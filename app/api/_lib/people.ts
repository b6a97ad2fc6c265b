import { z } from "zod";
import { ROLES } from "@/db/schema";
import { PASSWORD_MAX_LENGTH } from "@/lib/auth/password-policy";
import { env } from "@/lib/env";
import { publicUser, type UserView } from "@/lib/users/user-view";
import { etagFor } from "./etag";

/** Shared by the people and token routes: the bounds of what they accept. */
export const emailSchema = z
  .string()
  .max(254, { error: "At most 254 characters" })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "Not an email address" }));
export const nameSchema = z
  .string()
  .trim()
  .min(1, { error: "Give a name" })
  .max(100, { error: "At most 100 characters" });
export const roleSchema = z.enum(ROLES, { error: "One of viewer, editor, admin" });
export const passwordSchema = z
  .string()
  .max(PASSWORD_MAX_LENGTH, { error: `At most ${PASSWORD_MAX_LENGTH} characters` });

/** A one-time link as the admin sends it: absolute, on the app's public origin. */
export function linkUrl(request: Request, token: string): string {
  return new URL(`/invite/${token}`, env().APP_ORIGIN ?? new URL(request.url).origin).toString();
}

/** A person as the API shows them (DESIGN.md: `{id, email, name, role, active, version, createdAt, lastSeenAt}`). */
export function userResponse(user: UserView, init: { status?: number } = {}): Response {
  return Response.json(publicUser(user), { status: init.status ?? 200, headers: { ETag: etagFor(user.version) } });
}
