import { z } from "zod";
import { registerRoute } from "@/app/api/_lib/openapi";
import { isUuid } from "@/lib/ids";
import { createResetLink } from "@/lib/users/people";
import { linkUrl } from "../../../_lib/people";
import { apiRoute, fail } from "../../../_lib/route";

type Params = { id: string };

/** A password reset link (an admin's doing): 200 `{resetUrl}`; the person's sessions end at once. */
export const POST = apiRoute<Params>("admin", async ({ request, db, actor, params }) => {
  if (!isUuid(params.id)) return fail({ code: "not_found", message: "No such person." });
  const result = await createResetLink(db, actor, params.id);
  if (!result.ok) return fail(result.error);
  return Response.json({ resetUrl: linkUrl(request, result.token) }, { headers: { "Cache-Control": "no-store" } });
});

registerRoute({
  method: "post",
  path: "/api/users/{id}/reset",
  summary: "A password reset link; the person's sessions end at once",
  role: "admin",
  params: z.object({ id: z.string().meta({ description: "A person's id (UUID)" }) }),
  responses: { 200: { description: "The link", schema: z.object({ resetUrl: z.string() }) } },
  errors: [404],
});
