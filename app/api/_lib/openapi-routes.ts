/**
 * Every API route file, imported for its `registerRoute(...)` calls: a new route joins the
 * OpenAPI document with one `registerRoute` beside its schemas and one line here.
 */
import "@/app/api/collections/[slug]/records/route";
import "@/app/api/collections/route";
import "@/app/api/health/route";
import "@/app/api/openapi.json/route";
import "@/app/api/records/[id]/events/route";
import "@/app/api/records/[id]/lease/route";
import "@/app/api/records/[id]/reservations/[reservationId]/route";
import "@/app/api/records/[id]/reservations/route";
import "@/app/api/records/[id]/revisions/[version]/route";
import "@/app/api/records/[id]/revisions/route";
import "@/app/api/records/[id]/route";
import "@/app/api/session/route";
