/**
 * Every API route file, imported for its `registerRoute(...)` calls: a new route joins the
 * OpenAPI document with one `registerRoute` beside its schemas and one line here.
 */
import "@/app/api/activity/route";
import "@/app/api/batches/[batchId]/route";
import "@/app/api/batches/[batchId]/undo/route";
import "@/app/api/collections/[slug]/bulk/route";
import "@/app/api/collections/[slug]/events/route";
import "@/app/api/collections/[slug]/export/route";
import "@/app/api/collections/[slug]/import/route";
import "@/app/api/collections/[slug]/records/route";
import "@/app/api/collections/[slug]/revisions/route";
import "@/app/api/collections/[slug]/route";
import "@/app/api/collections/[slug]/views/route";
import "@/app/api/collections/route";
import "@/app/api/comments/[id]/route";
import "@/app/api/health/route";
import "@/app/api/invites/[token]/route";
import "@/app/api/me/route";
import "@/app/api/notifications/events/route";
import "@/app/api/notifications/read/route";
import "@/app/api/notifications/route";
import "@/app/api/openapi.json/route";
import "@/app/api/records/[id]/comments/route";
import "@/app/api/records/[id]/events/route";
import "@/app/api/records/[id]/follow/route";
import "@/app/api/records/[id]/lease/route";
import "@/app/api/records/[id]/reservations/[reservationId]/route";
import "@/app/api/records/[id]/reservations/route";
import "@/app/api/records/[id]/restore/route";
import "@/app/api/records/[id]/revisions/[version]/restore/route";
import "@/app/api/records/[id]/revisions/[version]/route";
import "@/app/api/records/[id]/revisions/route";
import "@/app/api/records/[id]/route";
import "@/app/api/schema/events/route";
import "@/app/api/session/route";
import "@/app/api/tokens/[id]/route";
import "@/app/api/tokens/route";
import "@/app/api/users/[id]/reset/route";
import "@/app/api/users/[id]/route";
import "@/app/api/users/route";
import "@/app/api/views/[id]/route";
