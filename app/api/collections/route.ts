import { z } from "zod";
import { listCollections } from "@/lib/collections";
import { createCollectionSchema } from "@/lib/collections/schema-input";
import { createCollection } from "@/lib/collections/write-collection";
import { etagFor } from "../_lib/etag";
import { collectionJson } from "../_lib/http-errors";
import { collectionSchema, registerRoute } from "../_lib/openapi";
import { apiRoute, fail, readJson } from "../_lib/route";

/** Every collection with its field definitions and schema version. */
export const GET = apiRoute("viewer", async ({ db }) => {
  const collections = await listCollections(db);
  return Response.json(
    collections.map(({ slug, name, fields, editMode, capacityField, version }) => ({
      slug,
      name,
      fields,
      editMode,
      capacityField,
      version,
    })),
  );
});

/** An admin creates a collection: 201 with its schema (revision 1), `ETag` and `Location`. */
export const POST = apiRoute("admin", async ({ request, db, actor }) => {
  const body = await readJson(request, createCollectionSchema);
  if (!body.ok) return body.response;
  const result = await createCollection(db, actor, body.value);
  if (!result.ok) return fail(result.error);
  return Response.json(collectionJson(result.collection), {
    status: 201,
    headers: {
      ETag: etagFor(result.collection.version),
      Location: `/api/collections/${result.collection.slug}`,
      "Cache-Control": "private, no-cache",
    },
  });
});

registerRoute({
  method: "get",
  path: "/api/collections",
  summary: "Every collection with its field definitions",
  role: "viewer",
  responses: {
    200: {
      description: "The collections",
      schema: z.array(
        z.object({
          slug: z.string(),
          name: z.string(),
          fields: z.array(z.looseObject({ key: z.string(), label: z.string(), type: z.string() })),
          editMode: z.enum(["optimistic", "lease"]),
          capacityField: z.string().nullable(),
          version: z.number().int(),
        }),
      ),
    },
  },
});

registerRoute({
  method: "post",
  path: "/api/collections",
  summary: "Create a collection (revision 1 of its schema)",
  role: "admin",
  body: createCollectionSchema,
  responses: { 201: { description: "Created", schema: collectionSchema, headers: ["ETag", "Location"] } },
  errors: [409],
});
