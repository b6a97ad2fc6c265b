import { z } from "zod";
import { activityItemSchema, registerRoute } from "@/app/api/_lib/openapi";
import { REVISION_ACTIONS } from "@/db/schema";
import { decodeCursor, listActivity } from "@/lib/activity";
import { findCollection } from "@/lib/collections";
import { isUuid } from "@/lib/ids";
import { apiRoute, fail, readQuery } from "../_lib/route";

const instant = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

const query = z.strictObject({
  collection: z.string().min(1).max(100).optional(),
  user: z
    .string()
    .max(100)
    .refine((value) => value === "$me" || isUuid(value), "a user id, or $me")
    .optional(),
  action: z.enum(REVISION_ACTIONS).optional(),
  since: instant.optional(),
  until: instant.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  before: z.string().max(500).optional(),
});

/**
 * Every accepted write across the collections, newest first:
 * `{items:[{recordId, title, version, action, user, at, changes, batchId}], nextCursor}`.
 * `before` takes the previous page's `nextCursor`; `collection` a slug, `user` an id or `$me`.
 */
export const GET = apiRoute("viewer", async ({ request, db, actor }) => {
  const parsed = readQuery(request, query);
  if (!parsed.ok) return parsed.response;
  const q = parsed.value;
  const before = q.before === undefined ? undefined : decodeCursor(q.before);
  if (before === null) return fail({ code: "bad_query", message: "before: not a cursor this API gave (nextCursor)" });
  let collectionId: string | undefined;
  if (q.collection !== undefined) {
    const collection = await findCollection(db, q.collection);
    if (!collection) return fail({ code: "bad_query", message: `collection: no collection "${q.collection}"` });
    collectionId = collection.id;
  }
  const page = await listActivity(db, {
    collectionId,
    userId: q.user === "$me" ? actor.id : q.user?.toLowerCase(),
    action: q.action,
    since: q.since,
    until: q.until,
    limit: q.limit ?? 50,
    before,
  });
  return Response.json(page, { headers: { "Cache-Control": "private, no-store" } });
});

registerRoute({
  method: "get",
  path: "/api/activity",
  summary: "Every accepted write across the collections, newest first",
  role: "viewer",
  query,
  responses: {
    200: {
      description: "A page; `before=<nextCursor>` gives the next",
      schema: z.object({ items: z.array(activityItemSchema), nextCursor: z.string().nullable() }),
    },
  },
});
