"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useState, useTransition } from "react";
import type { ViewJson } from "@/lib/views/views";
import { setDefaultViewAction } from "../actions";
import { type ListParams, listHref } from "./list-url";

type Settings = {
  filter: Record<string, unknown>;
  sort: string | null;
  dir: "asc" | "desc" | null;
  columns: string[] | null;
};
type Conflict = {
  current: ViewJson;
  changes: { user: { name: string }; at: string; changes: Record<string, unknown> }[];
};

async function send(method: string, url: string, body?: unknown, ifMatch?: number) {
  const response = await fetch(url, {
    method,
    headers: {
      "Content-Type": "application/json",
      ...(ifMatch === undefined ? {} : { "If-Match": `"${ifMatch}"` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: API bodies are read field by field
  const json: any = text ? JSON.parse(text) : null;
  return { status: response.status, body: json };
}

/**
 * Saved views: pick one (it goes in the URL), save the current filter, sort and columns as a
 * personal or shared view, rename, delete, make it my default. Saving over a shared view that
 * someone changed meanwhile is never silent: take theirs, overwrite with mine, or save mine
 * as a new view.
 */
export function ViewsMenu(props: {
  slug: string;
  views: ViewJson[];
  active: ViewJson | null;
  /** The list's settings as shown now (the view's, changed by the URL). */
  current: Settings;
  modified: boolean;
  params: ListParams;
  me: { id: string; role: string };
  defaultViewId: string | null;
}) {
  const router = useRouter();
  const selectId = useId();
  const [dialog, setDialog] = useState<null | "save" | "rename" | "delete" | "conflict">(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const { active } = props;
  const canEdit =
    active !== null &&
    (active.shared ? active.owner.id === props.me.id || props.me.role === "admin" : active.owner.id === props.me.id);

  // The version the unsaved changes started from, frozen while they are unsaved: a newer
  // version loaded meanwhile (any navigation re-reads the view) must not become their base.
  const [bases, setBases] = useState<Record<string, number>>({});
  const activeId = active?.id;
  const activeVersion = active?.version;
  const { modified } = props;
  useEffect(() => {
    if (activeId === undefined || activeVersion === undefined) return;
    setBases((b) => (modified && b[activeId] !== undefined ? b : { ...b, [activeId]: activeVersion }));
  }, [activeId, activeVersion, modified]);
  const baseVersion = active ? (bases[active.id] ?? active.version) : 0;

  const defaultLabel =
    active && props.defaultViewId === active.id
      ? "Stop opening this view by default"
      : active
        ? "Open this view by default"
        : props.defaultViewId
          ? "Open all records by default"
          : null;

  const open = (id: string) => router.push(listHref(props.slug, { view: id }));

  const saveChanges = async (version: number) => {
    if (!active) return;
    setProblem(null);
    const result = await send("PATCH", `/api/views/${active.id}`, props.current, version);
    if (result.status === 200) {
      setDialog(null);
      setBases((b) => ({ ...b, [active.id]: result.body.version }));
      router.push(listHref(props.slug, { view: active.id }));
      router.refresh();
    } else if (result.status === 412) {
      setConflict(result.body as Conflict);
      setDialog("conflict");
    } else setProblem(result.body?.message ?? "Could not save the view.");
  };

  return (
    <div className="row views-menu">
      <label htmlFor={selectId}>View</label>
      <select id={selectId} value={active?.id ?? ""} onChange={(e) => open(e.target.value || "none")}>
        <option value="">All records</option>
        {props.views.map((v) => (
          <option key={v.id} value={v.id}>
            {v.name}
            {v.shared ? " (shared)" : ""}
            {v.id === props.defaultViewId ? " · default" : ""}
          </option>
        ))}
      </select>
      {props.modified ? <span className="chip conflict">Changed, not saved</span> : null}
      {active && props.modified && canEdit ? (
        <button type="button" className="primary" disabled={pending} onClick={() => saveChanges(baseVersion)}>
          Save changes to view
        </button>
      ) : null}
      <button type="button" onClick={() => setDialog("save")}>
        Save as new view
      </button>
      {active && canEdit ? (
        <>
          <button type="button" onClick={() => setDialog("rename")}>
            Rename view
          </button>
          <button type="button" className="danger" onClick={() => setDialog("delete")}>
            Delete view
          </button>
        </>
      ) : null}
      {defaultLabel ? (
        <button
          type="button"
          className="link"
          disabled={pending}
          onClick={() =>
            startTransition(async () => {
              await setDefaultViewAction({
                slug: props.slug,
                viewId: active && props.defaultViewId !== active.id ? active.id : null,
              });
              router.refresh();
            })
          }
        >
          {defaultLabel}
        </button>
      ) : null}
      {problem ? (
        <p role="alert" className="notice error small">
          {problem}
        </p>
      ) : null}

      {dialog === "save" ? (
        <SaveViewDialog
          canShare={props.me.role !== "viewer"}
          onCancel={() => setDialog(null)}
          onSave={async (name, shared) => {
            const result = await send("POST", `/api/collections/${props.slug}/views`, {
              ...props.current,
              name,
              shared,
            });
            if (result.status === 201) {
              setDialog(null);
              open(result.body.id);
              router.refresh();
              return null;
            }
            return result.body?.message ?? "Could not save the view.";
          }}
        />
      ) : null}
      {dialog === "rename" && active ? (
        <SaveViewDialog
          title="Rename view"
          initialName={active.name}
          onCancel={() => setDialog(null)}
          onSave={async (name) => {
            const result = await send("PATCH", `/api/views/${active.id}`, { name }, active.version);
            if (result.status === 200) {
              setDialog(null);
              router.refresh();
              return null;
            }
            if (result.status === 412) {
              setConflict(result.body as Conflict);
              setDialog("conflict");
              return null;
            }
            return result.body?.message ?? "Could not rename the view.";
          }}
        />
      ) : null}
      {dialog === "delete" && active ? (
        <Dialog title={`Delete the view “${active.name}”?`} onCancel={() => setDialog(null)}>
          <p>
            {active.shared ? "It is shared: it disappears for everyone." : "Only you had it."} The records stay as they
            are.
          </p>
          <footer>
            <button
              type="button"
              className="danger"
              onClick={async () => {
                const result = await send("DELETE", `/api/views/${active.id}`, undefined, active.version);
                if (result.status === 204) {
                  setDialog(null);
                  router.push(listHref(props.slug, { view: "none" }));
                  router.refresh();
                } else if (result.status === 412) {
                  setConflict(result.body as Conflict);
                  setDialog("conflict");
                } else setProblem(result.body?.message ?? "Could not delete the view.");
              }}
            >
              Delete view
            </button>
            <button type="button" onClick={() => setDialog(null)}>
              Keep it
            </button>
          </footer>
        </Dialog>
      ) : null}
      {dialog === "conflict" && conflict && active ? (
        <Dialog title="Someone changed this view meanwhile" onCancel={() => setDialog(null)}>
          <ul className="history">
            {conflict.changes.map((change) => (
              <li key={`${change.at}-${change.user.name}`}>
                <strong>{change.user.name}</strong> changed {Object.keys(change.changes).join(", ") || "it"} at{" "}
                {new Date(change.at).toLocaleString()}
              </li>
            ))}
          </ul>
          <p>Your changes are not saved yet. What should happen?</p>
          <footer>
            <button
              type="button"
              onClick={() => {
                setDialog(null);
                setBases((b) => ({ ...b, [active.id]: conflict.current.version }));
                router.push(listHref(props.slug, { view: active.id }));
                router.refresh();
              }}
            >
              Take theirs
            </button>
            <button type="button" className="danger" onClick={() => saveChanges(conflict.current.version)}>
              Overwrite with mine
            </button>
            <button type="button" className="primary" onClick={() => setDialog("save")}>
              Save mine as a new view
            </button>
          </footer>
        </Dialog>
      ) : null}
    </div>
  );
}

function Dialog(props: { title: string; onCancel: () => void; children: React.ReactNode }) {
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

function SaveViewDialog(props: {
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
