"use client";

import { useId } from "react";
import type { FieldDefinition } from "@/lib/fields";
import type { Impact } from "./schema-editor-state";

/** What a schema change does to existing records' values, to confirm before applying it. */
export function ImpactDialog({
  impact,
  fields,
  onApply,
  onCancel,
}: {
  impact: Impact;
  fields: FieldDefinition[];
  onApply: () => void;
  onCancel: () => void;
}) {
  const titleId = useId();
  return (
    <div className="backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <header>
          <h2 id={titleId}>This change affects existing records</h2>
          <p className="muted small" style={{ margin: 0 }}>
            Nothing is lost: the values stay as they are and are flagged as no longer fitting. Those records still save
            when other fields change; a flagged value must fit once someone changes it.
          </p>
        </header>
        <div className="body stack">
          {impact.items.map((item) => (
            <section key={`${item.field}-${item.problem}`} className="merge-row conflict">
              <strong>
                {fields.find((f) => f.key === item.field)?.label ?? item.field}: {item.records}{" "}
                {item.records === 1 ? "record" : "records"}
              </strong>
              <span>{item.message}</span>
              <ul className="small" style={{ margin: 0 }}>
                {item.examples.map((example) => (
                  <li key={example.id}>
                    <a href={`/records/${example.id}`} target="_blank" rel="noreferrer">
                      {example.value === null ? "(no value)" : JSON.stringify(example.value)}
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
        <footer>
          <button type="button" className="primary" onClick={onApply}>
            Apply anyway
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </footer>
      </div>
    </div>
  );
}
