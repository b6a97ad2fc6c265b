"use client";

import type { EditorEvent } from "./editor-state";

/** Save and Delete (with its confirmation) under the form. */
export function EditorToolbar({
  saving,
  dirty,
  confirmingDelete,
  dispatch,
  onDelete,
}: {
  saving: boolean;
  dirty: boolean;
  confirmingDelete: boolean;
  dispatch: (event: EditorEvent) => void;
  onDelete: () => void;
}) {
  return (
    <div className="row">
      <button type="submit" className="primary" disabled={saving || !dirty}>
        {saving ? "Saving…" : "Save"}
      </button>
      {dirty ? <span className="muted small">Unsaved changes — kept as a draft in this browser</span> : null}
      <span className="spacer" />
      {confirmingDelete ? (
        <span className="row">
          <span>Delete this record?</span>
          <button type="button" className="danger" onClick={onDelete}>
            Yes, delete
          </button>
          <button type="button" onClick={() => dispatch({ type: "delete_cancelled" })}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" className="danger" onClick={() => dispatch({ type: "delete_asked" })} disabled={saving}>
          Delete
        </button>
      )}
    </div>
  );
}
