import * as activity from "@/app/api/activity/route";
import * as batchesBatchId from "@/app/api/batches/[batchId]/route";
import * as batchesBatchIdUndo from "@/app/api/batches/[batchId]/undo/route";
import * as collectionsSlugBulk from "@/app/api/collections/[slug]/bulk/route";
import * as collectionsSlugEvents from "@/app/api/collections/[slug]/events/route";
import * as collectionsSlugExport from "@/app/api/collections/[slug]/export/route";
import * as collectionsSlugImport from "@/app/api/collections/[slug]/import/route";
import * as collectionsSlugRecords from "@/app/api/collections/[slug]/records/route";
import * as collectionsSlugRevisions from "@/app/api/collections/[slug]/revisions/route";
import * as collectionsSlug from "@/app/api/collections/[slug]/route";
import * as collectionsSlugViews from "@/app/api/collections/[slug]/views/route";
import * as collections from "@/app/api/collections/route";
import * as commentsId from "@/app/api/comments/[id]/route";
import * as health from "@/app/api/health/route";
import * as invitesToken from "@/app/api/invites/[token]/route";
import * as me from "@/app/api/me/route";
import * as notificationsEvents from "@/app/api/notifications/events/route";
import * as notificationsRead from "@/app/api/notifications/read/route";
import * as notifications from "@/app/api/notifications/route";
import * as openapiJson from "@/app/api/openapi.json/route";
import * as recordsIdComments from "@/app/api/records/[id]/comments/route";
import * as recordsIdEvents from "@/app/api/records/[id]/events/route";
import * as recordsIdFollow from "@/app/api/records/[id]/follow/route";
import * as recordsIdLease from "@/app/api/records/[id]/lease/route";
import * as recordsIdReservationsReservationId from "@/app/api/records/[id]/reservations/[reservationId]/route";
import * as recordsIdReservations from "@/app/api/records/[id]/reservations/route";
import * as recordsIdRestore from "@/app/api/records/[id]/restore/route";
import * as recordsIdRevisionsVersionRestore from "@/app/api/records/[id]/revisions/[version]/restore/route";
import * as recordsIdRevisionsVersion from "@/app/api/records/[id]/revisions/[version]/route";
import * as recordsIdRevisions from "@/app/api/records/[id]/revisions/route";
import * as recordsId from "@/app/api/records/[id]/route";
import * as schemaEvents from "@/app/api/schema/events/route";
import * as session from "@/app/api/session/route";
import * as tokensId from "@/app/api/tokens/[id]/route";
import * as tokens from "@/app/api/tokens/route";
import * as usersIdReset from "@/app/api/users/[id]/reset/route";
import * as usersId from "@/app/api/users/[id]/route";
import * as users from "@/app/api/users/route";
import * as viewsId from "@/app/api/views/[id]/route";

/** Every API route module by its OpenAPI path: the contract and property tests go through all of them. */
// biome-ignore lint/suspicious/noExplicitAny: route handlers of every params shape
export const ROUTE_MODULES: Record<string, Record<string, any>> = {
  "/api/activity": activity,
  "/api/batches/{batchId}": batchesBatchId,
  "/api/batches/{batchId}/undo": batchesBatchIdUndo,
  "/api/collections/{slug}/bulk": collectionsSlugBulk,
  "/api/collections/{slug}/events": collectionsSlugEvents,
  "/api/collections/{slug}/export": collectionsSlugExport,
  "/api/collections/{slug}/import": collectionsSlugImport,
  "/api/collections/{slug}/records": collectionsSlugRecords,
  "/api/collections/{slug}/revisions": collectionsSlugRevisions,
  "/api/collections/{slug}": collectionsSlug,
  "/api/collections/{slug}/views": collectionsSlugViews,
  "/api/collections": collections,
  "/api/comments/{id}": commentsId,
  "/api/health": health,
  "/api/invites/{token}": invitesToken,
  "/api/me": me,
  "/api/notifications/events": notificationsEvents,
  "/api/notifications/read": notificationsRead,
  "/api/notifications": notifications,
  "/api/openapi.json": openapiJson,
  "/api/records/{id}/comments": recordsIdComments,
  "/api/records/{id}/events": recordsIdEvents,
  "/api/records/{id}/follow": recordsIdFollow,
  "/api/records/{id}/lease": recordsIdLease,
  "/api/records/{id}/reservations/{reservationId}": recordsIdReservationsReservationId,
  "/api/records/{id}/reservations": recordsIdReservations,
  "/api/records/{id}/restore": recordsIdRestore,
  "/api/records/{id}/revisions/{version}/restore": recordsIdRevisionsVersionRestore,
  "/api/records/{id}/revisions/{version}": recordsIdRevisionsVersion,
  "/api/records/{id}/revisions": recordsIdRevisions,
  "/api/records/{id}": recordsId,
  "/api/schema/events": schemaEvents,
  "/api/session": session,
  "/api/tokens/{id}": tokensId,
  "/api/tokens": tokens,
  "/api/users/{id}/reset": usersIdReset,
  "/api/users/{id}": usersId,
  "/api/users": users,
  "/api/views/{id}": viewsId,
};

/** A concrete path for an OpenAPI path and its parameters. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) =>
    // A lone surrogate cannot be percent-encoded: it shows as U+FFFD in the URL (the handler gets the raw value).
    encodeURIComponent((params[name] ?? "").replace(/[\uD800-\uDFFF]/g, "\uFFFD")),
  );
}
