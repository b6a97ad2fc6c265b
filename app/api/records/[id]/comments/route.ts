import { z } from "zod";
import { commentSchema, idParams, registerRoute } from "@/app/api/_lib/openapi";
import { addComment, listComments, MAX_COMMENT_LENGTH } from "@/lib/comments";
import { isUuid } from "@/lib/ids";
import { etagFor } from "../../../_lib/etag";
import { apiRoute, fail, readJson } from "../../../_lib/route";

type Params = { id: string };

/** The record's conversation, oldest first: `{items:[{id, body, version, author, createdAt, updatedAt, edited, mentions}]}`. */
export const GET = apiRoute<Params>("viewer", async ({ db, params }) => {
  const items = isUuid(params.id) ? await listComments(db, params.id) : null;
  if (!items) return fail({ code: "not_found" });
  return Response.json({ items }, { headers: { "Cache-Control": "private, no-store" } });
});

const body = z.strictObject({ body: z.string().max(MAX_COMMENT_LENGTH * 2) });

/** Adds a comment (plain text, at most 5,000 characters); never touches the record's version. */
export const POST = apiRoute<Params>("editor", async ({ request, db, actor, params }) => {
  const parsed = await readJson(request, body);
  if (!parsed.ok) return parsed.response;
  if (!isUuid(params.id)) return fail({ code: "not_found" });
  const result = await addComment(db, actor, { recordId: params.id, body: parsed.value.body });
  if (!result.ok) return fail(result.error);
  return Response.json(result.comment, {
    status: 201,
    headers: { ETag: etagFor(result.comment.version), Location: `/api/comments/${result.comment.id}` },
  });
});

registerRoute({
  method: "get",
  path: "/api/records/{id}/comments",
  summary: "The record's conversation, oldest first",
  role: "viewer",
  params: idParams,
  responses: { 200: { description: "The comments", schema: z.object({ items: z.array(commentSchema) }) } },
  errors: [404],
});
registerRoute({
  method: "post",
  path: "/api/records/{id}/comments",
  summary: "Add a comment (plain text, at most 5,000 characters)",
  role: "editor",
  params: idParams,
  body,
  responses: { 201: { description: "Added", schema: commentSchema, headers: ["ETag", "Location"] } },
  errors: [404],
});
