import { z } from "zod";
import { commentSchema, registerRoute } from "@/app/api/_lib/openapi";
import { deleteComment, editComment, MAX_COMMENT_LENGTH } from "@/lib/comments";
import { isUuid } from "@/lib/ids";
import { etagFor } from "../../_lib/etag";
import { baseVersionFrom } from "../../_lib/records";
import { apiRoute, fail, readJson } from "../../_lib/route";

type Params = { id: string };

/** The id is checked here, where it enters: a non-UUID names no comment (the domain trusts its ids). */
const NO_COMMENT = { code: "not_found", message: "No such comment." } as const;

const body = z.strictObject({ body: z.string().max(MAX_COMMENT_LENGTH * 2) });

/** Edits my own comment, against the version I saw (If-Match): 412 with its changes when stale. */
export const PATCH = apiRoute<Params>("editor", async ({ request, db, actor, params }) => {
  const base = await baseVersionFrom(request, async () => null);
  if (!base.ok) return base.response;
  const parsed = await readJson(request, body);
  if (!parsed.ok) return parsed.response;
  if (!isUuid(params.id)) return fail(NO_COMMENT);
  const result = await editComment(db, actor, {
    commentId: params.id,
    baseVersion: base.version,
    body: parsed.value.body,
  });
  if (!result.ok) return fail(result.error);
  return Response.json(result.comment, { headers: { ETag: etagFor(result.comment.version) } });
});

export const DELETE = apiRoute<Params>("editor", async ({ request, db, actor, params }) => {
  const base = await baseVersionFrom(request, async () => null);
  if (!base.ok) return base.response;
  if (!isUuid(params.id)) return fail(NO_COMMENT);
  const result = await deleteComment(db, actor, { commentId: params.id, baseVersion: base.version });
  if (!result.ok) return fail(result.error);
  return new Response(null, { status: 204 });
});

const commentParams = z.object({ id: z.string().meta({ description: "A comment id (UUID)" }) });
registerRoute({
  method: "patch",
  path: "/api/comments/{id}",
  summary: "Edit my comment, if If-Match still names its version",
  role: "editor",
  params: commentParams,
  body,
  headers: ["If-Match"],
  responses: { 200: { description: "Saved: the new version", schema: commentSchema, headers: ["ETag"] } },
  errors: [404],
  conflict: commentSchema,
});
registerRoute({
  method: "delete",
  path: "/api/comments/{id}",
  summary: "Delete my comment (or any, for admins), if If-Match still names its version",
  role: "editor",
  params: commentParams,
  headers: ["If-Match"],
  responses: { 204: { description: "Deleted" } },
  errors: [404],
  conflict: commentSchema,
});
