import { getBatch } from "@/lib/batches/batches";
import { apiRoute, fail } from "../../_lib/route";

export const GET = apiRoute<{ batchId: string }>("viewer", async ({ db, params }) => {
  const batch = await getBatch(db, params.batchId);
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
