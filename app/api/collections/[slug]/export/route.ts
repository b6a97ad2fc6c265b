import { z } from "zod";
import { recordSchema, registerRoute, slugParams } from "@/app/api/_lib/openapi";
import { exportRecords } from "@/lib/batches/export-records";
import { findCollection } from "@/lib/collections";
import { apiRoute, fail, readQuery } from "../../../_lib/route";

const exportQuery = z.strictObject({
  format: z.enum(["csv", "json"]).default("csv"),
  q: z.string().max(200).optional(),
  filter: z
    .string()
    .max(10_000)
    .refine(
      (text) => {
        try {
          const value: unknown = JSON.parse(text);
          return typeof value === "object" && value !== null && !Array.isArray(value);
        } catch {
          return false;
        }
      },
      { message: "must be a JSON object" },
    )
    .optional(),
  sort: z.string().max(64).optional(),
  dir: z.enum(["asc", "desc"]).optional(),
  bom: z.enum(["0", "1"]).optional(),
});

/** `GET /api/collections/:slug/export?format=csv|json`: the records of the current view, streamed. */
export const GET = apiRoute<{ slug: string }>("viewer", async ({ request, db, actor, params }) => {
  const query = readQuery(request, exportQuery);
  if (!query.ok) return query.response;
  const collection = await findCollection(db, params.slug);
  if (!collection) return fail({ code: "not_found" });
  const { format, bom, ...list } = query.value;
  const result = await exportRecords(db, collection, { format, bom: bom === "1", ...list, actorId: actor.id });
  if (!result.ok) return fail(result.error);
  const day = new Date().toISOString().slice(0, 10);
  return new Response(result.stream, {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8; header=present" : "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${collection.slug}-${day}.${format}"`,
      "Cache-Control": "no-store",
    },
  });
});

registerRoute({
  method: "get",
  path: "/api/collections/{slug}/export",
  summary: "The records of a list view as CSV or JSON, streamed",
  role: "viewer",
  params: slugParams,
  query: exportQuery,
  responses: {
    200: {
      description:
        "A file (Content-Disposition: attachment): `format=csv` (the default) as text/csv, header `id,version,<field keys…>`; `format=json` as a JSON array of records",
      content: { "text/csv": z.string(), "application/json": z.array(recordSchema) },
    },
  },
  errors: [404],
});
