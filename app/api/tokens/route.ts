import { z } from "zod";
import { apiTokenSchema, registerRoute } from "@/app/api/_lib/openapi";
import { TOKEN_SCOPES } from "@/db/schema";
import { hasRole } from "@/lib/auth/actor";
import { createApiToken, listApiTokens, TOKEN_MAX_DAYS } from "@/lib/auth/api-tokens";
import { nameSchema } from "../_lib/people";
import { apiRoute, fail, readJson, readQuery } from "../_lib/route";

const listQuery = z.strictObject({ all: z.enum(["1"]).optional() });

/** My live API tokens; `?all=1`: everyone's (admins). Never the tokens themselves. */
export const GET = apiRoute("viewer", async ({ request, db, actor }) => {
  const query = readQuery(request, listQuery);
  if (!query.ok) return query.response;
  const all = query.value.all === "1";
  if (all && !hasRole(actor, "admin"))
    return fail({ code: "forbidden", message: "Only admins list everyone's tokens." });
  return Response.json({ items: await listApiTokens(db, { userId: all ? null : actor.id }) });
});

const createBody = z.strictObject({
  name: nameSchema,
  scope: z.enum(TOKEN_SCOPES, { error: "read or write" }),
  expiresInDays: z
    .number({ error: "A whole number of days" })
    .int({ error: "A whole number of days" })
    .min(1, { error: "At least 1" })
    .max(TOKEN_MAX_DAYS, { error: `At most ${TOKEN_MAX_DAYS}` })
    .nullable()
    .optional(),
});

/** A new token: 201 `{id, name, scope, token, expiresAt}`. The token is shown this once. */
export const POST = apiRoute("viewer", async ({ request, db, actor }) => {
  const body = await readJson(request, createBody);
  if (!body.ok) return body.response;
  const created = await createApiToken(db, actor, body.value);
  return Response.json(created, { status: 201, headers: { "Cache-Control": "no-store" } });
});

registerRoute({
  method: "get",
  path: "/api/tokens",
  summary: "My live API tokens; `all=1`: everyone's (admins)",
  role: "viewer",
  query: listQuery,
  responses: {
    200: { description: "The tokens (never the secrets)", schema: z.object({ items: z.array(apiTokenSchema) }) },
  },
});
registerRoute({
  method: "post",
  path: "/api/tokens",
  summary: "A new API token, shown this once",
  role: "viewer",
  body: createBody,
  responses: {
    201: {
      description: "Created",
      schema: z.object({
        id: z.string(),
        name: z.string(),
        scope: z.enum(["read", "write"]),
        token: z.string(),
        expiresAt: z.string().nullable(),
      }),
    },
  },
});
