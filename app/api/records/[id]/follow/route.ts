import { z } from "zod";
import { idParams, registerRoute } from "@/app/api/_lib/openapi";
import { isFollowing, setFollowing } from "@/lib/follows";
import { isUuid } from "@/lib/ids";
import { apiRoute, fail, readJson } from "../../../_lib/route";

type Params = { id: string };

/** Whether I follow the record: `{following}`. */
export const GET = apiRoute<Params>("viewer", async ({ db, actor, params }) => {
  // A non-UUID names no record: nobody follows it (as for an unknown id).
  return Response.json({ following: isUuid(params.id) && (await isFollowing(db, actor.id, params.id)) });
});

const body = z.strictObject({ following: z.boolean() });

/** Follow (`{following: true}`) or unfollow (`false`) the record. */
export const PUT = apiRoute<Params>("viewer", async ({ request, db, actor, params }) => {
  const parsed = await readJson(request, body);
  if (!parsed.ok) return parsed.response;
  if (!isUuid(params.id) || !(await setFollowing(db, actor.id, params.id, parsed.value.following))) {
    return fail({ code: "not_found" });
  }
  return Response.json({ following: parsed.value.following });
});

const following = z.object({ following: z.boolean() });
registerRoute({
  method: "get",
  path: "/api/records/{id}/follow",
  summary: "Whether I follow the record",
  role: "viewer",
  params: idParams,
  responses: { 200: { description: "Following or not", schema: following } },
});
registerRoute({
  method: "put",
  path: "/api/records/{id}/follow",
  summary: "Follow or unfollow the record",
  role: "viewer",
  params: idParams,
  body,
  responses: { 200: { description: "Following or not, now", schema: following } },
  errors: [404],
});
