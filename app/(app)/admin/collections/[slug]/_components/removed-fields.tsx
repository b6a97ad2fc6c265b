"use client";

import type { FieldDefinition } from "@/lib/fields";

/** The removed fields whose values are still kept, each with Restore. */
export function RemovedFields({
  fields,
  onRestore,
}: {
  fields: FieldDefinition[];
  onRestore: (field: FieldDefinition) => void;
}) {
  return (
    <section aria-labelledby="removed-title" className="stack">
      <h2 id="removed-title" style={{ margin: 0 }}>
        Restore a removed field
      </h2>
      <p className="muted small" style={{ margin: 0 }}>
        These fields' values are still in the records, hidden. Restoring one brings them back.
      </p>
      <ul>
        {fields.map((f) => (
          <li key={f.key} className="row">
            <span>
              {f.label} <code className="muted small">{f.key}</code>
            </span>
            <button type="button" onClick={() => onRestore(f)} aria-label={`Restore ${f.label}`}>
              Restore
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
