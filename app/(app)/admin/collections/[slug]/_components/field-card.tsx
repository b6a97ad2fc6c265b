"use client";

import type { DragEvent } from "react";
import { FIELD_TYPES, type FieldDefinition, type FieldType } from "@/lib/fields";
import { FieldError } from "./field-error";
import { NumberInput } from "./number-input";
import { type Row, type SchemaEditorAction, TYPE_NAMES } from "./schema-editor-state";

/** One field of the schema as a list item: drag to reorder, Move up / Move down, Remove, and its properties. */
export function FieldCard({
  row,
  index: i,
  count,
  errors,
  collections,
  dragging,
  onDragStart,
  onDrop,
  onDragEnd,
  dispatch,
}: {
  row: Row;
  index: number;
  count: number;
  errors: Record<string, string>;
  collections: { slug: string; name: string }[];
  dragging: boolean;
  onDragStart: () => void;
  onDrop: () => void;
  onDragEnd: () => void;
  dispatch: (action: SchemaEditorAction) => void;
}) {
  const { field, uid } = row;
  const id = (what: string) => `${uid}-${what}`;
  const at = `fields.${i}`;
  const err = (path: string) => <FieldError errors={errors} path={path} />;
  const setField = (patch: Partial<FieldDefinition>) => dispatch({ type: "setField", uid, patch });
  const move = (to: number) => dispatch({ type: "move", from: i, to });
  return (
    <li
      draggable
      onDragStart={onDragStart}
      onDragOver={(e: DragEvent) => e.preventDefault()}
      onDrop={(e: DragEvent) => {
        e.preventDefault();
        onDrop();
      }}
      onDragEnd={onDragEnd}
      className={`schema-field${dragging ? " dragging" : ""}`}
    >
      <fieldset aria-label={`Field ${i + 1}`}>
        <div className="row" style={{ justifyContent: "space-between" }}>
          <strong>
            <span aria-hidden="true" className="drag-handle" title="Drag to reorder">
              ⠿
            </span>{" "}
            {i + 1}. {field.label || "New field"} <code className="muted small">{field.key}</code>
          </strong>
          <span className="row">
            <button
              type="button"
              aria-label={`Move ${field.label || `field ${i + 1}`} up`}
              disabled={i === 0}
              onClick={() => move(i - 1)}
            >
              Move up
            </button>
            <button
              type="button"
              aria-label={`Move ${field.label || `field ${i + 1}`} down`}
              disabled={i === count - 1}
              onClick={() => move(i + 1)}
            >
              Move down
            </button>
            <button
              type="button"
              className="danger"
              aria-label={`Remove ${field.label || `field ${i + 1}`}`}
              onClick={() => dispatch({ type: "remove", uid })}
            >
              Remove
            </button>
          </span>
        </div>
        <div className="form-grid">
          <div className="field">
            <label htmlFor={id("label")}>Label</label>
            <input
              id={id("label")}
              type="text"
              value={field.label}
              onChange={(e) => dispatch({ type: "setLabel", uid, label: e.target.value })}
            />
            {err(`${at}.label`)}
          </div>
          <div className="field">
            <label htmlFor={id("key")}>Key {row.isNew ? "" : "(fixed)"}</label>
            <input
              id={id("key")}
              type="text"
              value={field.key}
              readOnly={!row.isNew}
              onChange={(e) => dispatch({ type: "setKey", uid, key: e.target.value })}
            />
            {err(`${at}.key`)}
          </div>
          <div className="field">
            <label htmlFor={id("type")}>Type</label>
            <select
              id={id("type")}
              value={field.type}
              onChange={(e) => setField({ type: e.target.value as FieldType })}
            >
              {FIELD_TYPES.map((t) => (
                <option key={t} value={t}>
                  {TYPE_NAMES[t]}
                </option>
              ))}
            </select>
            {err(`${at}.type`)}
          </div>
          <div className="field checkbox">
            <input
              id={id("required")}
              type="checkbox"
              checked={field.required === true}
              onChange={(e) => setField({ required: e.target.checked })}
            />
            <label htmlFor={id("required")}>Required</label>
          </div>
          <div className="field checkbox">
            <input
              id={id("listed")}
              type="checkbox"
              checked={field.listed === true}
              onChange={(e) => setField({ listed: e.target.checked })}
            />
            <label htmlFor={id("listed")}>Shown in the table</label>
          </div>
          {field.type === "select" || field.type === "multiselect" ? (
            <div className="field">
              <label htmlFor={id("options")}>Options (one per line)</label>
              <textarea
                id={id("options")}
                rows={Math.max(3, (field.options?.length ?? 0) + 1)}
                value={(field.options ?? []).join("\n")}
                onChange={(e) => setField({ options: e.target.value.split("\n").map((o) => o.trimStart()) })}
                onBlur={() => setField({ options: (field.options ?? []).map((o) => o.trim()).filter(Boolean) })}
              />
              {err(`${at}.options`)}
            </div>
          ) : null}
          {field.type === "number" || field.type === "integer" ? (
            <>
              <NumberInput id={id("min")} label="Minimum" value={field.min} onChange={(min) => setField({ min })} />
              <NumberInput id={id("max")} label="Maximum" value={field.max} onChange={(max) => setField({ max })} />
              {err(`${at}.min`)}
              {err(`${at}.max`)}
            </>
          ) : null}
          {field.type === "text" || field.type === "longtext" ? (
            <>
              <NumberInput
                id={id("maxLength")}
                label="Maximum length (characters)"
                value={field.maxLength}
                onChange={(maxLength) => setField({ maxLength })}
              />
              {err(`${at}.maxLength`)}
            </>
          ) : null}
          {field.type === "link" ? (
            <div className="field">
              <label htmlFor={id("collection")}>Links to</label>
              <select
                id={id("collection")}
                value={field.collection ?? ""}
                onChange={(e) => setField({ collection: e.target.value })}
              >
                <option value="">Choose a collection</option>
                {collections.map((c) => (
                  <option key={c.slug} value={c.slug}>
                    {c.name}
                  </option>
                ))}
              </select>
              {err(`${at}.collection`)}
            </div>
          ) : null}
        </div>
      </fieldset>
    </li>
  );
}
