import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageActor } from "@/app/_lib/session";
import { RecordHistory } from "@/components/record-history";
import { RelativeTime } from "@/components/relative-time";
import { hasRole } from "@/lib/auth/actor";
import { isFollowing } from "@/lib/follows";
import { listPeople } from "@/lib/notifications";
import { loadRecord, toRecordView } from "@/lib/records/queries";
import { getReservationSummary } from "@/lib/reservations/queries";
import { CommentsPanel } from "./_components/comments-panel";
import { FollowButton } from "./_components/follow-button";
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
  // Null unless the record's collection takes reservations (a capacity field).
  const [reservations, following, people] = await Promise.all([
    getReservationSummary(db, record.id),
    isFollowing(db, actor.id, record.id),
    listPeople(db),
  ]);
  return (
    <div className="stack">
      <div className="row">
        {back}
        <span className="spacer" />
        <FollowButton recordId={record.id} initialFollowing={following} />
      </div>
      <RecordEditor
        initialRecord={toRecordView(record)}
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
      {reservations ? (
        <ReservationsPanel
          recordId={record.id}
          initialSummary={reservations}
          me={{ id: actor.id, name: actor.name }}
          canReserve={hasRole(actor, "editor")}
          isAdmin={hasRole(actor, "admin")}
        />
      ) : null}
      <CommentsPanel
        recordId={record.id}
        me={{ id: actor.id, name: actor.name }}
        people={people}
        canComment={hasRole(actor, "editor")}
      />
      <RecordHistory recordId={record.id} fields={record.fields} canRestore={hasRole(actor, "editor")} />
    </div>
  );
}
