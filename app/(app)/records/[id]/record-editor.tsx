"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { fetchRecord } from "@/components/api-client";
import { ConflictDialog, Modal } from "@/components/conflict/conflict-dialog";
import { clearDraft, type Draft, loadDraft, storeDraft } from "@/components/drafts";
import { LeaseBanner } from "@/components/lease/lease-banner";
import { useLease } from "@/components/lease/use-lease";
import { PresenceBar } from "@/components/presence-bar";
import { RecordFields } from "@/components/record-fields";
import { RelativeTime } from "@/components/relative-time";
import { useLeaveWarning } from "@/components/use-leave-warning";
import { useRecordEvents } from "@/components/use-record-events";
import type { EditMode, RecordData } from "@/db/schema";
import { displayValue, type FieldDefinition, type RecordInput, validateChanges } from "@/lib/fields";
import { type FormValues, formValuesDiffer, fromFormValues, toFormValues } from "@/lib/form-values";
import { queryKeys } from "@/lib/query-keys";
import { carryDecisions, type Decision, threeWayMerge } from "@/lib/records/merge";
import type { RecordView, RevisionView, UserRef } from "@/lib/records/record-view";
import type { DeletedInfo, SaveError, UpdateAction } from "@/lib/records/save-record";
import { deleteRecordAction, restoreRecordAction, saveRecordAction } from "./actions";

type Collection = { slug: string; name: string; fields: FieldDefinition[]; editMode: EditMode };

/** What the form is based on: frozen when editing starts, moved only by our own saves. */
type Base = { version: number; data: RecordData };

/** The field-by-field merge is derived on every render from the form as it is now. */
type Conflict = { current: RecordView; changes: RevisionView[]; open: boolean };

type Status =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved"; version: number; action: UpdateAction | "restore" }
  | { kind: "error"; message: string; retry: (() => void) | null };

/** `form` is what the form held when the request was made: typing after it must survive. */
type SaveRequest = { form: FormValues } & (
  | { kind: "save"; action: UpdateAction; againstVersion: number; values: RecordInput }
  | { kind: "restore"; deletedVersion: number; values: RecordInput }
);

const DONE_WORDS: Record<UpdateAction | "restore", string> = {
  update: "Saved",
  merge: "Merged",
  overwrite: "Overwritten",
  restore: "Restored",
};

function combineChanges(earlier: RevisionView[], later: RevisionView[], after: number): RevisionView[] {
  const byVersion = new Map<number, RevisionView>();
  for (const revision of [...earlier, ...later])
    if (revision.version > after) byVersion.set(revision.version, revision);
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

export function RecordEditor({
  initialRecord,
  collection,
  me,
  canEdit,
  isAdmin,
}: {
  initialRecord: RecordView;
  collection: Collection;
  me: UserRef;
  canEdit: boolean;
  isAdmin: boolean;
}) {
  const { fields } = collection;
  const recordId = initialRecord.id;
  const router = useRouter();
  const queryClient = useQueryClient();
  const recordKey = queryKeys.record(recordId);
  // Server state: refetched in the background. It never moves `base` (DESIGN.md guarantee 4).
  const latest = useQuery({
    queryKey: recordKey,
    queryFn: () => fetchRecord(recordId),
    initialData: initialRecord,
    refetchInterval: 15_000,
  });
  const [base, setBase] = useState<Base>({ version: initialRecord.version, data: initialRecord.data });
  const [values, setValues] = useState<FormValues>(() => toFormValues(fields, initialRecord.data));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [decisions, setDecisions] = useState<Record<string, Decision>>({});
  const [deleted, setDeleted] = useState<(DeletedInfo & { open: boolean }) | null>(null);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [draftOffer, setDraftOffer] = useState<Draft | null>(null);
  const [discarded, setDiscarded] = useState<Draft | null>(null);
  const [draftsReady, setDraftsReady] = useState(false);
  const saveId = useRef<string | null>(null);
  // Lease collections: only the holder of the edit lease gets a form (DESIGN.md guarantee 6).
  const leased = collection.editMode === "lease";
  const lease = useLease(recordId, { enabled: leased, watchOnly: !canEdit });
  const editable = canEdit && (!leased || lease.status === "held");

  const baseValues = useMemo(() => toFormValues(fields, base.data), [fields, base.data]);
  const dirty = formValuesDiffer(values, baseValues);
  const mine = fromFormValues(fields, values, base.data);
  const newer = latest.data && latest.data.version > base.version ? latest.data : null;
  const merges = useMemo(
    () =>
      conflict
        ? threeWayMerge(fields, base.data, fromFormValues(fields, values, base.data), conflict.current.data)
        : [],
    [conflict, fields, base.data, values],
  );
  const valuesNow = useRef(values);
  valuesNow.current = values;
  const goneInBackground = latest.isError && (latest.error as { status?: number }).status === 404;
  useLeaveWarning(dirty);
  const present = useRecordEvents(recordId, { onLease: lease.nudge, editing: editable && dirty, me: me.id });

  // A draft left by a reload or a crashed tab is offered, never applied silently.
  useEffect(() => {
    const draft = loadDraft(recordId);
    if (draft && formValuesDiffer(draft.values, toFormValues(fields, draft.baseData))) setDraftOffer(draft);
    setDiscarded(loadDraft(recordId, "discarded"));
    setDraftsReady(true);
  }, [recordId, fields]);

  // Keep the local draft in step with the form while typing (not while a draft is on offer).
  useEffect(() => {
    if (!draftsReady || draftOffer) return;
    const timer = setTimeout(() => {
      if (dirty) storeDraft({ recordId, baseVersion: base.version, baseData: base.data, values });
      else clearDraft(recordId);
    }, 250);
    return () => clearTimeout(timer);
  }, [draftsReady, draftOffer, dirty, recordId, base, values]);

  function startFrom(record: RecordView) {
    setBase({ version: record.version, data: record.data });
    setValues(toFormValues(fields, record.data));
    setErrors({});
    setConflict(null);
    setDecisions({});
    setDeleted(null);
    queryClient.setQueryData(recordKey, record);
    void queryClient.invalidateQueries({ queryKey: queryKeys.revisions(record.id) });
  }

  function resumeDraft(draft: Draft) {
    setBase({ version: draft.baseVersion, data: draft.baseData });
    setValues(draft.values);
    setErrors({});
    setDraftOffer(null);
    setDiscarded(null);
    clearDraft(recordId, "discarded");
  }

  function onConflict(error: Extract<SaveError, { code: "conflict" }>) {
    if (conflict) {
      // A newer conflict: keep the decisions whose field nobody changed again.
      const before = threeWayMerge(fields, base.data, mine, conflict.current.data);
      const after = threeWayMerge(fields, base.data, mine, error.current.data);
      setDecisions((previous) => carryDecisions(before, after, previous));
    } else {
      setDecisions({});
    }
    setDeleted(null); // one conflict surface at a time
    setConflict({
      current: error.current,
      changes: combineChanges(conflict?.changes ?? [], error.changes, base.version),
      open: true,
    });
    queryClient.setQueryData(recordKey, error.current);
  }

  /** A save landed. If the user typed meanwhile (after a lost answer), keep that typing on the new base. */
  function landed(record: RecordView, request: SaveRequest) {
    if (formValuesDiffer(valuesNow.current, request.form)) {
      setBase({ version: record.version, data: record.data });
      setConflict(null);
      setDecisions({});
      setDeleted(null);
      queryClient.setQueryData(recordKey, record);
      void queryClient.invalidateQueries({ queryKey: queryKeys.revisions(record.id) });
    } else {
      startFrom(record);
      clearDraft(recordId);
    }
  }

  async function send(request: SaveRequest, retry = false) {
    // A retry after a lost answer re-sends the same save id, so it cannot apply twice.
    if (!retry || !saveId.current) saveId.current = crypto.randomUUID();
    const id = saveId.current;
    setStatus({ kind: "saving" });
    const again = () => void send(request, true);
    try {
      const result =
        request.kind === "restore"
          ? await restoreRecordAction({
              recordId,
              deletedVersion: request.deletedVersion,
              values: request.values,
              saveId: id,
            })
          : await saveRecordAction({
              recordId,
              baseVersion: request.againstVersion,
              values: request.values,
              action: request.action,
              saveId: id,
            });
      if (result.ok) {
        saveId.current = null;
        landed(result.record, request);
        setStatus({
          kind: "saved",
          version: result.record.version,
          action: request.kind === "restore" ? "restore" : request.action,
        });
        return;
      }
      const { error } = result;
      setStatus({ kind: "idle" });
      switch (error.code) {
        case "conflict":
          onConflict(error);
          break;
        case "not_found":
          setConflict(null); // one conflict surface at a time
          if (error.deleted) setDeleted({ ...error.deleted, open: true });
          else setStatus({ kind: "error", message: "This record no longer exists.", retry: null });
          break;
        case "invalid":
          setErrors(error.fields);
          if (conflict) setConflict({ ...conflict, open: false });
          break;
        case "idempotency_mismatch":
          saveId.current = null;
          setStatus({ kind: "error", message: "That save could not be matched; please save again.", retry: null });
          break;
        case "unavailable":
        case "internal":
          setStatus({ kind: "error", message: error.message, retry: again });
          break;
        default:
          setStatus({ kind: "error", message: error.message, retry: null });
      }
    } catch {
      setStatus({
        kind: "error",
        message: "The server could not be reached. Your edits are kept; try again.",
        retry: again,
      });
    }
  }

  function save() {
    // Only what this save changes must fit: values a schema change left unfit do not block it.
    const checked = validateChanges(fields, base.data, mine);
    if (!checked.ok) {
      setErrors(checked.fields);
      return;
    }
    void send({ kind: "save", action: "update", againstVersion: base.version, values: mine, form: values });
  }

  async function remove() {
    setConfirmingDelete(false);
    setStatus({ kind: "saving" });
    try {
      const result = await deleteRecordAction({ recordId, baseVersion: base.version, saveId: crypto.randomUUID() });
      if (result.ok) {
        clearDraft(recordId);
        router.push(`/collections/${collection.slug}`);
        router.refresh();
        return;
      }
      const { error } = result;
      setStatus({ kind: "idle" });
      if (error.code === "conflict") onConflict(error);
      else if (error.code === "not_found" && error.deleted) {
        setConflict(null);
        setDeleted({ ...error.deleted, open: true });
      } else
        setStatus({ kind: "error", message: "message" in error ? error.message : "Could not delete.", retry: null });
    } catch {
      setStatus({ kind: "error", message: "The server could not be reached. Try again.", retry: null });
    }
  }

  const saving = status.kind === "saving";
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
          Last saved by {latest.data?.updatedBy.name ?? initialRecord.updatedBy.name}{" "}
          <RelativeTime iso={latest.data?.updatedAt ?? initialRecord.updatedAt} />
        </span>
      </div>

      <PresenceBar users={present} me={me.id} />

      {leased ? <LeaseBanner lease={lease} me={me.id} isAdmin={isAdmin} canEdit={canEdit} /> : null}

      {leased && editable && dirty && lease.lostTo ? (
        <div className="notice row" role="status">
          <span>
            You have the record again. Your earlier edits are back in the form; saving shows what changed meanwhile.
          </span>
        </div>
      ) : null}

      {draftOffer ? (
        <div className="notice warn row" role="status">
          <span>
            You have unsaved changes from <RelativeTime iso={draftOffer.savedAt} /> (started from version{" "}
            {draftOffer.baseVersion}).
          </span>
          <button type="button" className="primary" onClick={() => resumeDraft(draftOffer)}>
            Restore your unsaved changes
          </button>
          <button
            type="button"
            onClick={() => {
              clearDraft(recordId);
              setDraftOffer(null);
            }}
          >
            Discard them
          </button>
        </div>
      ) : null}

      {discarded ? (
        <div className="notice row" role="status">
          <span>
            Your discarded edits from <RelativeTime iso={discarded.savedAt} /> are still kept in this browser.
          </span>
          <button type="button" onClick={() => resumeDraft(discarded)}>
            Bring my edits back
          </button>
          <button
            type="button"
            onClick={() => {
              clearDraft(recordId, "discarded");
              setDiscarded(null);
            }}
          >
            Forget them
          </button>
        </div>
      ) : null}

      {newer && !conflict ? (
        <div className="notice warn" role="status">
          {newer.updatedBy.name} saved a newer version (version {newer.version}) <RelativeTime iso={newer.updatedAt} />.{" "}
          {dirty ? (
            "Keep editing: when you save, you will see what they changed and decide field by field."
          ) : (
            <button type="button" className="link" onClick={() => startFrom(newer)}>
              Load the latest version
            </button>
          )}
        </div>
      ) : null}

      {goneInBackground && !deleted ? (
        <div className="notice warn" role="status">
          This record has just been deleted by someone else.{" "}
          {dirty ? "Your edits are kept; saving will let you restore it with them." : null}
        </div>
      ) : null}

      {conflict && !conflict.open ? (
        <div className="notice warn row" role="status">
          <span>Someone saved while you were editing; your save is on hold.</span>
          <button type="button" className="primary" onClick={() => setConflict({ ...conflict, open: true })}>
            Review changes
          </button>
        </div>
      ) : null}

      {deleted && !deleted.open ? (
        <div className="notice error row" role="status">
          <span>
            {deleted.by.name} deleted this record <RelativeTime iso={deleted.at} />.
          </span>
          <button type="button" onClick={() => setDeleted({ ...deleted, open: true })}>
            Decide what to do
          </button>
        </div>
      ) : null}

      {status.kind === "error" ? (
        <div className="notice error row" role="alert">
          <span>{status.message}</span>
          {status.retry ? (
            <button type="button" onClick={status.retry}>
              Try again
            </button>
          ) : null}
        </div>
      ) : null}

      {status.kind === "saved" && !dirty ? (
        <p className="notice ok" role="status">
          {DONE_WORDS[status.action]} — version {status.version}.
        </p>
      ) : null}

      <form
        className="panel stack"
        aria-label={`Edit ${collection.name} record`}
        onSubmit={(event) => {
          event.preventDefault();
          save();
        }}
        noValidate
      >
        {editable ? (
          <RecordFields
            fields={fields}
            values={values}
            errors={errors}
            disabled={saving}
            onChange={(key, value) => {
              setValues((v) => ({ ...v, [key]: value }));
              setErrors(({ [key]: _, ...rest }) => rest);
              if (status.kind === "saved") setStatus({ kind: "idle" });
            }}
          />
        ) : (
          <ReadOnlyRecord fields={fields} data={latest.data?.data ?? base.data} />
        )}
        {editable ? (
          <div className="row">
            <button type="submit" className="primary" disabled={saving || !dirty}>
              {saving ? "Saving…" : "Save"}
            </button>
            {dirty ? <span className="muted small">Unsaved changes — kept as a draft in this browser</span> : null}
            <span className="spacer" />
            {confirmingDelete ? (
              <span className="row">
                <span>Delete this record?</span>
                <button type="button" className="danger" onClick={() => void remove()}>
                  Yes, delete
                </button>
                <button type="button" onClick={() => setConfirmingDelete(false)}>
                  Cancel
                </button>
              </span>
            ) : (
              <button type="button" className="danger" onClick={() => setConfirmingDelete(true)} disabled={saving}>
                Delete
              </button>
            )}
          </div>
        ) : canEdit ? null : (
          <p className="muted small">You can view this record; editing needs the editor role.</p>
        )}
      </form>

      {conflict?.open ? (
        <ConflictDialog
          fields={fields}
          baseVersion={base.version}
          current={conflict.current}
          changes={conflict.changes}
          merges={merges}
          decisions={decisions}
          busy={saving}
          onDecide={(key, decision) => setDecisions((d) => ({ ...d, [key]: decision }))}
          onMerge={(merged) =>
            void send({
              kind: "save",
              action: "merge",
              againstVersion: conflict.current.version,
              values: merged,
              form: values,
            })
          }
          onOverwrite={() =>
            void send({
              kind: "save",
              action: "overwrite",
              againstVersion: conflict.current.version,
              values: mine,
              form: values,
            })
          }
          onDiscard={() => {
            setDiscarded(storeDraft({ recordId, baseVersion: base.version, baseData: base.data, values }, "discarded"));
            startFrom(conflict.current);
            clearDraft(recordId);
          }}
          onClose={() => setConflict({ ...conflict, open: false })}
        />
      ) : null}

      {deleted?.open ? (
        <Modal
          testId="deleted-dialog"
          title={`${deleted.by.name} deleted this record while you were editing`}
          description={
            <>
              Deleted <RelativeTime iso={deleted.at} />. Your edits are still here: bring the record back with them, or
              drop them.
            </>
          }
          onClose={() => setDeleted({ ...deleted, open: false })}
          footer={
            <>
              <button
                type="button"
                className="primary"
                disabled={saving}
                onClick={() =>
                  void send({ kind: "restore", deletedVersion: deleted.version, values: mine, form: values })
                }
              >
                Restore with my edits
              </button>
              <button
                type="button"
                disabled={saving}
                onClick={() => {
                  clearDraft(recordId);
                  setValues(baseValues);
                  router.push(`/collections/${collection.slug}`);
                }}
              >
                Drop my edits
              </button>
              <span className="spacer" />
              <button type="button" onClick={() => setDeleted({ ...deleted, open: false })}>
                Keep editing
              </button>
            </>
          }
        >
          <p>
            Restoring creates a new version (the record&apos;s history keeps the deletion). Dropping your edits leaves
            the record deleted.
          </p>
        </Modal>
      ) : null}
    </div>
  );
}

function ReadOnlyRecord({ fields, data }: { fields: readonly FieldDefinition[]; data: RecordData }) {
  return (
    <dl className="form-grid">
      {fields.map((field) => (
        <div key={field.key} className={`field${field.type === "longtext" ? " wide" : ""}`}>
          <dt className="muted small">{field.label}</dt>
          <dd style={{ margin: 0, whiteSpace: "pre-wrap" }}>{displayValue(field, data[field.key])}</dd>
        </div>
      ))}
    </dl>
  );
}
