import { z } from "zod";
import { PG_INT_MAX } from "@/lib/pg-int";
import { getRevision, loadRecord } from "@/lib/records/queries";
import { registerRoute, revisionSchema } from "../../../../_lib/openapi";
import { recordRoute } from "../../../../_lib/records";
import { fail } from "../../../../_lib/route";

const version = z.coerce.number().int().min(1).max(PG_INT_MAX);

/** One version of a record: `{version, action, user, at, changes, data}`, data being every field's value then. */
export const GET = recordRoute<{ id: string; version: string }>("viewer", async ({ db, params }) => {
  const parsed = version.safeParse(params.version);
  if (!parsed.success) return fail({ code: "bad_query", message: "version must be a whole number from 1" });
  const record = await loadRecord(db, params.id);
  if (!record) return fail({ code: "not_found" });
  const revision = await getRevision(db, record.id, parsed.data);
  if (!revision) return fail({ code: "not_found" });
  return Response.json(revision);
});

registerRoute({
  method: "get",
  path: "/api/records/{id}/revisions/{version}",
  summary: "One version of a record: every field's value then",
  role: "viewer",
  params: z.object({ id: z.string(), version: z.string().meta({ description: "A version number, from 1" }) }),
  responses: {
    200: {
      description: "The version",
      schema: revisionSchema.extend({ data: z.record(z.string(), z.unknown()) }),
    },
  },
  errors: [400, 404],
});
