import type { FieldDefinition } from "@/lib/fields";
import type { LeaseView } from "@/lib/leases/lease-view";
import type { RecordView, RevisionView } from "@/lib/records/record-view";
import type { ReservationSummary } from "@/lib/reservations/queries";

/** Reads for the browser, through the app's own HTTP API (same origin, session cookie). */
async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { message?: string } | null;
    throw Object.assign(new Error(body?.message ?? `Request failed (${response.status})`), { status: response.status });
  }
  return (await response.json()) as T;
}

export function fetchRecord(id: string): Promise<RecordView> {
  return getJson<RecordView>(`/api/records/${encodeURIComponent(id)}`);
}

export function fetchRevisions(id: string): Promise<RevisionView[]> {
  return getJson<RevisionView[]>(`/api/records/${encodeURIComponent(id)}/revisions?limit=100`);
}

export function fetchReservations(id: string): Promise<ReservationSummary> {
  return getJson<ReservationSummary>(`/api/records/${encodeURIComponent(id)}/reservations`);
}

/** The record's edit lease, or `{holder: null}` when nobody holds one. */
export function fetchLease(id: string): Promise<LeaseView | { holder: null }> {
  return getJson<LeaseView | { holder: null }>(`/api/records/${encodeURIComponent(id)}/lease`);
}

export type RevisionWithData = RevisionView & { data: Record<string, unknown> };

export function fetchRevision(id: string, version: number): Promise<RevisionWithData> {
  return getJson<RevisionWithData>(`/api/records/${encodeURIComponent(id)}/revisions/${version}`);
}

/** A collection's schema as `GET /api/collections/:slug` answers it (the fields the form shows). */
export type CollectionSchema = { slug: string; version: number; fields: FieldDefinition[] };

export function fetchCollection(slug: string): Promise<CollectionSchema> {
  return getJson<CollectionSchema>(`/api/collections/${encodeURIComponent(slug)}`);
}
