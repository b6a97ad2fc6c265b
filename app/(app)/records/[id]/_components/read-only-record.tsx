import type { RecordData } from "@/db/schema";
import { displayValue, type FieldDefinition } from "@/lib/fields";

/** The record's values as text: for viewers, and while someone else holds the edit lease. */
export function ReadOnlyRecord({ fields, data }: { fields: readonly FieldDefinition[]; data: RecordData }) {
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
