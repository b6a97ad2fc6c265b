import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageActor } from "@/app/_lib/session";
import { RecordHistory } from "@/components/record-history";
import { ReferenceOptionsProvider } from "@/components/reference-options";
import { RelativeTime } from "@/components/relative-time";
import { hasRole } from "@/lib/auth/actor";
import { loadRecord, toRecordView } from "@/lib/records/queries";
import { referenceOptions } from "@/lib/records/reference-labels";
import { getReservationSummary } from "@/lib/reservations/queries";
import { FlaggedValues } from "./_components/flagged-values";
import { RecordEditor } from "./record-editor";
import { ReservationsPanel } from "./reservations-panel";

export const metadata: Metadata = { title: "Record" };

export default async function RecordPage({ params }: { params: Promise<{ id: string }> }) {
  const { db, actor } = await requirePageActor();
  const record = await loadRecord(db, (await params).id);
  if (!record) notFound();
  const back = (
    <p className="small">
      <Link href={`/collections/${record.collection}`}>← {record.collectionName}</Link>
    </p>
  );
  if (record.deletedAt) {
    return (
      <>
        {back}
        <div className="notice warn" role="status">
          <h1>This record was deleted</h1>
          <p>
            {record.deletedBy?.name ?? "Someone"} deleted it <RelativeTime iso={record.deletedAt} />.
          </p>
        </div>
      </>
    );
  }
  const view = toRecordView(record);
  // Null unless the record's collection takes reservations (a capacity field).
  const reservations = await getReservationSummary(db, record.id);
  return (
    <div className="stack">
      <div>{back}</div>
      <FlaggedValues fields={record.fields} invalid={view.invalid ?? {}} />
      <ReferenceOptionsProvider options={await referenceOptions(db, record.fields)}>
        <RecordEditor
          initialRecord={view}
          collection={{
            slug: record.collection,
            name: record.collectionName,
            fields: record.fields,
            editMode: record.editMode,
          }}
          me={{ id: actor.id, name: actor.name }}
          canEdit={hasRole(actor, "editor")}
          isAdmin={hasRole(actor, "admin")}
        />
      </ReferenceOptionsProvider>
      {reservations ? (
        <ReservationsPanel
          recordId={record.id}
          initialSummary={reservations}
          me={{ id: actor.id, name: actor.name }}
          canReserve={hasRole(actor, "editor")}
          isAdmin={hasRole(actor, "admin")}
        />
      ) : null}
      <RecordHistory recordId={record.id} fields={record.fields} />
    </div>
  );
}
