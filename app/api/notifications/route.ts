import { z } from "zod";
import { notificationSchema, registerRoute } from "@/app/api/_lib/openapi";
import { listNotifications } from "@/lib/notifications";
import { apiRoute, readQuery } from "../_lib/route";

const query = z.strictObject({
  unread: z.enum(["0", "1"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

/** My notifications, newest first: `{items:[{id, kind, at, recordId, by, message, fields, read}], unread}`. */
export const GET = apiRoute("viewer", async ({ request, db, actor }) => {
  const parsed = readQuery(request, query);
  if (!parsed.ok) return parsed.response;
  const result = await listNotifications(db, actor.id, {
    unreadOnly: parsed.value.unread === "1",
    limit: parsed.value.limit ?? 100,
  });
  return Response.json(result, { headers: { "Cache-Control": "private, no-store" } });
});

registerRoute({
  method: "get",
  path: "/api/notifications",
  summary: "My notifications, newest first",
  role: "viewer",
  query,
  responses: {
    200: {
      description: "The notifications and how many are unread",
      schema: z.object({ items: z.array(notificationSchema), unread: z.number().int() }),
    },
  },
});
