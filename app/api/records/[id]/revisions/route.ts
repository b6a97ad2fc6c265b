import { z } from "zod";
import { listRevisions, loadRecord } from "@/lib/records/queries";
import { apiRoute, fail } from "../../../_lib/route";

const query = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  before: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
});

/** History, newest first: `{version, action, user, at, changes}`; `before` pages back. */
export const GET = apiRoute<{ id: string }>("viewer", async ({ request, db, params }) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");
    return fail({ code: "bad_query", message });
  }
  const record = await loadRecord(db, params.id);
  if (!record) return fail({ code: "not_found" });
  const revisions = await listRevisions(db, record.id, { limit: parsed.data.limit ?? 50, before: parsed.data.before });
  return Response.json(revisions);
});
