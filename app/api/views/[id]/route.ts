import { z } from "zod";
import { registerRoute, viewSchema } from "@/app/api/_lib/openapi";
import type { Db } from "@/db/client";
import { findCollectionById } from "@/lib/collections";
import { isUuid } from "@/lib/ids";
import { currentViewVersion, deleteView, findView, updateView } from "@/lib/views/views";
import { etagFor, ifNoneMatchHits } from "../../_lib/etag";
import { baseVersionFrom } from "../../_lib/records";
import { apiRoute, fail, readJson } from "../../_lib/route";
import { viewBody, viewResponse } from "../../_lib/views";

type Params = { id: string };

/** Ids are checked here, where they enter: a non-UUID names no view (the domain trusts its ids). */
const NO_VIEW = { code: "not_found", message: "No such view." } as const;

const versionOf = (db: Db, id: string) => (isUuid(id) ? currentViewVersion(db, id) : Promise.resolve(null));

export const GET = apiRoute<Params>("viewer", async ({ request, db, actor, params }) => {
  const view = isUuid(params.id) ? await findView(db, actor, params.id) : null;
  if (!view) return fail(NO_VIEW);
  if (ifNoneMatchHits(request.headers.get("if-none-match"), view.version)) {
    return new Response(null, { status: 304, headers: { ETag: etagFor(view.version) } });
  }
  return viewResponse(view);
});

/** Changes a view if If-Match still names its version (a shared one: its author or an admin). */
export const PATCH = apiRoute<Params>("viewer", async ({ request, db, actor, params }) => {
  const base = await baseVersionFrom(request, () => versionOf(db, params.id));
  if (!base.ok) return base.response;
  const body = await readJson(request, viewBody);
  if (!body.ok) return body.response;
  if (!isUuid(params.id)) return fail(NO_VIEW);
  const result = await updateView(db, actor, (id) => findCollectionById(db, id), {
    id: params.id,
    baseVersion: base.version,
    changes: body.value,
  });
  if (!result.ok) return fail(result.error);
  return viewResponse(result.view);
});

export const DELETE = apiRoute<Params>("viewer", async ({ request, db, actor, params }) => {
  const base = await baseVersionFrom(request, () => versionOf(db, params.id));
  if (!base.ok) return base.response;
  if (!isUuid(params.id)) return fail(NO_VIEW);
  const result = await deleteView(db, actor, { id: params.id, baseVersion: base.version });
  if (!result.ok) return fail(result.error);
  return new Response(null, { status: 204 });
});

const viewParams = z.object({ id: z.string().meta({ description: "A view id (UUID)" }) });
registerRoute({
  method: "get",
  path: "/api/views/{id}",
  summary: "A view, with its ETag",
  role: "viewer",
  params: viewParams,
  headers: ["If-None-Match"],
  responses: {
    200: { description: "The view", schema: viewSchema, headers: ["ETag"] },
    304: { description: "Not modified: the ETag sent is current", headers: ["ETag"] },
  },
  errors: [404],
});
registerRoute({
  method: "patch",
  path: "/api/views/{id}",
  summary: "Change a view, if If-Match still names its version (a shared one: its author or an admin)",
  role: "viewer",
  params: viewParams,
  body: viewBody,
  headers: ["If-Match"],
  responses: { 200: { description: "Saved: the new version", schema: viewSchema, headers: ["ETag"] } },
  errors: [404],
  conflict: viewSchema,
});
registerRoute({
  method: "delete",
  path: "/api/views/{id}",
  summary: "Delete a view, if If-Match still names its version",
  role: "viewer",
  params: viewParams,
  headers: ["If-Match"],
  responses: { 204: { description: "Deleted" } },
  errors: [404],
  conflict: viewSchema,
});
