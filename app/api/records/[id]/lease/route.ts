import { z } from "zod";
import { isUuid } from "@/lib/ids";
import { acquireLease } from "@/lib/leases/acquire-lease";
import { getLease } from "@/lib/leases/lease-queries";
import type { LeaseView } from "@/lib/leases/lease-view";
import { releaseLease } from "@/lib/leases/release-lease";
import { loadRecord } from "@/lib/records/queries";
import { idParams, leaseSchema, registerRoute } from "../../../_lib/openapi";
import { recordRoute } from "../../../_lib/records";
import { fail, readJson } from "../../../_lib/route";

type Params = { id: string };

function leaseResponse(lease: LeaseView): Response {
  return Response.json(lease, { headers: { "Cache-Control": "no-store" } });
}

/** `?takeover=1` (or `true`): take the lease from its holder. */
function wantsTakeover(request: Request): boolean {
  const value = new URL(request.url).searchParams.get("takeover");
  return value === "1" || value === "true";
}

const takeoverBody = z.strictObject({ reason: z.string().trim().max(500).optional() });

/** The record's lease, expired or not; `{holder: null}` when nobody holds one. */
export const GET = recordRoute<Params>("viewer", async ({ db, params }) => {
  const record = await loadRecord(db, params.id);
  if (!record || record.deletedAt) return fail({ code: "not_found" });
  const lease = await getLease(db, params.id);
  return lease ? leaseResponse(lease) : Response.json({ holder: null }, { headers: { "Cache-Control": "no-store" } });
});

/**
 * Acquires the lease, or renews it for its holder: 200 with the lease, 423 naming the holder.
 * `?takeover=1` with an optional JSON body `{reason}`: admins at any time (a reason is then
 * required while the lease is live), anyone once it has expired; otherwise 403.
 */
export const POST = recordRoute<Params>("editor", async ({ request, db, actor, params }) => {
  // The body is optional: `{reason}` for a take-over, or nothing at all.
  const body = await readJson(request, takeoverBody, { whenEmpty: {} });
  if (!body.ok) return body.response;
  const result = await acquireLease(db, actor, {
    recordId: params.id,
    takeover: wantsTakeover(request),
    reason: body.value.reason,
  });
  if (!result.ok) return fail(result.error);
  return leaseResponse(result.lease);
});

/**
 * Releases the lease: 204. Its holder, or an admin breaking it (`?reason=` is recorded); else
 * 403. With `?tab=`, a lease that another tab of the same user holds stays (still 204).
 */
export const DELETE = recordRoute<Params>("editor", async ({ request, db, actor, params }) => {
  const search = new URL(request.url).searchParams;
  const reason = search.get("reason");
  if (reason !== null && reason.length > 500) {
    return fail({ code: "invalid", fields: { reason: "At most 500 characters" } });
  }
  // `?tab=`: the browser tab letting go (its keepalive request when the page goes away).
  const tab = search.get("tab");
  if (tab !== null && !isUuid(tab)) return fail({ code: "bad_query", message: "tab: must be the tab's id (a UUID)" });
  const result = await releaseLease(db, actor, { recordId: params.id, reason, tab });
  if (!result.ok) return fail(result.error);
  return new Response(null, { status: 204 });
});

registerRoute({
  method: "get",
  path: "/api/records/{id}/lease",
  summary: "The record's edit lease; `{holder: null}` when nobody holds one",
  role: "viewer",
  params: idParams,
  responses: {
    200: { description: "The lease", schema: z.union([leaseSchema, z.object({ holder: z.null() })]) },
  },
  errors: [404],
});
registerRoute({
  method: "post",
  path: "/api/records/{id}/lease",
  summary: "Acquire or renew the lease; `?takeover=1` (body `{reason}`) to take it over",
  role: "editor",
  params: idParams,
  query: z.object({ takeover: z.enum(["1", "true"]).optional() }),
  body: takeoverBody,
  responses: { 200: { description: "The lease, now the caller's", schema: leaseSchema } },
  errors: [404, 423],
});
registerRoute({
  method: "delete",
  path: "/api/records/{id}/lease",
  summary: "Release the lease (its holder), or break it (an admin, `?reason=`)",
  role: "editor",
  params: idParams,
  query: z.object({ reason: z.string().max(500).optional(), tab: z.string().optional() }),
  responses: { 204: { description: "Released" } },
  errors: [404, 409, 422],
});
