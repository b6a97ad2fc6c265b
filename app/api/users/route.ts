import { z } from "zod";
import { registerRoute, userSchema } from "@/app/api/_lib/openapi";
import { inviteUser, listUsers } from "@/lib/users/people";
import { publicUser } from "@/lib/users/user-view";
import { emailSchema, linkUrl, nameSchema, roleSchema } from "../_lib/people";
import { apiRoute, fail, idempotencyKey, readJson } from "../_lib/route";

/** Everyone, for admins. */
export const GET = apiRoute("admin", async ({ db }) => {
  return Response.json({ items: (await listUsers(db)).map(publicUser) });
});

const inviteBody = z.strictObject({ email: emailSchema, name: nameSchema, role: roleSchema });

/**
 * Invites a person: 201 `{user, inviteUrl}`, a one-time link (7 days) for them to set a password.
 * A repeat with the same Idempotency-Key invites no one again: the same person, with a fresh link
 * that replaces the first (`inviteUrl` null once they have used theirs).
 */
export const POST = apiRoute("admin", async ({ request, db, actor }) => {
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const body = await readJson(request, inviteBody);
  if (!body.ok) return body.response;
  const result = await inviteUser(db, actor, { ...body.value, saveId: key.key });
  if (!result.ok) return fail(result.error);
  return Response.json(
    { user: publicUser(result.user), inviteUrl: result.token === null ? null : linkUrl(request, result.token) },
    { status: 201, headers: { Location: `/api/users/${result.user.id}`, "Cache-Control": "no-store" } },
  );
});

registerRoute({
  method: "get",
  path: "/api/users",
  summary: "Everyone",
  role: "admin",
  responses: { 200: { description: "The people", schema: z.object({ items: z.array(userSchema) }) } },
});
registerRoute({
  method: "post",
  path: "/api/users",
  summary: "Invite a person: a one-time link (7 days) for them to set a password",
  role: "admin",
  body: inviteBody,
  headers: ["Idempotency-Key"],
  responses: {
    201: {
      description: "Invited",
      schema: z.object({ user: userSchema, inviteUrl: z.string().nullable() }),
      headers: ["Location"],
    },
  },
  errors: [409, 422],
});
