import { idParams, recordSchema, registerRoute } from "@/app/api/_lib/openapi";
import { loadRecord } from "@/lib/records/queries";
import { restoreDeletedRecord } from "@/lib/records/restore-deleted";
import { baseVersionFrom, recordResponse, recordRoute } from "../../../_lib/records";
import { fail, idempotencyKey } from "../../../_lib/route";

type Params = { id: string };

/** Restores a deleted record with its last values; If-Match names the version it was deleted at. */
export const POST = recordRoute<Params>("editor", async ({ request, db, actor, params }) => {
  const base = await baseVersionFrom(request, async () => (await loadRecord(db, params.id))?.version ?? null);
  if (!base.ok) return base.response;
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const result = await restoreDeletedRecord(db, actor, {
    recordId: params.id,
    deletedVersion: base.version,
    saveId: key.key,
  });
  if (!result.ok) return fail(result.error);
  return recordResponse(result.record);
});

registerRoute({
  method: "post",
  path: "/api/records/{id}/restore",
  summary: "Restore a deleted record with its last values; If-Match names the version it was deleted at",
  role: "editor",
  params: idParams,
  headers: ["If-Match", "Idempotency-Key"],
  responses: { 200: { description: "Restored: the new version", schema: recordSchema, headers: ["ETag"] } },
  errors: [404, 409],
});
