import { z } from "zod";
import type { ViewJson } from "@/lib/views/views";
import { etagFor } from "./etag";

/** The settings a view holds, as a request sends them (each checked against the collection in lib/views). */
export const viewBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  shared: z.boolean().optional(),
  filter: z
    .custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), {
      error: "Must be a filter object",
    })
    .meta({ override: { type: "object", description: "A list filter: `{<field key>: <condition>}`" } })
    .optional(),
  sort: z.string().max(64).nullable().optional(),
  dir: z.enum(["asc", "desc"]).nullable().optional(),
  columns: z.array(z.string().max(64)).max(100).nullable().optional(),
});

export function viewResponse(
  view: ViewJson,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return Response.json(view, {
    status: init.status ?? 200,
    headers: { ETag: etagFor(view.version), "Cache-Control": "private, no-cache", ...init.headers },
  });
}
