import { z } from "zod";
import { isFollowing, setFollowing } from "@/lib/follows";
import { apiRoute, fail, readJson } from "../../../_lib/route";

type Params = { id: string };

/** Whether I follow the record: `{following}`. */
export const GET = apiRoute<Params>("viewer", async ({ db, actor, params }) => {
  return Response.json({ following: await isFollowing(db, actor.id, params.id) });
});

const body = z.strictObject({ following: z.boolean() });

/** Follow (`{following: true}`) or unfollow (`false`) the record. */
export const PUT = apiRoute<Params>("viewer", async ({ request, db, actor, params }) => {
  const parsed = await readJson(request, body);
  if (!parsed.ok) return parsed.response;
  if (!(await setFollowing(db, actor.id, params.id, parsed.value.following))) return fail({ code: "not_found" });
  return Response.json({ following: parsed.value.following });
});
