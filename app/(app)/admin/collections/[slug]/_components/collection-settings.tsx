"use client";

import { FieldError } from "./field-error";
import type { Draft, SchemaEditorAction } from "./schema-editor-state";

/** The collection's name, edit mode and capacity field. */
export function CollectionSettings({
  draft,
  errors,
  dispatch,
}: {
  draft: Draft;
  errors: Record<string, string>;
  dispatch: (action: SchemaEditorAction) => void;
}) {
  const integerKeys = draft.rows.filter((r) => r.field.type === "integer" && r.field.key);
  const set = (patch: Partial<Pick<Draft, "name" | "editMode" | "capacityField">>) =>
    dispatch({ type: "setSettings", patch });
  return (
    <section className="form-grid" aria-label="Collection">
      <div className="field">
        <label htmlFor="schema-name">Collection name</label>
        <input id="schema-name" type="text" value={draft.name} onChange={(e) => set({ name: e.target.value })} />
        <FieldError errors={errors} path="name" />
      </div>
      <div className="field">
        <label htmlFor="schema-mode">Edit mode</label>
        <select
          id="schema-mode"
          value={draft.editMode}
          onChange={(e) => set({ editMode: e.target.value === "lease" ? "lease" : "optimistic" })}
        >
          <option value="optimistic">Edit together, merge on save</option>
          <option value="lease">One editor at a time (lease)</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="schema-capacity">Capacity field (for reservations)</label>
        <select
          id="schema-capacity"
          value={draft.capacityField ?? ""}
          onChange={(e) => set({ capacityField: e.target.value === "" ? null : e.target.value })}
        >
          <option value="">None: records take no reservations</option>
          {integerKeys.map((r) => (
            <option key={r.uid} value={r.field.key}>
              {r.field.label || r.field.key}
            </option>
          ))}
          {draft.capacityField && !integerKeys.some((r) => r.field.key === draft.capacityField) ? (
            <option value={draft.capacityField}>{draft.capacityField} (not a whole-number field)</option>
          ) : null}
        </select>
        <FieldError errors={errors} path="capacityField" />
      </div>
    </section>
  );
}
