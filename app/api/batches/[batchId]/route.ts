import { z } from "zod";
import { batchSchema, registerRoute } from "@/app/api/_lib/openapi";
import { getBatch } from "@/lib/batches/batches";
import { isUuid } from "@/lib/ids";
import { apiRoute, fail } from "../../_lib/route";

export const GET = apiRoute<{ batchId: string }>("viewer", async ({ db, params }) => {
  const batch = isUuid(params.batchId) ? await getBatch(db, params.batchId) : null;
  if (!batch) return fail({ code: "not_found", message: "No such batch." });
  return Response.json({
    id: batch.id,
    kind: batch.kind,
    collection: batch.collection,
    user: batch.user,
    at: batch.at,
    summary: batch.summary,
    results: batch.results,
    undoneBy: batch.undoneBy,
  });
});

registerRoute({
  method: "get",
  path: "/api/batches/{batchId}",
  summary: "A batch (bulk edit, import or undo) and its results",
  role: "viewer",
  params: z.object({ batchId: z.string().meta({ description: "A batch id (UUID)" }) }),
  responses: { 200: { description: "The batch", schema: batchSchema } },
  errors: [404],
});
