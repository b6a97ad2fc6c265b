import { z } from "zod";
import { registerRoute, userSchema } from "@/app/api/_lib/openapi";
import { isUuid } from "@/lib/ids";
import { getUser, updateUser } from "@/lib/users/people";
import { nameSchema, roleSchema, userResponse } from "../../_lib/people";
import { baseVersionFrom } from "../../_lib/records";
import { apiRoute, fail, idempotencyKey, readJson } from "../../_lib/route";

type Params = { id: string };

const NOT_FOUND = { code: "not_found", message: "No such person." } as const;

export const GET = apiRoute<Params>("admin", async ({ db, params }) => {
  const user = isUuid(params.id) ? await getUser(db, params.id) : null;
  if (!user) return fail(NOT_FOUND);
  return userResponse(user);
});

const patchBody = z
  .strictObject({
    name: nameSchema.optional(),
    role: roleSchema.optional(),
    active: z.boolean({ error: "true or false" }).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { error: "Send at least one of name, role, active" });

/** An admin changes a person; If-Match names the version the change was made from. */
export const PATCH = apiRoute<Params>("admin", async ({ request, db, actor, params }) => {
  if (!isUuid(params.id)) return fail(NOT_FOUND);
  const base = await baseVersionFrom(request, async () => (await getUser(db, params.id))?.version ?? null);
  if (!base.ok) return base.response;
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const body = await readJson(request, patchBody);
  if (!body.ok) return body.response;
  const result = await updateUser(db, actor, {
    userId: params.id,
    baseVersion: base.version,
    patch: body.value,
    saveId: key.key,
  });
  if (!result.ok) return fail(result.error);
  return userResponse(result.user);
});

const userParams = z.object({ id: z.string().meta({ description: "A person's id (UUID)" }) });
registerRoute({
  method: "get",
  path: "/api/users/{id}",
  summary: "A person, with their ETag",
  role: "admin",
  params: userParams,
  responses: { 200: { description: "The person", schema: userSchema, headers: ["ETag"] } },
  errors: [404],
});
registerRoute({
  method: "patch",
  path: "/api/users/{id}",
  summary: "Change a person's name, role or active, if If-Match still names their version",
  role: "admin",
  params: userParams,
  body: patchBody,
  headers: ["If-Match", "Idempotency-Key"],
  responses: { 200: { description: "Saved: the new version", schema: userSchema, headers: ["ETag"] } },
  errors: [404, 409],
  conflict: userSchema,
});
