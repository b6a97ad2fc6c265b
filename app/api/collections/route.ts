import { listCollections } from "@/lib/collections";
import { apiRoute } from "../_lib/route";

export const GET = apiRoute("viewer", async ({ db }) => {
  const collections = await listCollections(db);
  return Response.json(collections.map(({ slug, name, fields, editMode }) => ({ slug, name, fields, editMode })));
});
