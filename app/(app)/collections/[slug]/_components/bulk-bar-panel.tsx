"use client";

import { FieldInput } from "@/components/field-input";
import type { FieldDefinition } from "@/lib/fields";
import { nextSetting, plural, type Setting } from "./bulk-selection-state";

/** The bar's panel: what is selected, the fields to set, apply or delete. */
export function BulkBarPanel({
  id,
  count,
  busy,
  notice,
  matchingLabel,
  settable,
  settings,
  onSettings,
  onSelectMatching,
  onClear,
  onPending,
}: {
  id: string;
  count: number;
  busy: boolean;
  notice: string | null;
  matchingLabel: string;
  settable: FieldDefinition[];
  settings: Setting[];
  onSettings: (settings: Setting[]) => void;
  onSelectMatching: () => void;
  onClear: () => void;
  onPending: (op: "update" | "delete") => void;
}) {
  return (
    <section className="panel bulk-bar" aria-label="Bulk edit" data-testid="bulk-bar">
      <div className="row">
        <strong>{plural(count)} selected</strong>
        <button type="button" onClick={onSelectMatching} disabled={busy}>
          {matchingLabel}
        </button>
        <button type="button" onClick={onClear} disabled={busy}>
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
                onChange={(e) => onSettings(settings.map((s, j) => (j === i ? { key: e.target.value, value: "" } : s)))}
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
                  onChange={(value) => onSettings(settings.map((s, j) => (j === i ? { ...s, value } : s)))}
                />
              ) : field ? (
                <>
                  <label htmlFor={`${id}-value-${i}`}>New {field.label}</label>
                  <FieldInput
                    field={field}
                    id={`${id}-value-${i}`}
                    value={setting.value}
                    onChange={(value) => onSettings(settings.map((s, j) => (j === i ? { ...s, value } : s)))}
                  />
                </>
              ) : null}
              <button type="button" onClick={() => onSettings(settings.filter((_, j) => j !== i))}>
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
                const next = nextSetting(settings, settable);
                if (next) onSettings([...settings, next]);
              }}
            >
              {settings.length === 0 ? "Set a field" : "Set another field"}
            </button>
          ) : null}
          {settings.length > 0 ? (
            <button type="button" className="primary" onClick={() => onPending("update")} disabled={busy}>
              Apply to {plural(count)}…
            </button>
          ) : null}
          <span className="spacer" />
          <button type="button" className="danger" onClick={() => onPending("delete")} disabled={busy}>
            Delete {plural(count)}…
          </button>
        </div>
      </div>
    </section>
  );
}
