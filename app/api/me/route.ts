import { z } from "zod";
import { registerRoute, userSchema } from "@/app/api/_lib/openapi";
import { getUser, updateMe } from "@/lib/users/people";
import { parseIfMatch } from "../_lib/etag";
import { nameSchema, passwordSchema, userResponse } from "../_lib/people";
import { apiRoute, fail, readJson } from "../_lib/route";

/** Who I am. */
export const GET = apiRoute("viewer", async ({ db, actor }) => {
  const user = await getUser(db, actor.id);
  if (!user) return fail({ code: "unauthenticated" });
  return userResponse(user);
});

const patchBody = z.strictObject({
  name: nameSchema.optional(),
  password: passwordSchema.optional(),
  currentPassword: z.string({ error: "Give your current password" }).max(1000),
});

/**
 * Changes my name or password; my current password is required (422 naming `currentPassword`
 * when it is wrong). If-Match is optional here: when sent, the change is a compare-and-set.
 */
export const PATCH = apiRoute("viewer", async ({ request, db, actor, token }) => {
  const ifMatch = parseIfMatch(request.headers.get("if-match"));
  if (ifMatch === null || ifMatch.kind === "any") {
    return fail({ code: "bad_request", message: 'If-Match, when sent, must be an entity tag such as "3".' });
  }
  const body = await readJson(request, patchBody);
  if (!body.ok) return body.response;
  const result = await updateMe(db, actor, {
    ...body.value,
    baseVersion: ifMatch.kind === "versions" ? (ifMatch.versions[0] ?? 0) : undefined,
    currentToken: token,
  });
  if (!result.ok) return fail(result.error);
  return userResponse(result.user);
});

registerRoute({
  method: "get",
  path: "/api/me",
  summary: "Who I am",
  role: "viewer",
  responses: { 200: { description: "Me", schema: userSchema, headers: ["ETag"] } },
});
registerRoute({
  method: "patch",
  path: "/api/me",
  summary: "Change my name or password (my current password required; If-Match optional)",
  role: "viewer",
  body: patchBody,
  responses: { 200: { description: "Saved: the new version", schema: userSchema, headers: ["ETag"] } },
  errors: [412],
  conflict: userSchema,
});
