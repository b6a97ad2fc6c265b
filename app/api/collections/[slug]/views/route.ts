import { z } from "zod";
import { registerRoute, slugParams, viewSchema } from "@/app/api/_lib/openapi";
import { findCollection } from "@/lib/collections";
import { createView, listViews } from "@/lib/views/views";
import { apiRoute, fail, readJson } from "../../../_lib/route";
import { viewBody, viewResponse } from "../../../_lib/views";

type Params = { slug: string };

/** My views of the collection and everyone's shared ones. */
export const GET = apiRoute<Params>("viewer", async ({ db, actor, params }) => {
  const collection = await findCollection(db, params.slug);
  if (!collection) return fail({ code: "not_found" });
  return Response.json({ items: await listViews(db, actor, collection) });
});

const createBody = viewBody.extend({ name: z.string().trim().min(1).max(100), shared: z.boolean().default(false) });

/** Saves a view (viewers: personal ones only): 201 with its ETag. */
export const POST = apiRoute<Params>("viewer", async ({ request, db, actor, params }) => {
  const body = await readJson(request, createBody);
  if (!body.ok) return body.response;
  const collection = await findCollection(db, params.slug);
  if (!collection) return fail({ code: "not_found" });
  const { name, shared, filter, sort, dir, columns } = body.value;
  const result = await createView(db, actor, collection, {
    name,
    shared,
    filter: filter ?? {},
    sort: sort ?? null,
    dir: dir ?? null,
    columns: columns ?? null,
  });
  if (!result.ok) return fail(result.error);
  return viewResponse(result.view, { status: 201, headers: { Location: `/api/views/${result.view.id}` } });
});

registerRoute({
  method: "get",
  path: "/api/collections/{slug}/views",
  summary: "My views of the collection and everyone's shared ones",
  role: "viewer",
  params: slugParams,
  responses: { 200: { description: "The views", schema: z.object({ items: z.array(viewSchema) }) } },
  errors: [404],
});
registerRoute({
  method: "post",
  path: "/api/collections/{slug}/views",
  summary: "Save a view (viewers: personal ones only)",
  role: "viewer",
  params: slugParams,
  body: createBody,
  responses: { 201: { description: "Saved", schema: viewSchema, headers: ["ETag", "Location"] } },
  errors: [404],
});
