import { z } from "zod";
import { deleteRecord } from "@/lib/records/delete-record";
import { deletedInfo, loadRecord, toRecordView } from "@/lib/records/queries";
import { saveRecord } from "@/lib/records/save-record";
import { etagFor, ifNoneMatchHits } from "../../_lib/etag";
import { idParams, recordDataSchema, recordSchema, registerRoute } from "../../_lib/openapi";
import { baseVersionFrom, recordResponse, recordRoute } from "../../_lib/records";
import { fail, idempotencyKey, readJson } from "../../_lib/route";

type Params = { id: string };

export const GET = recordRoute<Params>("viewer", async ({ request, db, params }) => {
  const record = await loadRecord(db, params.id);
  if (!record) return fail({ code: "not_found" });
  const deleted = deletedInfo(record);
  if (deleted) return fail({ code: "not_found", deleted: { at: deleted.at, by: deleted.by } });
  if (ifNoneMatchHits(request.headers.get("if-none-match"), record.version)) {
    return new Response(null, { status: 304, headers: { ETag: etagFor(record.version) } });
  }
  return recordResponse(toRecordView(record));
});

const patchBody = z.strictObject({ data: recordDataSchema });

/** A JSON merge patch of the record's data, applied only if If-Match still names the current version. */
export const PATCH = recordRoute<Params>("editor", async ({ request, db, actor, params }) => {
  const base = await baseVersionFrom(request, async () => (await loadRecord(db, params.id))?.version ?? null);
  if (!base.ok) return base.response;
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const body = await readJson(request, patchBody);
  if (!body.ok) return body.response;
  const result = await saveRecord(db, actor, {
    recordId: params.id,
    baseVersion: base.version,
    values: body.value.data,
    patch: true,
    saveId: key.key,
  });
  if (!result.ok) return fail(result.error);
  return recordResponse(result.record);
});

export const DELETE = recordRoute<Params>("editor", async ({ request, db, actor, params }) => {
  const base = await baseVersionFrom(request, async () => (await loadRecord(db, params.id))?.version ?? null);
  if (!base.ok) return base.response;
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const result = await deleteRecord(db, actor, { recordId: params.id, baseVersion: base.version, saveId: key.key });
  if (!result.ok) return fail(result.error);
  return new Response(null, { status: 204 });
});

registerRoute({
  method: "get",
  path: "/api/records/{id}",
  summary: "A record, with its ETag",
  role: "viewer",
  params: idParams,
  headers: ["If-None-Match"],
  responses: {
    200: { description: "The record", schema: recordSchema, headers: ["ETag"] },
    304: { description: "Not modified: the ETag sent is current", headers: ["ETag"] },
  },
  errors: [404],
});
registerRoute({
  method: "patch",
  path: "/api/records/{id}",
  summary: "Change a record (a JSON merge patch of its data), if If-Match still names its version",
  role: "editor",
  params: idParams,
  body: patchBody,
  headers: ["If-Match", "Idempotency-Key"],
  responses: { 200: { description: "Saved: the new version", schema: recordSchema, headers: ["ETag"] } },
  errors: [404, 423],
});
registerRoute({
  method: "delete",
  path: "/api/records/{id}",
  summary: "Delete a record, if If-Match still names its version",
  role: "editor",
  params: idParams,
  headers: ["If-Match", "Idempotency-Key"],
  responses: { 204: { description: "Deleted" } },
  errors: [404, 423],
});
