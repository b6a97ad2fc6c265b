import { z } from "zod";
import { cancelReservation } from "@/lib/reservations/reserve-seats";
import { registerRoute, reservationSchema } from "../../../../_lib/openapi";
import { recordRoute } from "../../../../_lib/records";
import { fail } from "../../../../_lib/route";

type Params = { id: string; reservationId: string };

/**
 * Cancels a reservation (your own; admins any) and returns its seats: 200
 * `{reservation, remaining}`. Cancelling again answers the same, and returns no seats twice.
 */
export const DELETE = recordRoute<Params>("editor", async ({ db, actor, params }) => {
  const result = await cancelReservation(db, actor, { recordId: params.id, reservationId: params.reservationId });
  if (!result.ok) {
    return fail(
      result.error.code === "not_found"
        ? { code: "not_found", message: "No such reservation on this record." }
        : result.error,
    );
  }
  return Response.json({ reservation: result.reservation, remaining: result.remaining });
});

registerRoute({
  method: "delete",
  path: "/api/records/{id}/reservations/{reservationId}",
  summary: "Cancel a reservation (yours; admins any): its seats return once",
  role: "editor",
  params: z.object({ id: z.string(), reservationId: z.string() }),
  responses: {
    200: {
      description: "Cancelled",
      schema: z.object({ reservation: reservationSchema, remaining: z.number().int() }),
    },
  },
  errors: [404],
});
