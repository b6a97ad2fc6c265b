import { z } from "zod";
import { isUuid } from "@/lib/records/queries";
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
