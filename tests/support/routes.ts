import * as collectionRecords from "@/app/api/collections/[slug]/records/route";
import * as collections from "@/app/api/collections/route";
import * as health from "@/app/api/health/route";
import * as openapi from "@/app/api/openapi.json/route";
import * as events from "@/app/api/records/[id]/events/route";
import * as lease from "@/app/api/records/[id]/lease/route";
import * as reservation from "@/app/api/records/[id]/reservations/[reservationId]/route";
import * as reservations from "@/app/api/records/[id]/reservations/route";
import * as revision from "@/app/api/records/[id]/revisions/[version]/route";
import * as revisions from "@/app/api/records/[id]/revisions/route";
import * as record from "@/app/api/records/[id]/route";
import * as session from "@/app/api/session/route";

/** Every API route module by its OpenAPI path: the contract and property tests go through all of them. */
// biome-ignore lint/suspicious/noExplicitAny: route handlers of every params shape
export const ROUTE_MODULES: Record<string, Record<string, any>> = {
  "/api/collections/{slug}/records": collectionRecords,
  "/api/collections": collections,
  "/api/health": health,
  "/api/openapi.json": openapi,
  "/api/records/{id}/events": events,
  "/api/records/{id}/lease": lease,
  "/api/records/{id}/reservations/{reservationId}": reservation,
  "/api/records/{id}/reservations": reservations,
  "/api/records/{id}/revisions/{version}": revision,
  "/api/records/{id}/revisions": revisions,
  "/api/records/{id}": record,
  "/api/session": session,
};

/** A concrete path for an OpenAPI path and its parameters. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) =>
    // A lone surrogate cannot be percent-encoded: it shows as U+FFFD in the URL (the handler gets the raw value).
    encodeURIComponent((params[name] ?? "").replace(/[\uD800-\uDFFF]/g, "\uFFFD")),
  );
}
