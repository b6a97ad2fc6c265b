"use client";

import { Dialog } from "./view-dialogs";
import type { ViewConflict } from "./views-logic";

/** Saving over a view someone changed meanwhile: take theirs, overwrite with mine, or save mine as new. */
export function ViewConflictDialog(props: {
  conflict: ViewConflict;
  onCancel: () => void;
  onTakeTheirs: () => void;
  onOverwrite: () => void;
  onSaveAsNew: () => void;
}) {
  return (
    <Dialog title="Someone changed this view meanwhile" onCancel={props.onCancel}>
      <ul className="history">
        {props.conflict.changes.map((change) => (
          <li key={`${change.at}-${change.user.name}`}>
            <strong>{change.user.name}</strong> changed {Object.keys(change.changes).join(", ") || "it"} at{" "}
            {new Date(change.at).toLocaleString()}
          </li>
        ))}
      </ul>
      <p>Your changes are not saved yet. What should happen?</p>
      <footer>
        <button type="button" onClick={props.onTakeTheirs}>
          Take theirs
        </button>
        <button type="button" className="danger" onClick={props.onOverwrite}>
          Overwrite with mine
        </button>
        <button type="button" className="primary" onClick={props.onSaveAsNew}>
          Save mine as a new view
        </button>
      </footer>
    </Dialog>
  );
}
