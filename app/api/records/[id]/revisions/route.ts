import { z } from "zod";
import { PG_INT_MAX } from "@/lib/pg-int";
import { listRevisions, loadRecord } from "@/lib/records/queries";
import { idParams, registerRoute, revisionSchema } from "../../../_lib/openapi";
import { recordRoute } from "../../../_lib/records";
import { fail, readQuery } from "../../../_lib/route";

const query = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  before: z.coerce.number().int().min(1).max(PG_INT_MAX).optional(),
});

/** History, newest first: `{version, action, user, at, changes}`; `before` pages back. */
export const GET = recordRoute<{ id: string }>("viewer", async ({ request, db, params }) => {
  const parsed = readQuery(request, query);
  if (!parsed.ok) return parsed.response;
  const record = await loadRecord(db, params.id);
  if (!record) return fail({ code: "not_found" });
  const revisions = await listRevisions(db, record.id, {
    limit: parsed.value.limit ?? 50,
    before: parsed.value.before,
  });
  return Response.json(revisions);
});

registerRoute({
  method: "get",
  path: "/api/records/{id}/revisions",
  summary: "A record's history, newest first",
  role: "viewer",
  params: idParams,
  query,
  responses: { 200: { description: "Revisions", schema: z.array(revisionSchema) } },
  errors: [404],
});
