"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useReducer } from "react";
import { fetchRecord } from "@/components/api-client";
import { RecordFields } from "@/components/record-fields";
import { RelativeTime } from "@/components/relative-time";
import type { EditMode, RecordData } from "@/db/schema";
import { displayValue, type FieldDefinition } from "@/lib/fields";
import { queryKeys } from "@/lib/query-keys";
import type { RecordView, RevisionView, UserRef } from "@/lib/records/record-view";
import { EditorDialogs } from "./_components/editor-dialogs";
import { EditorNotices } from "./_components/editor-notices";
import {
  type Access,
  type ConflictOrigin,
  editorReducer,
  initialEditorState,
  isDirty,
} from "./_components/editor-state";
import { EditorToolbar } from "./_components/editor-toolbar";
import { LeaseBanner } from "./_components/lease/lease-banner";
import { type LeaseStatus, useLease } from "./_components/lease/use-lease";
import { PresenceBar } from "./_components/presence-bar";
import { ReadOnlyRecord } from "./_components/read-only-record";
import { useDraft } from "./_components/use-draft";
import { useAccessRevocation, useConflictOpeners } from "./_components/use-editor-events";
import { useLeaveWarning } from "./_components/use-leave-warning";
import { useRecordEvents } from "./_components/use-record-events";
import { useSaveRecord } from "./_components/use-save-record";
import { useSchemaChanges } from "./_components/use-schema-changes";

type Collection = { slug: string; name: string; fields: FieldDefinition[]; editMode: EditMode };

/**
 * Open the three-way dialog as soon as the form is editable, with these values as "mine"
 * against `base` (the version the person was looking at; `initialRecord` when absent) and
 * theirs = `initialRecord`, with the `changes` since base: restoring an old version
 * (`?restore=<version>[&from=<version>]` on the record page), or a bulk edit's values. See
 * `editor-state.ts`.
 */
export type OpenConflict = {
  mine: RecordData;
  origin: ConflictOrigin;
  base?: { version: number; data: RecordData };
  changes?: RevisionView[];
};

function accessOf(canEdit: boolean, leased: boolean, lease: LeaseStatus): Access {
  if (!canEdit) return "read_only";
  if (!leased || lease === "held") return "edit";
  return lease === "lost" ? "lease_lost" : "read_only";
}

/**
 * The record page's form. State lives in one reducer (`_components/editor-state.ts`, unit
 * tested); this component wires it to the server (`use-save-record.ts`), the browser's
 * drafts (`use-draft.ts`), the edit lease and the live events, and renders the parts.
 */
export function RecordEditor({
  initialRecord,
  collection,
  me,
  canEdit,
  isAdmin,
  openConflict,
}: {
  initialRecord: RecordView;
  collection: Collection;
  me: UserRef;
  canEdit: boolean;
  isAdmin: boolean;
  openConflict?: OpenConflict;
}) {
  const recordId = initialRecord.id;
  // Lease collections: only the holder of the edit lease gets a form (DESIGN.md guarantee 6).
  const leased = collection.editMode === "lease";
  const lease = useLease(recordId, { enabled: leased, watchOnly: !canEdit });
  // This person's access changed while the page is open (guarantee 12): read-only, edits kept.
  const revoked = useAccessRevocation();
  const access = accessOf(canEdit && revoked === null, leased, lease.status);
  const [state, dispatch] = useReducer(editorReducer, null, () =>
    initialEditorState(collection.fields, initialRecord, access),
  );
  // Follow the lease in the same render (no frame with a stale form).
  if (state.access !== access) dispatch({ type: "access_changed", access });
  const editable = state.access === "edit";

  // Server state: refetched in the background. It never moves the form's base (DESIGN.md guarantee 4).
  const latest = useQuery({
    queryKey: queryKeys.record(recordId),
    queryFn: () => fetchRecord(recordId),
    initialData: initialRecord,
    refetchInterval: 15_000,
  });
  const gone = latest.isError && (latest.error as { status?: number }).status === 404;
  useEffect(() => {
    if (latest.data) dispatch({ type: "remote_changed", record: latest.data, gone });
  }, [latest.data, gone]);

  const drafts = useDraft(recordId, state, dispatch);
  const writes = useSaveRecord({ recordId, collectionSlug: collection.slug, state, dispatch });
  const dirty = isDirty(state);
  useLeaveWarning(dirty);
  // The collection's fields changed (an admin, issue 11): the form offers to reload them.
  const checkSchema = useSchemaChanges(collection.slug, state.schemaChange?.fields ?? state.fields, (fields) =>
    dispatch({ type: "schema_changed", fields }),
  );
  const present = useRecordEvents(recordId, {
    onLease: lease.nudge,
    editing: editable && dirty,
    me: me.id,
    onSchema: checkSchema,
  });

  useConflictOpeners({ recordId, initialRecord, openConflict, editable, state, dispatch, drafts });

  const { fields, base } = state;
  const saving = state.pending !== null;
  const titleField = fields[0];
  const title = displayValue(titleField, base.data[titleField?.key ?? ""]);

  return (
    <div className="stack">
      <div className="row">
        <h1 style={{ margin: 0 }}>{title}</h1>
        <span className="pill" data-testid="record-version">
          version {base.version}
        </span>
        <span className="spacer" />
        <span className="muted small">
          Last saved by {state.latest.updatedBy.name} <RelativeTime iso={state.latest.updatedAt} />
        </span>
      </div>

      <PresenceBar users={present} me={me.id} />

      {leased ? <LeaseBanner lease={lease} me={me.id} isAdmin={isAdmin} canEdit={canEdit} /> : null}

      <EditorNotices
        state={state}
        leaseRegained={leased && editable && lease.lostTo !== null}
        actions={{
          dispatch,
          drafts,
          loadLatest: (record) => {
            dispatch({ type: "latest_loaded", record });
            writes.settle(record);
          },
          retry: (request) => void writes.send(request, true),
        }}
      />

      <form
        className="panel stack"
        aria-label={`Edit ${collection.name} record`}
        onSubmit={(event) => {
          event.preventDefault();
          writes.save();
        }}
        noValidate
      >
        {editable ? (
          <RecordFields
            fields={fields}
            values={state.values}
            errors={state.errors}
            disabled={saving}
            onChange={(key, value) => dispatch({ type: "edited", key, value })}
          />
        ) : revoked && dirty ? (
          // Access ended with edits in the form: they stay visible (and in the draft), not editable.
          <RecordFields fields={fields} values={state.values} errors={state.errors} disabled onChange={() => {}} />
        ) : (
          <ReadOnlyRecord fields={fields} data={state.latest.data} />
        )}
        {editable ? (
          <EditorToolbar
            saving={saving}
            dirty={dirty}
            confirmingDelete={state.confirmingDelete}
            dispatch={dispatch}
            onDelete={() => void writes.remove()}
          />
        ) : canEdit && !revoked ? null : revoked ? (
          <p className="muted small" data-testid="read-only-reason">
            {revoked.ended
              ? "Saving is off until you can sign in again."
              : "You can view this record; editing needs the editor role."}{" "}
            {dirty ? "Your edits are kept as a draft in this browser." : null}
          </p>
        ) : (
          <p className="muted small">You can view this record; editing needs the editor role.</p>
        )}
      </form>

      <EditorDialogs
        state={state}
        dispatch={dispatch}
        drafts={drafts}
        writes={writes}
        editable={editable}
        collectionSlug={collection.slug}
      />
    </div>
  );
}
