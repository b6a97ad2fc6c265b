"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import type { FieldDefinition } from "@/lib/fields";
import { setColumnsAction } from "../actions";
import { allColumns, type Column } from "./columns";

const WIDTHS = [
  { value: "", label: "Auto" },
  { value: "120", label: "Narrow" },
  { value: "220", label: "Medium" },
  { value: "360", label: "Wide" },
];

/** Which columns, in what order and how wide: remembered for me (list_preferences). */
export function ColumnsMenu(props: { slug: string; fields: FieldDefinition[]; columns: Column[] }) {
  const router = useRouter();
  const panelId = useId();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(props.columns.map(({ key, width }) => ({ key, width })));
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
        columns: columns?.map((c) => (c.width ? { key: c.key, width: c.width } : { key: c.key })) ?? null,
      });
      setOpen(false);
      router.refresh();
    });

  return (
    <div className="columns-menu">
      <button type="button" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
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
                  Width of {label(column.key)}
                </label>
                <select
                  id={`${panelId}-${column.key}-width`}
                  value={column.width ? String(column.width) : ""}
                  onChange={(e) =>
                    setDraft(
                      draft.map((d, j) =>
                        j === i ? { key: d.key, width: e.target.value ? Number(e.target.value) : undefined } : d,
                      ),
                    )
                  }
                >
                  {WIDTHS.map((w) => (
                    <option key={w.value} value={w.value}>
                      {w.label}
                    </option>
                  ))}
                </select>
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
