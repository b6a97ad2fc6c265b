import { z } from "zod";
import { batchOutcomeSchema, registerRoute, slugParams } from "@/app/api/_lib/openapi";
import { importCsv, MAX_IMPORT_BYTES } from "@/lib/batches/import-csv";
import { apiRoute, fail, idempotencyKey, readQuery } from "../../../_lib/route";

const importQuery = z.strictObject({
  dryRun: z.enum(["0", "1", "true", "false"]).optional(),
  /** Column mapping chosen by hand: `{"<header>": "<field key>" | "id" | "version" | null}`. */
  map: z
    .string()
    .max(20_000)
    .transform((text, context) => {
      try {
        const value: unknown = JSON.parse(text);
        const parsed = z.record(z.string().max(500), z.string().max(100).nullable()).safeParse(value);
        if (parsed.success) return parsed.data;
      } catch {
        // reported below
      }
      context.addIssue({ code: "custom", message: 'must be a JSON object {"<header>": "<field key>" | null}' });
      return z.NEVER;
    })
    .optional(),
});

const NOT_CSV = /^(application\/(json|xml|pdf|zip|octet-stream)|multipart\/|image\/)/i;

class TooLarge extends Error {}

/** The import's own body reader: up to 50 MiB (the API's other bodies stop at 1 MiB). */
async function readBytes(request: Request): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > MAX_IMPORT_BYTES) throw new TooLarge();
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_IMPORT_BYTES) {
      await reader.cancel().catch(() => {});
      throw new TooLarge();
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

/** `POST /api/collections/:slug/import?dryRun=1`, body `text/csv`: one result per row. */
export const POST = apiRoute<{ slug: string }>("editor", async ({ request, db, actor, params }) => {
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const query = readQuery(request, importQuery);
  if (!query.ok) return query.response;
  const type = request.headers.get("content-type") ?? "";
  if (NOT_CSV.test(type)) {
    return fail({ code: "invalid_file", message: `This is not a CSV file (${type.split(";")[0]}). Send text/csv.` });
  }
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(request);
  } catch (error) {
    if (!(error instanceof TooLarge)) throw error;
    return fail({ code: "invalid_file", message: "The file is larger than 50 MiB; split it." });
  }
  const dryRun = query.value.dryRun === "1" || query.value.dryRun === "true";
  const result = await importCsv(db, actor, {
    slug: params.slug,
    bytes,
    dryRun,
    mapping: query.value.map,
    requestKey: key.key && !dryRun ? `import:${params.slug}:${key.key}` : null,
  });
  if (!result.ok) return fail(result.error);
  return Response.json({
    batchId: result.batchId,
    summary: result.summary,
    results: result.results,
    columns: result.columns,
  });
});

registerRoute({
  method: "post",
  path: "/api/collections/{slug}/import",
  summary: "Import a CSV file (body text/csv, at most 50 MiB); `dryRun=1` checks without writing",
  role: "editor",
  params: slugParams,
  query: importQuery,
  headers: ["Idempotency-Key"],
  responses: {
    200: {
      description: "One result per row, and how the columns were mapped",
      schema: batchOutcomeSchema.extend({ columns: z.unknown() }),
    },
  },
  errors: [404, 422],
});
