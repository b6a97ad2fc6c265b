import { z } from "zod";
import { openApiDocument, registerRoute } from "../_lib/openapi";
import "../_lib/openapi-routes";
import { guarded } from "../_lib/route";

/** The API's OpenAPI 3.1 description (no session needed), built from the routes' own zod schemas. */
export function GET(request: Request): Promise<Response> {
  return guarded(request, async () =>
    Response.json(openApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } }),
  );
}

registerRoute({
  method: "get",
  path: "/api/openapi.json",
  summary: "This document",
  role: "public",
  responses: { 200: { description: "OpenAPI 3.1", schema: z.looseObject({ openapi: z.string() }) } },
});
