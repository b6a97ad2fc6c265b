"use client";

import { useQuery } from "@tanstack/react-query";
import { displayValue, type FieldDefinition } from "@/lib/fields";
import { queryKeys } from "@/lib/query-keys";
import { fetchRevisions } from "./api-client";
import { RelativeTime } from "./relative-time";

const ACTION_WORDS: Record<string, string> = {
  create: "created",
  update: "updated",
  merge: "merged",
  overwrite: "overwrote",
  delete: "deleted",
  restore: "restored",
};

/** Every revision: who, when, what they did, and each field's from → to. */
export function RecordHistory({ recordId, fields }: { recordId: string; fields: readonly FieldDefinition[] }) {
  const history = useQuery({ queryKey: queryKeys.revisions(recordId), queryFn: () => fetchRevisions(recordId) });
  const field = (key: string) => fields.find((f) => f.key === key);
  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title" style={{ marginTop: 0 }}>
        History
      </h2>
      {history.isPending ? <p className="muted">Loading history…</p> : null}
      {history.isError ? <p className="notice error">History could not be loaded.</p> : null}
      <ol className="history" aria-label="Revisions">
        {(history.data ?? []).map((revision) => (
          <li key={revision.version}>
            <div className="row small">
              <span className={`pill ${revision.action}`}>v{revision.version}</span>
              <strong>{revision.user.name}</strong>
              <span>{ACTION_WORDS[revision.action] ?? revision.action}</span>
              <span className="muted">
                <RelativeTime iso={revision.at} />
              </span>
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
          </li>
        ))}
      </ol>
    </section>
  );
}
