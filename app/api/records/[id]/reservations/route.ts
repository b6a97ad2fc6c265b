import { z } from "zod";
import { DEFAULT_RESERVATION_LIMIT, getReservationSummary, MAX_RESERVATION_LIMIT } from "@/lib/reservations/queries";
import { reserveSeats } from "@/lib/reservations/reserve-seats";
import { seatsSchema } from "@/lib/reservations/seats";
import { idParams, registerRoute, reservationSchema } from "../../../_lib/openapi";
import { recordRoute } from "../../../_lib/records";
import { fail, idempotencyKey, readJson, readQuery } from "../../../_lib/route";

type Params = { id: string };

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_RESERVATION_LIMIT).optional(),
});

/** `{capacity, taken, remaining, reservations}`; reservations newest first, `limit` 1–1000 (default 200). */
export const GET = recordRoute<Params>("viewer", async ({ request, db, params }) => {
  const query = readQuery(request, listQuery);
  if (!query.ok) return query.response;
  const summary = await getReservationSummary(db, params.id, {
    limit: query.value.limit ?? DEFAULT_RESERVATION_LIMIT,
  });
  if (!summary) return fail({ code: "not_found", message: "No such record, or it takes no reservations." });
  return Response.json(summary, { headers: { "Cache-Control": "private, no-cache" } });
});

const reserveBody = z.strictObject({ seats: seatsSchema });

/** 201 `{reservation, remaining}`; 409 `insufficient_capacity` with `remaining`; 422 for bad seats. */
export const POST = recordRoute<Params>("editor", async ({ request, db, actor, params }) => {
  const key = idempotencyKey(request);
  if (!key.ok) return key.response;
  const body = await readJson(request, reserveBody);
  if (!body.ok) return body.response;
  const result = await reserveSeats(db, actor, { recordId: params.id, seats: body.value.seats, requestId: key.key });
  if (!result.ok) {
    return fail(
      result.error.code === "not_found"
        ? { code: "not_found", message: "No such record, or it takes no reservations." }
        : result.error,
    );
  }
  return Response.json({ reservation: result.reservation, remaining: result.remaining }, { status: 201 });
});

registerRoute({
  method: "get",
  path: "/api/records/{id}/reservations",
  summary: "Seats taken and left, and the reservations, newest first",
  role: "viewer",
  params: idParams,
  query: listQuery,
  responses: {
    200: {
      description: "The seat counter and reservations",
      schema: z.object({
        capacity: z.number().int(),
        taken: z.number().int(),
        remaining: z.number().int(),
        reservations: z.array(reservationSchema),
      }),
    },
  },
  errors: [404],
});
registerRoute({
  method: "post",
  path: "/api/records/{id}/reservations",
  summary: "Reserve seats",
  role: "editor",
  params: idParams,
  body: reserveBody,
  headers: ["Idempotency-Key"],
  responses: {
    201: {
      description: "Reserved",
      schema: z.object({ reservation: reservationSchema, remaining: z.number().int() }),
    },
  },
  errors: [404, 409],
});
