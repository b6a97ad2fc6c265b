import { z } from "zod";
import { findCollection } from "@/lib/collections";
import { createRecord } from "@/lib/records/create-record";
import { FILTER_LIMITS } from "@/lib/records/filter";
import { listRecords, MAX_PAGE } from "@/lib/records/list-records";
import { recordDataSchema, recordSchema, registerRoute } from "../../../_lib/openapi";
import { recordResponse } from "../../../_lib/records";
import { apiRoute, fail, idempotencyKey, readJson, readQuery } from "../../../_lib/route";

const listQuery = z.strictObject({
  q: z.string().max(200).optional(),
  sort: z.string().max(64).optional(),
  dir: z.enum(["asc", "desc"]).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
  cursor: z.string().max(2000).optional(),
  filter: z.string().max(FILTER_LIMITS.chars).optional(),
  count: z.enum(["0", "1"]).optional(),
  deleted: z.literal("only").optional(),
});

export const GET = apiRoute<{ slug: string }>("viewer", async ({ request, db, actor, params }) => {
  const query = readQuery(request, listQuery);
  if (!query.ok) return query.response;
  const collection = await findCollection(db, params.slug);
  if (!collection) return fail({ code: "not_found" });
  const { count, ...rest } = query.value;
  const result = await listRecords(db, collection, { ...rest, count: count === "1" }, actor.id);
  if (!result.ok) return fail(result.error);
  const { ok: _, ...page } = result;
  return Response.json(page);
});

const createBody = z.strictObject({ data: recordDataSchema });

export const POST = apiRoute<{ slug: string }>("editor", async ({ request, db, actor, params }) => {
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const body = await readJson(request, createBody);
  if (!body.ok) return body.response;
  const result = await createRecord(db, actor, {
    collectionSlug: params.slug,
    values: body.value.data,
    saveId: key.key,
  });
  if (!result.ok) return fail(result.error);
  return recordResponse(result.record, {
    status: 201,
    headers: { Location: `/api/records/${result.record.id}` },
  });
});

const slugParams = z.object({ slug: z.string().meta({ description: "The collection's slug" }) });
registerRoute({
  method: "get",
  path: "/api/collections/{slug}/records",
  summary: "One page of a collection's records, searched and sorted",
  role: "viewer",
  params: slugParams,
  query: listQuery,
  responses: {
    200: {
      description: "A page; nextCursor is null on the last",
      schema: z.object({
        items: z.array(recordSchema),
        nextCursor: z.string().nullable(),
        total: z.number().int().optional().meta({
          description: "With count=1: how many records match; exact up to 10,000, above it an estimate",
        }),
        totalIsEstimate: z.literal(true).optional().meta({
          description: "Present (true) when total is the planner's estimate, above 10,000",
        }),
      }),
    },
  },
  errors: [404],
});
registerRoute({
  method: "post",
  path: "/api/collections/{slug}/records",
  summary: "Create a record",
  role: "editor",
  params: slugParams,
  body: createBody,
  headers: ["Idempotency-Key"],
  responses: { 201: { description: "Created: version 1", schema: recordSchema, headers: ["ETag", "Location"] } },
  errors: [404],
});
