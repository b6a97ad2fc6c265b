import { z } from "zod";
import { registerRoute } from "@/app/api/_lib/openapi";
import { revokeApiToken } from "@/lib/auth/api-tokens";
import { isUuid } from "@/lib/ids";
import { apiRoute, fail, idempotencyKey } from "../../_lib/route";

type Params = { id: string };

/**
 * Revokes a token (its owner, or an admin): it answers 401 from now on, on every instance. With
 * an Idempotency-Key, a repeat answers 204 again (without one, a revoked token is a 404).
 */
export const DELETE = apiRoute<Params>("viewer", async ({ request, db, actor, params }) => {
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  if (!isUuid(params.id)) return fail({ code: "not_found", message: "No such API token." });
  const result = await revokeApiToken(db, actor, params.id, { repeatable: key.key !== null });
  if (!result.ok) return fail(result.error);
  return new Response(null, { status: 204 });
});

registerRoute({
  method: "delete",
  path: "/api/tokens/{id}",
  summary: "Revoke a token (its owner, or an admin)",
  role: "viewer",
  params: z.object({ id: z.string().meta({ description: "A token id (UUID)" }) }),
  headers: ["Idempotency-Key"],
  responses: { 204: { description: "Revoked" } },
  errors: [404],
});
