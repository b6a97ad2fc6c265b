import { z } from "zod";
import { listCollections } from "@/lib/collections";
import { registerRoute } from "../_lib/openapi";
import { apiRoute } from "../_lib/route";

export const GET = apiRoute("viewer", async ({ db }) => {
  const collections = await listCollections(db);
  return Response.json(collections.map(({ slug, name, fields, editMode }) => ({ slug, name, fields, editMode })));
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
        }),
      ),
    },
  },
});
