"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { fetchRecord } from "@/components/api-client";
import { RecordFields } from "@/components/record-fields";
import { RecordHistory } from "@/components/record-history";
import { RelativeTime } from "@/components/relative-time";
import type { RecordData } from "@/db/schema";
import { displayValue, type FieldDefinition, validateRecord } from "@/lib/fields";
import { type FormValues, formValuesDiffer, fromFormValues, toFormValues } from "@/lib/form-values";
import { queryKeys } from "@/lib/query-keys";
import type { RecordView, RevisionView, UserRef } from "@/lib/records/record-view";
import type { UpdateAction } from "@/lib/records/save-record";
import { deleteRecordAction, saveRecordAction } from "./actions";

type Collection = { slug: string; name: string; fields: FieldDefinition[] };

/** What the form is based on: frozen when editing starts, moved only by our own saves. */
type Base = { version: number; data: RecordData };

type Status =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved"; version: number }
  | { kind: "conflict"; current: RecordView; changes: RevisionView[] }
  | { kind: "deleted"; at: string; by: UserRef }
  | { kind: "error"; message: string; retry: UpdateAction | null };

export function RecordEditor({
  initialRecord,
  collection,
  canEdit,
}: {
  initialRecord: RecordView;
  collection: Collection;
  canEdit: boolean;
  me: UserRef;
}) {
  const { fields } = collection;
  const router = useRouter();
  const queryClient = useQueryClient();
  const recordKey = queryKeys.record(initialRecord.id);
  // Server state: refetched in the background. It never moves `base` (DESIGN.md guarantee 4).
  const latest = useQuery({
    queryKey: recordKey,
    queryFn: () => fetchRecord(initialRecord.id),
    initialData: initialRecord,
    refetchInterval: 15_000,
  });
  const [base, setBase] = useState<Base>({ version: initialRecord.version, data: initialRecord.data });
  const [values, setValues] = useState<FormValues>(() => toFormValues(fields, initialRecord.data));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const saveId = useRef<string | null>(null);

  const baseValues = useMemo(() => toFormValues(fields, base.data), [fields, base.data]);
  const dirty = formValuesDiffer(values, baseValues);
  const newer = latest.data && latest.data.version > base.version ? latest.data : null;

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  function startFrom(record: RecordView) {
    setBase({ version: record.version, data: record.data });
    setValues(toFormValues(fields, record.data));
    setErrors({});
    queryClient.setQueryData(recordKey, record);
    void queryClient.invalidateQueries({ queryKey: queryKeys.revisions(record.id) });
  }

  async function save(action: UpdateAction, againstVersion: number, retry = false) {
    const input = fromFormValues(fields, values, base.data);
    const checked = validateRecord(fields, input);
    if (!checked.ok) {
      setErrors(checked.fields);
      setStatus({ kind: "idle" });
      return;
    }
    // A retry after a lost answer re-sends the same save id, so it cannot apply twice.
    if (!retry || !saveId.current) saveId.current = crypto.randomUUID();
    setStatus({ kind: "saving" });
    try {
      const result = await saveRecordAction({
        recordId: initialRecord.id,
        baseVersion: againstVersion,
        values: input,
        action,
        saveId: saveId.current,
      });
      if (result.ok) {
        saveId.current = null;
        startFrom(result.record);
        setStatus({ kind: "saved", version: result.record.version });
        return;
      }
      const { error } = result;
      switch (error.code) {
        case "conflict":
          setStatus({ kind: "conflict", current: error.current, changes: error.changes });
          queryClient.setQueryData(recordKey, error.current);
          break;
        case "not_found":
          setStatus(
            error.deleted
              ? { kind: "deleted", at: error.deleted.at, by: error.deleted.by }
              : { kind: "error", message: "This record no longer exists.", retry: null },
          );
          break;
        case "invalid":
          setErrors(error.fields);
          setStatus({ kind: "idle" });
          break;
        case "idempotency_mismatch":
          saveId.current = null;
          setStatus({ kind: "error", message: "That save could not be matched; please save again.", retry: action });
          break;
        case "unavailable":
        case "internal":
          setStatus({ kind: "error", message: error.message, retry: action });
          break;
        default:
          setStatus({ kind: "error", message: error.message, retry: null });
      }
    } catch {
      setStatus({
        kind: "error",
        message: "The server could not be reached. Your edits are kept; try again.",
        retry: action,
      });
    }
  }

  async function remove() {
    setConfirmingDelete(false);
    setStatus({ kind: "saving" });
    try {
      const result = await deleteRecordAction({
        recordId: initialRecord.id,
        baseVersion: base.version,
        saveId: crypto.randomUUID(),
      });
      if (result.ok) {
        router.push(`/collections/${collection.slug}`);
        router.refresh();
        return;
      }
      const { error } = result;
      if (error.code === "conflict") setStatus({ kind: "conflict", current: error.current, changes: error.changes });
      else if (error.code === "not_found" && error.deleted)
        setStatus({ kind: "deleted", at: error.deleted.at, by: error.deleted.by });
      else setStatus({ kind: "error", message: "message" in error ? error.message : "Could not delete.", retry: null });
    } catch {
      setStatus({ kind: "error", message: "The server could not be reached. Try again.", retry: null });
    }
  }

  const saving = status.kind === "saving";
  const title = displayValue(fields[0], base.data[fields[0]?.key ?? ""]);

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

      {newer && status.kind !== "conflict" ? (
        <div className="notice warn" role="status">
          {newer.updatedBy.name} saved a newer version (version {newer.version}) <RelativeTime iso={newer.updatedAt} />.{" "}
          {dirty
            ? "Keep editing: when you save, you will see what they changed and decide field by field."
            : "You have no unsaved changes."}{" "}
          {!dirty ? (
            <button type="button" className="link" onClick={() => startFrom(newer)}>
              Load the latest version
            </button>
          ) : null}
        </div>
      ) : null}

      {status.kind === "conflict" ? (
        <ConflictNotice
          fields={fields}
          base={base}
          mine={fromFormValues(fields, values, base.data)}
          current={status.current}
          changes={status.changes}
          busy={saving}
          onOverwrite={() => void save("overwrite", status.current.version)}
          onDiscard={() => {
            startFrom(status.current);
            setStatus({ kind: "idle" });
          }}
        />
      ) : null}

      {status.kind === "deleted" ? (
        <div className="notice error" role="alert">
          <strong>
            {status.by.name} deleted this record <RelativeTime iso={status.at} />.
          </strong>{" "}
          Your edits were not saved; they are still in the form below so you can copy them.
        </div>
      ) : null}

      {status.kind === "error" ? (
        <div className="notice error row" role="alert">
          <span>{status.message}</span>
          {status.retry ? (
            <button type="button" onClick={() => void save(status.retry ?? "update", base.version, true)}>
              Try again
            </button>
          ) : null}
        </div>
      ) : null}

      {status.kind === "saved" && !dirty ? (
        <p className="notice ok" role="status">
          Saved — version {status.version}.
        </p>
      ) : null}

      <form
        className="panel stack"
        aria-label={`Edit ${collection.name} record`}
        onSubmit={(event) => {
          event.preventDefault();
          void save("update", base.version);
        }}
        noValidate
      >
        {canEdit ? (
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
        {canEdit ? (
          <div className="row">
            <button type="submit" className="primary" disabled={saving || !dirty || status.kind === "conflict"}>
              {saving ? "Saving…" : "Save"}
            </button>
            {dirty ? <span className="muted small">Unsaved changes</span> : null}
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
        ) : (
          <p className="muted small">You can view this record; editing needs the editor role.</p>
        )}
      </form>

      <RecordHistory recordId={initialRecord.id} fields={fields} />
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

/** Until the three-way dialog lands: who saved in between, what they changed, and a knowing choice. */
function ConflictNotice({
  fields,
  base,
  mine,
  current,
  changes,
  busy,
  onOverwrite,
  onDiscard,
}: {
  fields: readonly FieldDefinition[];
  base: Base;
  mine: Record<string, unknown>;
  current: RecordView;
  changes: RevisionView[];
  busy: boolean;
  onOverwrite: () => void;
  onDiscard: () => void;
}) {
  const label = (key: string) => fields.find((f) => f.key === key)?.label ?? key;
  const field = (key: string) => fields.find((f) => f.key === key);
  const people = [...new Set(changes.map((c) => c.user.name))];
  const reverted = Object.keys(current.data)
    .concat(Object.keys(base.data))
    .filter((key, i, all) => all.indexOf(key) === i)
    .filter(
      (key) =>
        (current.data[key] ?? null) !== (base.data[key] ?? null) && (mine[key] ?? null) !== (current.data[key] ?? null),
    );
  return (
    <section className="notice warn" role="alert" aria-labelledby="conflict-title">
      <h2 id="conflict-title">
        {people.join(" and ") || current.updatedBy.name} saved this record while you were editing
      </h2>
      <p>
        It is now at version {current.version} (you started from version {base.version}). Your values are still in the
        form — nothing you typed is lost.
      </p>
      <ul className="history">
        {changes.map((revision) => (
          <li key={revision.version}>
            <strong>{revision.user.name}</strong> · <RelativeTime iso={revision.at} /> ·{" "}
            <span className={`pill ${revision.action}`}>{revision.action}</span>
            <ul>
              {Object.entries(revision.changes).map(([key, change]) => (
                <li key={key} className="change">
                  {label(key)}: <span className="from">{displayValue(field(key), change.from)}</span> →{" "}
                  <strong>{displayValue(field(key), change.to)}</strong>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {reverted.length > 0 ? (
        <p className="small">Overwriting will revert their changes to: {reverted.map(label).join(", ")}.</p>
      ) : null}
      <div className="row">
        <button type="button" className="primary" onClick={onOverwrite} disabled={busy}>
          Overwrite
        </button>
        <button type="button" onClick={onDiscard} disabled={busy}>
          Discard mine
        </button>
      </div>
    </section>
  );
}
