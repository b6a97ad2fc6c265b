"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, useSyncExternalStore } from "react";
import { storeDraft } from "@/components/drafts";
import { FieldInput } from "@/components/field-input";
import { useReferenceOptions } from "@/components/reference-options";
import type { RecordData } from "@/db/schema";
import type { FieldDefinition } from "@/lib/fields";
import { toFormValues } from "@/lib/form-values";
import { selectMatchingAction } from "../bulk-actions";
import { type BatchAnswer, BatchReport } from "./batch-report";
import { BULK_SETTABLE, bulkPatchValue, bulkValueText, selectMatchingLabel } from "./bulk-values";

/**
 * Bulk selection on the list page, self-contained: the bar above the table (`BulkBar`: set
 * fields or delete, confirm, the per-record result, "Undo this batch") and a checkbox cell for
 * the header and for each row. They share the selection through a small store per collection
 * (no provider to wrap the table in), and render nothing for viewers (`enabled`). The selection
 * (id and the version each record was read at) survives paging within the tab.
 */

export type SelectableRow = { id: string; version: number; title: string };

type Snapshot = { selected: ReadonlyMap<string, SelectableRow>; rows: readonly SelectableRow[] };
type Store = { snapshot: Snapshot; last: number | null; listeners: Set<() => void> };

const EMPTY: Snapshot = { selected: new Map(), rows: [] };
const stores = new Map<string, Store>();

function storeFor(slug: string): Store {
  let store = stores.get(slug);
  if (!store) {
    let selected = new Map<string, SelectableRow>();
    try {
      const saved = JSON.parse(sessionStorage.getItem(storageKey(slug)) ?? "[]") as SelectableRow[];
      if (Array.isArray(saved)) selected = new Map(saved.map((r) => [r.id, r]));
    } catch {
      // nothing saved
    }
    store = { snapshot: { selected, rows: [] }, last: null, listeners: new Set() };
    stores.set(slug, store);
  }
  return store;
}

const storageKey = (slug: string) => `tandem:selection:${slug}`;

function update(slug: string, change: Partial<Snapshot>): void {
  const store = storeFor(slug);
  store.snapshot = { ...store.snapshot, ...change };
  if (change.selected) {
    try {
      sessionStorage.setItem(storageKey(slug), JSON.stringify([...change.selected.values()]));
    } catch {
      // storage full or off: the selection still works on this page
    }
  }
  for (const listener of store.listeners) listener();
}

function useSelection(slug: string): Snapshot {
  return useSyncExternalStore(
    (listener) => {
      const store = storeFor(slug);
      store.listeners.add(listener);
      return () => store.listeners.delete(listener);
    },
    () => storeFor(slug).snapshot,
    () => EMPTY,
  );
}

function select(slug: string, rows: readonly SelectableRow[], checked: boolean): void {
  const next = new Map(storeFor(slug).snapshot.selected);
  for (const r of rows) {
    if (checked) next.set(r.id, r);
    else next.delete(r.id);
  }
  update(slug, { selected: next });
}

type Query = {
  q?: string | undefined;
  filter?: string | undefined;
  sort?: string | undefined;
  dir?: "asc" | "desc" | undefined;
};

/** The header cell: select or clear every row of this page. Nothing for viewers. */
export function BulkSelectAllCell({ slug, enabled }: { slug: string; enabled: boolean }) {
  const { rows, selected } = useSelection(slug);
  if (!enabled) return null;
  const all = rows.length > 0 && rows.every((r) => selected.has(r.id));
  return (
    <th scope="col" className="select-cell">
      <input
        type="checkbox"
        aria-label="Select all records on this page"
        checked={all}
        onChange={(e) => select(slug, rows, e.target.checked)}
      />
    </th>
  );
}

/** A row's checkbox cell (shift-click selects the range from the last one clicked). */
export function BulkRowCell({
  slug,
  enabled,
  id,
  version,
  title,
}: {
  slug: string;
  enabled: boolean;
  id: string;
  version: number;
  title: string;
}) {
  const { rows, selected } = useSelection(slug);
  if (!enabled) return null;
  return (
    <td className="select-cell">
      <input
        type="checkbox"
        aria-label={`Select ${title}`}
        checked={selected.has(id)}
        onChange={() => {}}
        onClick={(e) => {
          const store = storeFor(slug);
          const index = rows.findIndex((r) => r.id === id);
          const range =
            e.shiftKey && store.last !== null && index >= 0
              ? rows.slice(Math.min(store.last, index), Math.max(store.last, index) + 1)
              : [{ id, version, title }];
          store.last = index >= 0 ? index : null;
          select(slug, range, e.currentTarget.checked);
        }}
      />
    </td>
  );
}

type Setting = { key: string; value: string | boolean };

async function postJson(url: string, body?: unknown): Promise<{ ok: boolean; body: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { ok: response.ok, body: await response.json().catch(() => null) };
}

/** The bar above the table: what is selected, what to set, the confirmation and the result. */
export function BulkBar({
  slug,
  fields,
  rows,
  query,
  matching,
  maxItems,
  enabled,
}: {
  slug: string;
  fields: FieldDefinition[];
  /** The rows of the page shown, in order (shift-click ranges, "select this page", titles). */
  rows: SelectableRow[];
  query: Query;
  /** How many records the list's query matches (its `count=1` total), when known. */
  matching?: { total: number; estimate?: boolean | undefined } | undefined;
  /** The most records one bulk edit takes. */
  maxItems: number;
  /** Editors only: viewers get nothing. */
  enabled: boolean;
}) {
  const router = useRouter();
  const id = useId();
  const { selected } = useSelection(slug);
  const pageTitles = rows;
  const onSelect = (items: SelectableRow[]) => update(slug, { selected: new Map(items.map((r) => [r.id, r])) });
  const rowKey = rows.map((r) => `${r.id}@${r.version}`).join(",");
  // The page's rows, for the checkbox cells (ranges, "select this page").
  // biome-ignore lint/correctness/useExhaustiveDependencies: rowKey stands for rows
  useEffect(() => update(slug, { rows }), [slug, rowKey]);
  const settable = fields.filter((f) => BULK_SETTABLE.has(f.type));
  const references = useReferenceOptions();
  const referenceLabels = new Map(
    [...references.people, ...Object.values(references.links).flat()].map((o) => [o.id, o.label]),
  );
  const [settings, setSettings] = useState<Setting[]>([]);
  const [pending, setPending] = useState<"update" | "delete" | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [result, setResult] = useState<BatchAnswer | null>(null);
  const [undone, setUndone] = useState<BatchAnswer | null>(null);
  const [titles, setTitles] = useState<Map<string, string>>(new Map());
  /** What the last batch set, and the version it read each record at: a conflict's "mine" and base. */
  const [sent, setSent] = useState<{ data: Record<string, unknown>; versions: Map<string, number> } | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    if (pending) dialog.current?.showModal();
    else dialog.current?.close();
  }, [pending]);

  const count = selected.size;
  const chosen = settings
    .map((s) => ({ ...s, field: settable.find((f) => f.key === s.key) }))
    .filter((s): s is Setting & { field: FieldDefinition } => s.field !== undefined);
  const plural = (n: number) => `${n.toLocaleString()} ${n === 1 ? "record" : "records"}`;

  const selectAllMatching = async () => {
    setBusy(true);
    setProblem(null);
    const answer = await selectMatchingAction({ slug, ...query });
    setBusy(false);
    if (!answer.ok) {
      setProblem("message" in answer.error ? answer.error.message : "Could not select the matching records.");
      return;
    }
    onSelect(answer.items);
    setNotice(
      answer.truncated
        ? `The first ${plural(answer.items.length)} matching are selected (the most one bulk edit takes).`
        : `All ${plural(answer.items.length)} matching are selected.`,
    );
  };

  const apply = async () => {
    const op = pending;
    if (!op) return;
    setBusy(true);
    setProblem(null);
    const rows = [...selected.values()];
    const data = Object.fromEntries(chosen.map((s) => [s.key, bulkPatchValue(s.field, s.value)]));
    const items =
      op === "update"
        ? rows.map((r) => ({ id: r.id, version: r.version, data }))
        : rows.map((r) => ({ id: r.id, version: r.version }));
    const answer = await postJson(`/api/collections/${encodeURIComponent(slug)}/bulk`, { op, items }).catch(() => null);
    setBusy(false);
    setPending(null);
    if (!answer?.ok) {
      setProblem(
        (answer?.body as { message?: string } | null)?.message ?? "The bulk edit failed; nothing was written.",
      );
      return;
    }
    setTitles(new Map([...pageTitles, ...rows].map((r) => [r.id, r.title])));
    setSent(op === "update" ? { data, versions: new Map(rows.map((r) => [r.id, r.version])) } : null);
    setResult(answer.body as BatchAnswer);
    setUndone(null);
    setNotice(null);
    onSelect([]);
    router.refresh();
  };

  const undo = async () => {
    if (!result?.batchId) return;
    setBusy(true);
    const answer = await postJson(`/api/batches/${result.batchId}/undo`).catch(() => null);
    setBusy(false);
    if (!answer?.ok) {
      setProblem((answer?.body as { message?: string } | null)?.message ?? "Undo failed; nothing was written.");
      return;
    }
    setUndone(answer.body as BatchAnswer);
    router.refresh();
  };

  /**
   * A conflicted record opens with the batch's values as an unsaved draft on the version the
   * batch read: the record offers it, and saving it brings up the conflict dialog.
   */
  const resolve = async (recordId: string) => {
    const version = sent?.versions.get(recordId);
    if (!sent || version === undefined) return;
    const response = await fetch(`/api/records/${encodeURIComponent(recordId)}/revisions/${version}`, {
      headers: { Accept: "application/json" },
    }).catch(() => null);
    const revision = response?.ok ? ((await response.json()) as { data: RecordData }) : null;
    if (!revision) {
      setProblem("Could not read the version this batch started from.");
      return;
    }
    const mine: RecordData = { ...revision.data };
    for (const [key, value] of Object.entries(sent.data)) {
      if (value === null) delete mine[key];
      else mine[key] = value as RecordData[string];
    }
    storeDraft({ recordId, baseVersion: version, baseData: revision.data, values: toFormValues(fields, mine) });
    router.push(`/records/${recordId}`);
  };

  const titleId = `${id}-confirm-title`;
  if (!enabled) return null;
  return (
    <>
      {count > 0 ? (
        <section className="panel bulk-bar" aria-label="Bulk edit" data-testid="bulk-bar">
          <div className="row">
            <strong>{plural(count)} selected</strong>
            <button type="button" onClick={selectAllMatching} disabled={busy}>
              {selectMatchingLabel(matching, maxItems)}
            </button>
            <button type="button" onClick={() => onSelect([])} disabled={busy}>
              Clear selection
            </button>
            {notice ? <span className="muted small">{notice}</span> : null}
          </div>
          <div className="stack bulk-settings">
            {settings.map((setting, i) => {
              const field = settable.find((f) => f.key === setting.key);
              return (
                <div className="row" key={setting.key}>
                  <label htmlFor={`${id}-field-${i}`}>Field</label>
                  <select
                    id={`${id}-field-${i}`}
                    value={setting.key}
                    onChange={(e) =>
                      setSettings(settings.map((s, j) => (j === i ? { key: e.target.value, value: "" } : s)))
                    }
                  >
                    {settable.map((f) => (
                      <option
                        key={f.key}
                        value={f.key}
                        disabled={f.key !== setting.key && settings.some((s) => s.key === f.key)}
                      >
                        {f.label}
                      </option>
                    ))}
                  </select>
                  {field?.type === "multiselect" ? (
                    // A group of checkboxes: its legend names it.
                    <FieldInput
                      field={field}
                      id={`${id}-value-${i}`}
                      ariaLabel={`New ${field.label}`}
                      value={setting.value}
                      onChange={(value) => setSettings(settings.map((s, j) => (j === i ? { ...s, value } : s)))}
                    />
                  ) : field ? (
                    <>
                      <label htmlFor={`${id}-value-${i}`}>New {field.label}</label>
                      <FieldInput
                        field={field}
                        id={`${id}-value-${i}`}
                        value={setting.value}
                        onChange={(value) => setSettings(settings.map((s, j) => (j === i ? { ...s, value } : s)))}
                      />
                    </>
                  ) : null}
                  <button type="button" onClick={() => setSettings(settings.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                </div>
              );
            })}
            <div className="row">
              {settings.length < settable.length ? (
                <button
                  type="button"
                  onClick={() => {
                    const next = settable.find((f) => !settings.some((s) => s.key === f.key));
                    if (next)
                      setSettings([...settings, { key: next.key, value: next.type === "boolean" ? false : "" }]);
                  }}
                >
                  {settings.length === 0 ? "Set a field" : "Set another field"}
                </button>
              ) : null}
              {settings.length > 0 ? (
                <button type="button" className="primary" onClick={() => setPending("update")} disabled={busy}>
                  Apply to {plural(count)}…
                </button>
              ) : null}
              <span className="spacer" />
              <button type="button" className="danger" onClick={() => setPending("delete")} disabled={busy}>
                Delete {plural(count)}…
              </button>
            </div>
          </div>
        </section>
      ) : null}
      {problem ? (
        <p role="alert" className="notice error">
          {problem}
        </p>
      ) : null}
      {result ? (
        <section className="panel bulk-result" aria-label="Bulk edit result">
          <BatchReport
            title="Bulk edit"
            answer={result}
            fields={fields}
            titles={titles}
            onResolve={sent && !undone ? resolve : undefined}
          />
          {undone ? (
            <BatchReport title="Undone" answer={undone} fields={fields} titles={titles} />
          ) : (
            <div className="row">
              <button type="button" onClick={undo} disabled={busy}>
                Undo this batch
              </button>
              <button type="button" onClick={() => setResult(null)}>
                Close
              </button>
            </div>
          )}
        </section>
      ) : null}
      <dialog
        ref={dialog}
        className="dialog"
        aria-labelledby={titleId}
        onCancel={(e) => {
          e.preventDefault();
          setPending(null);
        }}
      >
        <header>
          <h2 id={titleId}>
            {pending === "delete"
              ? `Delete ${plural(count)}?`
              : `Set ${chosen.map((s) => s.field.label).join(", ")} on ${plural(count)}?`}
          </h2>
        </header>
        <div className="body">
          {pending === "delete" ? (
            <p>Each record is deleted only if nobody changed it since you read it; the others are listed after.</p>
          ) : (
            <ul>
              {chosen.map((s) => (
                <li key={s.key}>
                  {s.field.label} → <strong>{bulkValueText(bulkPatchValue(s.field, s.value), referenceLabels)}</strong>
                </li>
              ))}
            </ul>
          )}
          <p className="muted small">
            Records someone changed since you read them are merged where they changed other fields, and listed as
            conflicts where they changed these.
          </p>
        </div>
        <footer>
          <button type="button" className={pending === "delete" ? "danger" : "primary"} onClick={apply} disabled={busy}>
            {pending === "delete" ? `Delete ${plural(count)}` : `Apply to ${plural(count)}`}
          </button>
          <button type="button" onClick={() => setPending(null)} disabled={busy}>
            Cancel
          </button>
        </footer>
      </dialog>
    </>
  );
}
