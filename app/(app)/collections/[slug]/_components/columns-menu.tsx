"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import type { FieldDefinition } from "@/lib/fields";
import { setColumnsAction } from "../actions";
import { clearColumnWidths, MAX_WIDTH, MIN_WIDTH, useColumnWidths, widthOf } from "./column-widths";
import { allColumns, type Column } from "./columns";

/** Which columns, in what order and how wide: remembered for me (list_preferences). */
export function ColumnsMenu(props: { slug: string; fields: FieldDefinition[]; columns: Column[] }) {
  const router = useRouter();
  const panelId = useId();
  const [open, setOpen] = useState(false);
  const changedWidths = useColumnWidths(props.slug);
  // Widths as shown: a header edge dragged on this page counts.
  const shown = () => props.columns.map((c) => ({ key: c.key, width: widthOf(changedWidths, c) }));
  const [draft, setDraft] = useState<{ key: string; width: number | undefined }[]>(shown);
  const [pending, startTransition] = useTransition();
  const available = allColumns(props.fields);
  const hidden = available.filter((a) => !draft.some((d) => d.key === a.key));
  const label = (key: string) => available.find((a) => a.key === key)?.label ?? key;
  const move = (index: number, by: number) => {
    const next = [...draft];
    const [item] = next.splice(index, 1);
    if (item) next.splice(index + by, 0, item);
    setDraft(next);
  };
  const save = (columns: { key: string; width?: number | undefined }[] | null) =>
    startTransition(async () => {
      await setColumnsAction({
        slug: props.slug,
        columns:
          columns?.map((c) =>
            c.width && Number.isFinite(c.width)
              ? { key: c.key, width: Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, c.width))) }
              : { key: c.key },
          ) ?? null,
      });
      setOpen(false);
      clearColumnWidths();
      router.refresh();
    });

  return (
    <div className="columns-menu">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => {
          if (!open) setDraft(shown());
          setOpen(!open);
        }}
      >
        Columns
      </button>
      {open ? (
        <section id={panelId} className="panel popover" aria-label="Choose columns">
          <ol className="column-list">
            {draft.map((column, i) => (
              <li key={column.key} className="row">
                <span className="column-name">{label(column.key)}</span>
                <span className="spacer" />
                <label className="sr-only" htmlFor={`${panelId}-${column.key}-width`}>
                  Width of {label(column.key)} in pixels (empty: automatic)
                </label>
                <input
                  id={`${panelId}-${column.key}-width`}
                  className="width-input"
                  type="number"
                  inputMode="numeric"
                  min={MIN_WIDTH}
                  max={MAX_WIDTH}
                  step={10}
                  placeholder="auto"
                  value={column.width ?? ""}
                  onChange={(e) => {
                    const value = e.target.value === "" ? undefined : Number(e.target.value);
                    setDraft(draft.map((d, j) => (j === i ? { key: d.key, width: value } : d)));
                  }}
                />
                <span className="muted small" aria-hidden="true">
                  px
                </span>
                <button
                  type="button"
                  disabled={i === 0}
                  onClick={() => move(i, -1)}
                  aria-label={`Move ${label(column.key)} left`}
                >
                  ↑
                </button>
                <button
                  type="button"
                  disabled={i === draft.length - 1}
                  onClick={() => move(i, 1)}
                  aria-label={`Move ${label(column.key)} right`}
                >
                  ↓
                </button>
                <button
                  type="button"
                  disabled={draft.length === 1}
                  onClick={() => setDraft(draft.filter((_, j) => j !== i))}
                  aria-label={`Hide ${label(column.key)}`}
                >
                  Hide
                </button>
              </li>
            ))}
          </ol>
          {hidden.length > 0 ? (
            <div className="row small">
              <span className="muted">Show:</span>
              {hidden.map((h) => (
                <button
                  key={h.key}
                  type="button"
                  className="link"
                  onClick={() => setDraft([...draft, { key: h.key, width: undefined }])}
                >
                  + {h.label}
                </button>
              ))}
            </div>
          ) : null}
          <div className="row" style={{ marginTop: "0.75rem" }}>
            <button type="button" className="link" disabled={pending} onClick={() => save(null)}>
              Reset to default
            </button>
            <span className="spacer" />
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="button" className="primary" disabled={pending} onClick={() => save(draft)}>
              Save columns
            </button>
          </div>
        </section>
      ) : null}
    </div>
  );
}
