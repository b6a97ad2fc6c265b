"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useState, useTransition } from "react";
import type { ViewJson } from "@/lib/views/views";
import { setDefaultViewAction } from "../actions";
import { type ListParams, listHref } from "./list-url";
import { ViewConflictDialog } from "./view-conflict-dialog";
import { Dialog, SaveViewDialog } from "./view-dialogs";
import {
  type ViewConflict as Conflict,
  canEditView,
  defaultViewLabel,
  type ViewSettings as Settings,
  sendView as send,
} from "./views-logic";

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
  const canEdit = canEditView(active, props.me);

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

  const defaultLabel = defaultViewLabel(active?.id ?? null, props.defaultViewId);

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
        <ViewConflictDialog
          conflict={conflict}
          onCancel={() => setDialog(null)}
          onTakeTheirs={() => {
            setDialog(null);
            setBases((b) => ({ ...b, [active.id]: conflict.current.version }));
            router.push(listHref(props.slug, { view: active.id }));
            router.refresh();
          }}
          onOverwrite={() => saveChanges(conflict.current.version)}
          onSaveAsNew={() => setDialog("save")}
        />
      ) : null}
    </div>
  );
}
