import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageActor } from "@/app/_lib/session";
import { ReferenceOptionsProvider } from "@/components/reference-options";
import { RelativeTime } from "@/components/relative-time";
import { hasRole } from "@/lib/auth/actor";
import { isFollowing } from "@/lib/follows";
import { isUuid } from "@/lib/ids";
import { listPeople } from "@/lib/notifications";
import { PG_INT_MAX } from "@/lib/pg-int";
import { deletedInfo, getRevision, loadRecord, revisionsSince, toRecordView } from "@/lib/records/queries";
import { referenceOptions } from "@/lib/records/reference-labels";
import { getReservationSummary } from "@/lib/reservations/queries";
import { AccessNotice } from "./_components/access-notice";
import { CommentsPanel } from "./_components/comments-panel";
import { FlaggedValues } from "./_components/flagged-values";
import { FollowButton } from "./_components/follow-button";
import { RecordHistory } from "./_components/record-history";
import { type OpenConflict, RecordEditor } from "./record-editor";
import { ReservationsPanel } from "./reservations-panel";

export const metadata: Metadata = { title: "Record" };

/**
 * `?restore=<version>[&from=<version>]`: open the editor's three-way dialog with that version's
 * values as "mine", against the version the person was looking at (`from`, default the latest)
 * as base, and the latest as theirs with what changed since `from`.
 */
function versionParam(value: string | string[] | undefined): number | null {
  const version = typeof value === "string" && /^[1-9][0-9]{0,9}$/.test(value) ? Number(value) : null;
  return version !== null && version <= PG_INT_MAX ? version : null;
}

export default async function RecordPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { db, actor } = await requirePageActor();
  // The id enters here from the URL: one that is not a uuid names no record.
  const { id } = await params;
  const record = isUuid(id) ? await loadRecord(db, id) : null;
  if (!record) notFound();
  const back = (
    <p className="small">
      <Link href={`/collections/${record.collection}`}>← {record.collectionName}</Link>
    </p>
  );
  const deleted = deletedInfo(record);
  if (deleted) {
    return (
      <>
        {back}
        <div className="notice warn" role="status">
          <h1>This record was deleted</h1>
          <p>
            {record.deletedBy?.name ?? "Someone"} deleted it <RelativeTime iso={deleted.at} />.
          </p>
        </div>
      </>
    );
  }
  const view = toRecordView(record);
  // Null unless the record's collection takes reservations (a capacity field).
  const [reservations, following, people] = await Promise.all([
    getReservationSummary(db, record.id),
    isFollowing(db, actor.id, record.id),
    listPeople(db),
  ]);
  const query = await searchParams;
  const restore = versionParam(query.restore);
  const from = versionParam(query.from);
  const lookedAt = from !== null && from < record.version ? from : null;
  const [old, base, changes] =
    restore !== null && restore < record.version
      ? await Promise.all([
          getRevision(db, record.id, restore),
          lookedAt !== null ? getRevision(db, record.id, lookedAt) : null,
          lookedAt !== null ? revisionsSince(db, record.id, lookedAt) : [],
        ])
      : [null, null, []];
  const openConflict: OpenConflict | undefined =
    old && restore !== null
      ? {
          mine: old.data,
          origin: { kind: "restore", version: restore },
          base: base && lookedAt !== null ? { version: lookedAt, data: base.data } : undefined,
          changes,
        }
      : undefined;
  return (
    <div className="stack">
      <div className="row">
        {back}
        <span className="spacer" />
        <FollowButton recordId={record.id} initialFollowing={following} />
      </div>
      <AccessNotice />
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
          openConflict={openConflict}
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
