import { z } from "zod";
import { batchOutcomeSchema, registerRoute, slugParams } from "@/app/api/_lib/openapi";
import { bulkEdit, MAX_BULK_ITEMS } from "@/lib/batches/batches";
import { recordInputSchema } from "@/lib/fields";
import { apiRoute, fail, idempotencyKey, readJson } from "../../../_lib/route";

const id = z.string().min(1).max(100);
const version = z.number().int().min(1).max(2_147_483_647);

/** Two items for one record would race each other inside the batch: refused as a whole. */
function uniqueIds(items: { id: string }[], context: z.RefinementCtx): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.id))
      context.addIssue({ code: "custom", path: [i, "id"], message: "Names a record already listed" });
    seen.add(item.id);
  });
}

const bulkBody = z.discriminatedUnion("op", [
  z.strictObject({
    op: z.literal("update"),
    items: z
      .array(z.strictObject({ id, version, data: recordInputSchema }))
      .min(1)
      .max(MAX_BULK_ITEMS)
      .superRefine(uniqueIds),
  }),
  z.strictObject({
    op: z.literal("delete"),
    items: z.array(z.strictObject({ id, version })).min(1).max(MAX_BULK_ITEMS).superRefine(uniqueIds),
  }),
]);

/** 5,000 items with their patches are more than the API's usual 1 MiB. */
const BULK_BODY_BYTES = 16 * 1024 * 1024;

export const POST = apiRoute<{ slug: string }>("editor", async ({ request, db, actor, params }) => {
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const body = await readJson(request, bulkBody, { maxBytes: BULK_BODY_BYTES });
  if (!body.ok) return body.response;
  const result = await bulkEdit(db, actor, {
    slug: params.slug,
    request: body.value,
    requestKey: key.key ? `bulk:${params.slug}:${key.key}` : null,
  });
  if (!result.ok) return fail(result.error);
  return Response.json({ batchId: result.batchId, summary: result.summary, results: result.results });
});

registerRoute({
  method: "post",
  path: "/api/collections/{slug}/bulk",
  summary: "Change or delete many records as one batch (each item against its version)",
  role: "editor",
  params: slugParams,
  body: bulkBody,
  headers: ["Idempotency-Key"],
  responses: { 200: { description: "One result per item", schema: batchOutcomeSchema } },
  errors: [404],
});
