"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { fetchRevision, fetchRevisions } from "@/components/api-client";
import { RelativeTime } from "@/components/relative-time";
import type { RevisionAction } from "@/db/schema";
import { displayValue, type FieldDefinition } from "@/lib/fields";
import { queryKeys } from "@/lib/query-keys";
import type { RevisionView } from "@/lib/records/record-view";
import { RestoreVersionButton } from "./restore-version-button";

const ACTION_WORDS: Record<RevisionAction, string> = {
  create: "created",
  update: "updated",
  merge: "merged",
  overwrite: "overwrote",
  delete: "deleted",
  restore: "restored",
  revert: "restored an older version",
};

/** Every revision: who, when, what they did, each field's from → to, and every value at that version. */
export function RecordHistory({
  recordId,
  fields,
  canRestore = false,
}: {
  recordId: string;
  fields: readonly FieldDefinition[];
  canRestore?: boolean;
}) {
  const history = useQuery({ queryKey: queryKeys.revisions(recordId), queryFn: () => fetchRevisions(recordId) });
  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title" style={{ marginTop: 0 }}>
        History
      </h2>
      {history.isPending ? <p className="muted">Loading history…</p> : null}
      {history.isError ? <p className="notice error">History could not be loaded.</p> : null}
      <ol className="history" aria-label="Revisions">
        {(history.data ?? []).map((revision, i, all) => (
          <RevisionEntry
            key={revision.version}
            recordId={recordId}
            revision={revision}
            fields={fields}
            // The newest version shown is the one the person is looking at: a restore is checked against it.
            restoreAgainst={canRestore && i > 0 && all[0] ? all[0].version : null}
          />
        ))}
      </ol>
    </section>
  );
}

function RevisionEntry({
  recordId,
  revision,
  fields,
  restoreAgainst,
}: {
  recordId: string;
  revision: RevisionView;
  fields: readonly FieldDefinition[];
  restoreAgainst: number | null;
}) {
  const [open, setOpen] = useState(false);
  const field = (key: string) => fields.find((f) => f.key === key);
  return (
    <li>
      <div className="row small">
        <span className={`pill ${revision.action}`}>v{revision.version}</span>
        <strong>{revision.user.name}</strong>
        <span>
          {ACTION_WORDS[revision.action]}
          {revision.revertedFrom ? ` (version ${revision.revertedFrom})` : ""}
        </span>
        <span className="muted">
          <RelativeTime iso={revision.at} />
        </span>
        <span className="spacer" />
        <button type="button" className="link small" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          {open ? `Hide values at version ${revision.version}` : `Show all values at version ${revision.version}`}
        </button>
        {restoreAgainst !== null && revision.action !== "delete" ? (
          <RestoreVersionButton recordId={recordId} version={revision.version} lookingAt={restoreAgainst} />
        ) : null}
      </div>
      {Object.keys(revision.changes).length > 0 && revision.action !== "create" ? (
        <ul>
          {Object.entries(revision.changes).map(([key, change]) => (
            <li key={key} className="change">
              {field(key)?.label ?? key}: <span className="from">{displayValue(field(key), change.from)}</span> →{" "}
              <strong>{displayValue(field(key), change.to)}</strong>
            </li>
          ))}
        </ul>
      ) : null}
      {open ? <VersionValues recordId={recordId} version={revision.version} fields={fields} /> : null}
    </li>
  );
}

function VersionValues({
  recordId,
  version,
  fields,
}: {
  recordId: string;
  version: number;
  fields: readonly FieldDefinition[];
}) {
  // A past version never changes: fetched once, kept.
  const revision = useQuery({
    queryKey: queryKeys.revision(recordId, version),
    queryFn: () => fetchRevision(recordId, version),
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (revision.isPending) return <p className="muted small">Loading version {version}…</p>;
  if (revision.isError) return <p className="notice error small">Version {version} could not be loaded.</p>;
  return (
    <dl className="form-grid version-values" aria-label={`Values at version ${version}`}>
      {fields.map((f) => (
        <div key={f.key} className={`field${f.type === "longtext" ? " wide" : ""}`}>
          <dt className="muted small">{f.label}</dt>
          <dd style={{ margin: 0, whiteSpace: "pre-wrap" }}>{displayValue(f, revision.data.data[f.key])}</dd>
        </div>
      ))}
    </dl>
  );
}
