import { z } from "zod";
import { apiTokenSchema, registerRoute } from "@/app/api/_lib/openapi";
import { TOKEN_SCOPES } from "@/db/schema";
import { hasRole } from "@/lib/auth/actor";
import { createApiTokenOnce, listApiTokens, REPLAY_MESSAGE, TOKEN_MAX_DAYS } from "@/lib/auth/api-tokens";
import { nameSchema } from "../_lib/people";
import { apiRoute, fail, idempotencyKey, readJson, readQuery } from "../_lib/route";

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

/**
 * A new token: 201 `{id, name, scope, token, expiresAt}`. The token is shown this once. With an
 * Idempotency-Key, a repeat makes no second token: 201 with the same token's fields, `token:
 * null` (the secret is stored hashed and cannot be shown again), `replayed: true` and a message
 * (lib/auth/api-tokens.ts); the same key with another body is 422 `idempotency_mismatch`.
 */
export const POST = apiRoute("viewer", async ({ request, db, actor }) => {
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const body = await readJson(request, createBody);
  if (!body.ok) return body.response;
  const result = await createApiTokenOnce(db, actor, body.value, key.key);
  if (!result.ok) return fail(result.error);
  const { replayed, ...created } = result.created;
  return Response.json(replayed ? { ...created, replayed, message: REPLAY_MESSAGE } : created, {
    status: 201,
    headers: { "Cache-Control": "no-store" },
  });
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
  headers: ["Idempotency-Key"],
  responses: {
    201: {
      description:
        "Created. A repeat with the same Idempotency-Key makes no second token: the same token's fields, `token: null` (the secret was shown once and is stored hashed), `replayed: true` and a message.",
      schema: z.union([
        z.object({
          id: z.string(),
          name: z.string(),
          scope: z.enum(["read", "write"]),
          token: z.string().meta({ description: "The secret (`tdm_…`): shown this once" }),
          expiresAt: z.string().nullable(),
        }),
        z.object({
          id: z.string(),
          name: z.string(),
          scope: z.enum(["read", "write"]),
          token: z.null(),
          expiresAt: z.string().nullable(),
          replayed: z.literal(true),
          message: z.string(),
        }),
      ]),
    },
  },
});
