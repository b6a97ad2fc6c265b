import { z } from "zod";
import { collectionSchema, registerRoute, slugParams } from "@/app/api/_lib/openapi";
import { getCollectionDetail } from "@/lib/collections";
import { updateCollectionSchema } from "@/lib/collections/schema-input";
import { updateCollection } from "@/lib/collections/write-collection";
import { etagFor, ifNoneMatchHits } from "../../_lib/etag";
import { collectionJson } from "../../_lib/http-errors";
import { baseVersionFrom } from "../../_lib/records";
import { apiRoute, fail, readJson, readQuery } from "../../_lib/route";

type Params = { slug: string };

const notFound = (slug: string) => fail({ code: "not_found", message: `No collection '${slug.slice(0, 100)}'.` });

/** The collection's schema, with its version as a strong ETag. */
export const GET = apiRoute<Params>("viewer", async ({ request, db, params }) => {
  const collection = await getCollectionDetail(db, params.slug);
  if (!collection) return notFound(params.slug);
  if (ifNoneMatchHits(request.headers.get("if-none-match"), collection.version)) {
    return new Response(null, { status: 304, headers: { ETag: etagFor(collection.version) } });
  }
  return Response.json(collectionJson(collection), {
    headers: { ETag: etagFor(collection.version), "Cache-Control": "private, no-cache" },
  });
});

const patchQuery = z.strictObject({ accept_impact: z.enum(["0", "1"]).optional() });

/**
 * Changes the schema if If-Match still names its version. `fields` is the whole new list in
 * order (keys are immutable ids): a key left out is removed (values kept, hidden), a key added
 * again is restored. A change that would leave existing values unfit answers 409
 * `schema_impact` unless `?accept_impact=1`.
 */
export const PATCH = apiRoute<Params>("admin", async ({ request, db, actor, params }) => {
  const query = readQuery(request, patchQuery);
  if (!query.ok) return query.response;
  const base = await baseVersionFrom(
    request,
    async () => (await getCollectionDetail(db, params.slug))?.version ?? null,
  );
  if (!base.ok) return base.response;
  const body = await readJson(request, updateCollectionSchema);
  if (!body.ok) return body.response;
  const result = await updateCollection(db, actor, {
    slug: params.slug,
    baseVersion: base.version,
    changes: body.value,
    acceptImpact: query.value.accept_impact === "1",
  });
  if (!result.ok) return fail(result.error);
  return Response.json(collectionJson(result.collection), {
    headers: { ETag: etagFor(result.collection.version), "Cache-Control": "private, no-cache" },
  });
});

registerRoute({
  method: "get",
  path: "/api/collections/{slug}",
  summary: "A collection's schema, with its version as a strong ETag",
  role: "viewer",
  params: slugParams,
  headers: ["If-None-Match"],
  responses: {
    200: { description: "The schema", schema: collectionSchema, headers: ["ETag"] },
    304: { description: "Not modified: the ETag sent is current", headers: ["ETag"] },
  },
  errors: [404],
});
registerRoute({
  method: "patch",
  path: "/api/collections/{slug}",
  summary: "Change a collection's schema (the whole new field list), if If-Match still names its version",
  role: "admin",
  params: slugParams,
  query: patchQuery,
  body: updateCollectionSchema,
  headers: ["If-Match"],
  responses: { 200: { description: "Saved: the new version", schema: collectionSchema, headers: ["ETag"] } },
  errors: [404, 409],
  conflict: collectionSchema,
});
