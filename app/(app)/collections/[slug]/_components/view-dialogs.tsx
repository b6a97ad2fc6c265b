"use client";

import { useId, useState } from "react";

/** A small modal dialog (Escape cancels). */
export function Dialog(props: { title: string; onCancel: () => void; children: React.ReactNode }) {
  const titleId = useId();
  return (
    <div className="backdrop">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className="dialog small-dialog"
        onKeyDown={(event) => {
          if (event.key === "Escape") props.onCancel();
        }}
      >
        <header>
          <h2 id={titleId}>{props.title}</h2>
        </header>
        <div className="body">{props.children}</div>
      </div>
    </div>
  );
}

/** Save as a new view, or rename one: a name, and for editors "Share with everyone". */
export function SaveViewDialog(props: {
  title?: string;
  initialName?: string;
  canShare?: boolean;
  onCancel: () => void;
  onSave: (name: string, shared: boolean) => Promise<string | null>;
}) {
  const nameId = useId();
  const sharedId = useId();
  const [name, setName] = useState(props.initialName ?? "");
  const [shared, setShared] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={props.title ?? "Save as a new view"} onCancel={props.onCancel}>
      <form
        className="stack"
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setProblem(await props.onSave(name, shared));
          setBusy(false);
        }}
      >
        <div className="field">
          <label htmlFor={nameId}>View name</label>
          <input
            id={nameId}
            type="text"
            value={name}
            maxLength={100}
            required
            autoFocus
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        {props.canShare ? (
          <div className="field checkbox">
            <input id={sharedId} type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
            <label htmlFor={sharedId}>Share with everyone</label>
          </div>
        ) : null}
        {problem ? (
          <p role="alert" className="notice error small">
            {problem}
          </p>
        ) : null}
        <footer className="row">
          <button type="submit" className="primary" disabled={busy || name.trim() === ""}>
            Save view
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
