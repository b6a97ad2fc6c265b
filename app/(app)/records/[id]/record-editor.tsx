"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useReducer, useRef, useState } from "react";
import { fetchRecord } from "@/components/api-client";
import { RecordFields } from "@/components/record-fields";
import { RelativeTime } from "@/components/relative-time";
import { RESTORE_CONFLICT_EVENT, type RestoreConflictDetail } from "@/components/restore-conflict-event";
import type { EditMode, RecordData } from "@/db/schema";
import { displayValue, type FieldDefinition } from "@/lib/fields";
import { queryKeys } from "@/lib/query-keys";
import type { RecordView, RevisionView, UserRef } from "@/lib/records/record-view";
import { ConflictDialog } from "./_components/conflict-dialog";
import { DeletedDialog } from "./_components/deleted-dialog";
import { EditorNotices } from "./_components/editor-notices";
import {
  type Access,
  type ConflictOrigin,
  conflictMerges,
  editorPhase,
  editorReducer,
  initialEditorState,
  isDirty,
  mineValues,
} from "./_components/editor-state";
import { EditorToolbar } from "./_components/editor-toolbar";
import { LeaseBanner } from "./_components/lease/lease-banner";
import { type LeaseStatus, useLease } from "./_components/lease/use-lease";
import { PresenceBar } from "./_components/presence-bar";
import { ReadOnlyRecord } from "./_components/read-only-record";
import { useDraft } from "./_components/use-draft";
import { useLeaveWarning } from "./_components/use-leave-warning";
import { ACCESS_EVENT, type AccessChange, useRecordEvents } from "./_components/use-record-events";
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
  const router = useRouter();
  // Lease collections: only the holder of the edit lease gets a form (DESIGN.md guarantee 6).
  const leased = collection.editMode === "lease";
  const lease = useLease(recordId, { enabled: leased, watchOnly: !canEdit });
  // This person's access changed while the page is open (guarantee 12): a role lowered to
  // viewer, a deactivation or a sign-out turns the form read-only; the edits stay (draft).
  const [revoked, setRevoked] = useState<AccessChange | null>(null);
  useEffect(() => {
    const onAccess = (event: Event) => {
      const change = (event as CustomEvent<AccessChange>).detail;
      setRevoked(change.ended || change.role === "viewer" ? change : null);
    };
    window.addEventListener(ACCESS_EVENT, onAccess);
    return () => window.removeEventListener(ACCESS_EVENT, onAccess);
  }, []);
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

  const opened = useRef(false);
  useEffect(() => {
    if (!openConflict || opened.current || !editable || !state.drafts.ready) return;
    opened.current = true;
    dispatch({
      type: "conflict_opened",
      base: openConflict.base ?? { version: initialRecord.version, data: initialRecord.data },
      mine: openConflict.mine,
      current: initialRecord,
      changes: openConflict.changes ?? [],
      origin: openConflict.origin,
    });
  }, [openConflict, editable, state.drafts.ready, initialRecord]);

  // A stale "Restore this version" in the history (restore-conflict-event.ts): the same
  // three-way dialog, base = the version looked at, mine = the old values, theirs = the latest.
  const now = useRef({ state, drafts });
  now.current = { state, drafts };
  useEffect(() => {
    const onRestoreConflict = (event: Event) => {
      const detail = (event as CustomEvent<RestoreConflictDetail>).detail;
      const current = now.current.state;
      if (detail.recordId !== recordId || editorPhase(current) !== "editing") return;
      event.preventDefault();
      dispatch({
        type: "conflict_opened",
        base: detail.base,
        mine: detail.mine,
        current: detail.current,
        changes: detail.changes,
        origin: { kind: "restore", version: detail.version },
        keptAside: isDirty(current) ? now.current.drafts.setAside() : undefined,
      });
    };
    window.addEventListener(RESTORE_CONFLICT_EVENT, onRestoreConflict);
    return () => window.removeEventListener(RESTORE_CONFLICT_EVENT, onRestoreConflict);
  }, [recordId]);

  const merges = useMemo(() => conflictMerges(state), [state]);
  const { fields, surface, base } = state;
  const saving = state.pending !== null;
  const mine = mineValues(state);
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

      {editable && surface.kind === "conflict" && surface.open ? (
        <ConflictDialog
          fields={fields}
          baseVersion={base.version}
          current={surface.current}
          changes={surface.changes}
          origin={surface.origin}
          merges={merges}
          decisions={surface.decisions}
          busy={saving}
          onDecide={(key, decision) => dispatch({ type: "decided", key, decision })}
          onMerge={(merged) =>
            void writes.send({
              kind: "save",
              action: "merge",
              againstVersion: surface.current.version,
              values: merged,
              form: state.values,
            })
          }
          onOverwrite={() =>
            void writes.send({
              kind: "save",
              action: "overwrite",
              againstVersion: surface.current.version,
              values: mine,
              form: state.values,
            })
          }
          onDiscard={() => {
            dispatch({ type: "discarded_mine", kept: drafts.setAside() });
            writes.settle(surface.current);
            drafts.dismiss();
          }}
          onClose={() => dispatch({ type: "surface_closed" })}
        />
      ) : null}

      {editable && surface.kind === "deleted" && surface.open ? (
        <DeletedDialog
          deleted={surface.deleted}
          busy={saving}
          onRestore={() =>
            void writes.send({
              kind: "restore",
              deletedVersion: surface.deleted.version,
              values: mine,
              form: state.values,
            })
          }
          onDrop={() => {
            drafts.dismiss();
            dispatch({ type: "edits_dropped" });
            router.push(`/collections/${collection.slug}`);
          }}
          onClose={() => dispatch({ type: "surface_closed" })}
        />
      ) : null}
    </div>
  );
}
