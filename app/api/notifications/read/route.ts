import { z } from "zod";
import { registerRoute } from "@/app/api/_lib/openapi";
import { markNotificationsRead } from "@/lib/notifications";
import { apiRoute, readJson } from "../../_lib/route";

const body = z.union([
  z.strictObject({ ids: z.array(z.uuid()).min(1).max(1000) }),
  z.strictObject({ all: z.literal(true) }),
]);

/** Marks my notifications read: `{ids}` (anyone else's ids are left alone) or `{all: true}`. */
export const POST = apiRoute("viewer", async ({ request, db, actor }) => {
  const parsed = await readJson(request, body);
  if (!parsed.ok) return parsed.response;
  await markNotificationsRead(db, actor.id, "all" in parsed.value ? { all: true } : { ids: parsed.value.ids });
  return new Response(null, { status: 204 });
});

registerRoute({
  method: "post",
  path: "/api/notifications/read",
  summary: "Mark my notifications read: `{ids}` or `{all: true}`",
  role: "viewer",
  body,
  responses: { 204: { description: "Marked" } },
});
