import { z } from "zod";
import { registerRoute, revisionSchema, slugParams } from "@/app/api/_lib/openapi";
import { findCollection } from "@/lib/collections";
import { collectionRevisions } from "@/lib/collections/write-collection";
import { apiRoute, fail, readQuery } from "../../../_lib/route";

const query = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  before: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
});

/** The schema's history, newest first, as record revisions: `{version, action, user, at, changes}`. */
export const GET = apiRoute<{ slug: string }>("viewer", async ({ request, db, params }) => {
  const parsed = readQuery(request, query);
  if (!parsed.ok) return parsed.response;
  const collection = await findCollection(db, params.slug);
  if (!collection) return fail({ code: "not_found", message: `No collection '${params.slug.slice(0, 100)}'.` });
  return Response.json(
    await collectionRevisions(db, collection.id, { limit: parsed.value.limit ?? 50, before: parsed.value.before }),
  );
});

registerRoute({
  method: "get",
  path: "/api/collections/{slug}/revisions",
  summary: "The schema's history, newest first",
  role: "viewer",
  params: slugParams,
  query,
  responses: { 200: { description: "Revisions of the schema", schema: z.array(revisionSchema) } },
  errors: [404],
});
