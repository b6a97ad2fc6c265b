import { z } from "zod";
import { recordSchema, registerRoute } from "@/app/api/_lib/openapi";
import { loadRecord } from "@/lib/records/queries";
import { revertRecord } from "@/lib/records/revert-record";
import { baseVersionFrom, recordResponse, recordRoute } from "../../../../../_lib/records";
import { fail, idempotencyKey } from "../../../../../_lib/route";

const version = z.coerce.number().int().min(1).max(2_147_483_647);

/**
 * Restore a version: a new version with that version's values (action `revert`), written only if
 * If-Match still names the current version; 412 with the changes since otherwise, like PATCH.
 */
export const POST = recordRoute<{ id: string; version: string }>("editor", async ({ request, db, actor, params }) => {
  const parsed = version.safeParse(params.version);
  if (!parsed.success) return fail({ code: "not_found", message: "No such version of this record." });
  const base = await baseVersionFrom(request, async () => (await loadRecord(db, params.id))?.version ?? null);
  if (!base.ok) return base.response;
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const result = await revertRecord(db, actor, {
    recordId: params.id,
    version: parsed.data,
    baseVersion: base.version,
    saveId: key.key,
  });
  if (!result.ok) {
    if (result.error.code === "not_found" && !("deleted" in result.error && result.error.deleted)) {
      return fail({ code: "not_found", message: "No such record, or no such version of it." });
    }
    return fail(result.error);
  }
  return recordResponse(result.record);
});

registerRoute({
  method: "post",
  path: "/api/records/{id}/revisions/{version}/restore",
  summary: "Restore a version: a new version with its values, if If-Match still names the current one",
  role: "editor",
  params: z.object({
    id: z.string().meta({ description: "A record id (UUID)" }),
    version: z.string().meta({ description: "The version to restore" }),
  }),
  headers: ["If-Match", "Idempotency-Key"],
  responses: { 200: { description: "Restored: the new version", schema: recordSchema, headers: ["ETag"] } },
  errors: [404, 423],
});
