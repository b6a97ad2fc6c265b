import { z } from "zod";
import { batchOutcomeSchema, registerRoute } from "@/app/api/_lib/openapi";
import { undoBatch } from "@/lib/batches/batches";
import { isUuid } from "@/lib/ids";
import { apiRoute, fail, idempotencyKey } from "../../../_lib/route";

export const POST = apiRoute<{ batchId: string }>("editor", async ({ request, db, actor, params }) => {
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  if (!isUuid(params.batchId)) return fail({ code: "not_found", message: "No such batch." });
  const result = await undoBatch(db, actor, {
    batchId: params.batchId,
    requestKey: key.key ? `undo:${params.batchId}:${key.key}` : null,
  });
  if (!result.ok) return fail(result.error);
  return Response.json({ batchId: result.batchId, summary: result.summary, results: result.results });
});

registerRoute({
  method: "post",
  path: "/api/batches/{batchId}/undo",
  summary: "Undo a batch: each record it changed goes back, unless changed since",
  role: "editor",
  params: z.object({ batchId: z.string().meta({ description: "A batch id (UUID)" }) }),
  headers: ["Idempotency-Key"],
  responses: { 200: { description: "One result per record", schema: batchOutcomeSchema } },
  errors: [404],
});
