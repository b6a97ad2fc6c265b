"use client";

import { useRouter } from "next/navigation";
import { type DragEvent, useCallback, useId, useState } from "react";
import { SchemaLiveRefresh } from "@/components/schema-live-refresh";
import type { CollectionDetail } from "@/lib/collections";
import type { ImpactItem } from "@/lib/collections/impact";
import { applySchemaMerge, mergeSchemas, type SchemaPart, stableJson } from "@/lib/collections/schema-diff";
import type { SchemaState } from "@/lib/collections/schema-input";
import { FIELD_TYPES, type FieldDefinition, type FieldType } from "@/lib/fields";
import type { RevisionView } from "@/lib/records/record-view";
import { updateCollectionAction } from "../actions";

const TYPE_NAMES: Record<FieldType, string> = {
  text: "Text",
  longtext: "Long text",
  number: "Number",
  integer: "Whole number",
  boolean: "Yes / no",
  date: "Date",
  select: "Select (one option)",
  email: "Email",
  multiselect: "Multi-select (several options)",
  user: "Person",
  link: "Link to a record",
};

type Row = { uid: string; isNew: boolean; keyEdited: boolean; field: FieldDefinition };
type Draft = { name: string; editMode: SchemaState["editMode"]; capacityField: string | null; rows: Row[] };
type Base = SchemaState & { version: number; removedFields: FieldDefinition[] };

let uidCounter = 0;
const nextUid = () => {
  uidCounter += 1;
  return `f${uidCounter}`;
};

function baseOf(detail: CollectionDetail): Base {
  return {
    name: detail.name,
    editMode: detail.editMode,
    capacityField: detail.capacityField,
    fields: detail.fields,
    version: detail.version,
    removedFields: detail.removedFields,
  };
}

function draftOf(schema: SchemaState): Draft {
  return {
    name: schema.name,
    editMode: schema.editMode,
    capacityField: schema.capacityField,
    rows: schema.fields.map((field) => ({ uid: nextUid(), isNew: false, keyEdited: true, field })),
  };
}

function schemaOf(draft: Draft): SchemaState {
  return { name: draft.name, editMode: draft.editMode, capacityField: draft.capacityField, fields: cleanFields(draft) };
}

/** The definitions as the server takes them: properties that do not apply to the type left out. */
function cleanFields(draft: Draft): FieldDefinition[] {
  return draft.rows.map(({ field }) => {
    const out: FieldDefinition = { key: field.key, label: field.label, type: field.type };
    if (field.required) out.required = true;
    if (field.listed) out.listed = true;
    if (field.type === "select" || field.type === "multiselect") out.options = field.options ?? [];
    if (field.type === "number" || field.type === "integer") {
      if (field.min !== undefined) out.min = field.min;
      if (field.max !== undefined) out.max = field.max;
    }
    if ((field.type === "text" || field.type === "longtext") && field.maxLength !== undefined) {
      out.maxLength = field.maxLength;
    }
    if (field.type === "link") out.collection = field.collection ?? "";
    return out;
  });
}

function keyFrom(label: string): string {
  return label
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^[^a-z]+|_+$/g, "")
    .slice(0, 63);
}

/** A part of a schema in words, for the dialogs. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return "(not there)";
  if (typeof value === "string") return value;
  const f = value as FieldDefinition;
  const extras = [
    TYPE_NAMES[f.type] ?? f.type,
    f.required ? "required" : null,
    f.options ? `options: ${f.options.join(", ")}` : null,
    f.min !== undefined ? `min ${f.min}` : null,
    f.max !== undefined ? `max ${f.max}` : null,
    f.maxLength !== undefined ? `at most ${f.maxLength} characters` : null,
    f.collection ? `links to ${f.collection}` : null,
    f.listed ? "shown in the table" : null,
  ].filter(Boolean);
  return `“${f.label}” — ${extras.join(", ")}`;
}

type Conflict = { current: CollectionDetail; changes: RevisionView[]; mine: SchemaState };
type Impact = { items: ImpactItem[]; against: number; schema: SchemaState };

/**
 * The schema editor: name, edit mode, capacity field and the fields (add, remove, reorder by drag
 * or with Move up / Move down, label, type, required, options, limits, shown in the table), and
 * removed fields to restore. Saving names the version it started from; a change by another admin
 * meanwhile opens a three-way dialog, and a change that leaves values unfit shows its impact first.
 */
export function SchemaEditor({
  initial,
  collections,
}: {
  initial: CollectionDetail;
  collections: { slug: string; name: string }[];
}) {
  const router = useRouter();
  const titleId = useId();
  const [base, setBase] = useState<Base>(() => baseOf(initial));
  const [draft, setDraft] = useState<Draft>(() => draftOf(baseOf(initial)));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<{ kind: "idle" | "saving" | "saved" | "error"; message?: string }>({
    kind: "idle",
  });
  const [impact, setImpact] = useState<Impact | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [newer, setNewer] = useState<number | null>(null);
  const [dragging, setDragging] = useState<number | null>(null);
  const [announce, setAnnounce] = useState("");

  const onSchemaEvent = useCallback(
    (event: { slug: string; version: number }) => {
      if (event.slug === initial.slug) setNewer((v) => Math.max(v ?? 0, event.version));
    },
    [initial.slug],
  );

  const updateRow = (
    uid: string,
    change: (field: FieldDefinition, row: Row) => Partial<Row> & { field?: FieldDefinition },
  ) =>
    setDraft((d) => ({
      ...d,
      rows: d.rows.map((row) => (row.uid === uid ? { ...row, ...change(row.field, row) } : row)),
    }));
  const setField = (uid: string, patch: Partial<FieldDefinition>) =>
    updateRow(uid, (field) => ({ field: { ...field, ...patch } }));

  function move(from: number, to: number) {
    if (to < 0 || to >= draft.rows.length || from === to) return;
    const rows = [...draft.rows];
    const [row] = rows.splice(from, 1);
    if (!row) return;
    rows.splice(to, 0, row);
    setDraft({ ...draft, rows });
    setAnnounce(`${row.field.label || "The new field"} is now field ${to + 1} of ${rows.length}.`);
  }

  function addField() {
    const uid = nextUid();
    setDraft((d) => ({
      ...d,
      rows: [
        ...d.rows,
        { uid, isNew: true, keyEdited: false, field: { key: "", label: "", type: "text", listed: true } },
      ],
    }));
    setAnnounce(`Field ${draft.rows.length + 1} added.`);
  }

  function restore(field: FieldDefinition) {
    setDraft((d) => ({ ...d, rows: [...d.rows, { uid: nextUid(), isNew: false, keyEdited: true, field }] }));
    setAnnounce(`${field.label} restored with its values.`);
  }

  async function save(against: number, schema: SchemaState, acceptImpact = false) {
    setStatus({ kind: "saving" });
    setErrors({});
    try {
      const result = await updateCollectionAction({
        slug: initial.slug,
        baseVersion: against,
        changes: {
          name: schema.name,
          editMode: schema.editMode,
          capacityField: schema.capacityField,
          fields: schema.fields,
        },
        acceptImpact,
      });
      if (result.ok) {
        const next = baseOf(result.collection);
        setBase(next);
        setDraft(draftOf(next));
        setImpact(null);
        setConflict(null);
        setNewer(null);
        setStatus({ kind: "saved", message: `Saved: version ${next.version}.` });
        router.refresh();
        return;
      }
      const { error } = result;
      switch (error.code) {
        case "schema_impact":
          setImpact({ items: error.impact, against, schema });
          setStatus({ kind: "idle" });
          break;
        case "schema_conflict":
          setImpact(null);
          setConflict({ current: error.current, changes: error.changes, mine: schema });
          setStatus({ kind: "idle" });
          break;
        case "invalid":
          setImpact(null);
          setErrors(error.fields);
          setStatus({ kind: "error", message: "Some fields need fixing; see the messages beside them." });
          break;
        default:
          setStatus({ kind: "error", message: "message" in error && error.message ? error.message : "Not saved." });
      }
    } catch {
      setStatus({ kind: "error", message: "The server could not be reached. Your edits are kept; try again." });
    }
  }

  const err = (path: string) =>
    errors[path] ? (
      <span className="field-error" id={`err-${path}`}>
        {errors[path]}
      </span>
    ) : null;
  const removable = base.removedFields.filter((f) => !draft.rows.some((r) => r.field.key === f.key));
  const integerKeys = draft.rows.filter((r) => r.field.type === "integer" && r.field.key);

  return (
    <div className="stack">
      <SchemaLiveRefresh onChange={onSchemaEvent} />
      <h1 id={titleId} style={{ margin: 0 }}>
        Schema of {base.name}
      </h1>
      <p className="muted small" style={{ margin: 0 }}>
        Version {base.version}. Removing a field hides it and keeps its values; restoring it brings them back.
      </p>
      {newer !== null && newer > base.version ? (
        <div className="notice warn" role="status">
          Another admin changed this collection (now version {newer}). Your edits are kept; saving shows what they
          changed and lets you merge.
        </div>
      ) : null}

      <section className="form-grid" aria-label="Collection">
        <div className="field">
          <label htmlFor="schema-name">Collection name</label>
          <input
            id="schema-name"
            type="text"
            value={draft.name}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
          {err("name")}
        </div>
        <div className="field">
          <label htmlFor="schema-mode">Edit mode</label>
          <select
            id="schema-mode"
            value={draft.editMode}
            onChange={(e) => setDraft({ ...draft, editMode: e.target.value === "lease" ? "lease" : "optimistic" })}
          >
            <option value="optimistic">Edit together, merge on save</option>
            <option value="lease">One editor at a time (lease)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="schema-capacity">Capacity field (for reservations)</label>
          <select
            id="schema-capacity"
            value={draft.capacityField ?? ""}
            onChange={(e) => setDraft({ ...draft, capacityField: e.target.value === "" ? null : e.target.value })}
          >
            <option value="">None: records take no reservations</option>
            {integerKeys.map((r) => (
              <option key={r.uid} value={r.field.key}>
                {r.field.label || r.field.key}
              </option>
            ))}
            {draft.capacityField && !integerKeys.some((r) => r.field.key === draft.capacityField) ? (
              <option value={draft.capacityField}>{draft.capacityField} (not a whole-number field)</option>
            ) : null}
          </select>
          {err("capacityField")}
        </div>
      </section>

      <h2 style={{ margin: 0 }}>Fields</h2>
      <p className="sr-only" role="status" aria-live="polite">
        {announce}
      </p>
      <ol className="schema-fields">
        {draft.rows.map((row, i) => {
          const { field, uid } = row;
          const id = (what: string) => `${uid}-${what}`;
          const at = `fields.${i}`;
          return (
            <li
              key={uid}
              draggable
              onDragStart={() => setDragging(i)}
              onDragOver={(e: DragEvent) => e.preventDefault()}
              onDrop={(e: DragEvent) => {
                e.preventDefault();
                if (dragging !== null) move(dragging, i);
                setDragging(null);
              }}
              onDragEnd={() => setDragging(null)}
              className={`schema-field${dragging === i ? " dragging" : ""}`}
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
                      onClick={() => move(i, i - 1)}
                    >
                      Move up
                    </button>
                    <button
                      type="button"
                      aria-label={`Move ${field.label || `field ${i + 1}`} down`}
                      disabled={i === draft.rows.length - 1}
                      onClick={() => move(i, i + 1)}
                    >
                      Move down
                    </button>
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Remove ${field.label || `field ${i + 1}`}`}
                      onClick={() => {
                        setDraft({ ...draft, rows: draft.rows.filter((r) => r.uid !== uid) });
                        setAnnounce(
                          `${field.label || "Field"} removed.${row.isNew ? "" : " Its values are kept; you can restore it."}`,
                        );
                      }}
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
                      onChange={(e) => {
                        const label = e.target.value;
                        updateRow(uid, (f, r) => ({
                          field: { ...f, label, key: r.isNew && !r.keyEdited ? keyFrom(label) : f.key },
                        }));
                      }}
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
                      onChange={(e) =>
                        updateRow(uid, (f) => ({ keyEdited: true, field: { ...f, key: e.target.value } }))
                      }
                    />
                    {err(`${at}.key`)}
                  </div>
                  <div className="field">
                    <label htmlFor={id("type")}>Type</label>
                    <select
                      id={id("type")}
                      value={field.type}
                      onChange={(e) => setField(uid, { type: e.target.value as FieldType })}
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
                      onChange={(e) => setField(uid, { required: e.target.checked })}
                    />
                    <label htmlFor={id("required")}>Required</label>
                  </div>
                  <div className="field checkbox">
                    <input
                      id={id("listed")}
                      type="checkbox"
                      checked={field.listed === true}
                      onChange={(e) => setField(uid, { listed: e.target.checked })}
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
                        onChange={(e) =>
                          setField(uid, { options: e.target.value.split("\n").map((o) => o.trimStart()) })
                        }
                        onBlur={() =>
                          setField(uid, { options: (field.options ?? []).map((o) => o.trim()).filter(Boolean) })
                        }
                      />
                      {err(`${at}.options`)}
                    </div>
                  ) : null}
                  {field.type === "number" || field.type === "integer" ? (
                    <>
                      <NumberInput
                        id={id("min")}
                        label="Minimum"
                        value={field.min}
                        onChange={(min) => setField(uid, { min })}
                      />
                      <NumberInput
                        id={id("max")}
                        label="Maximum"
                        value={field.max}
                        onChange={(max) => setField(uid, { max })}
                      />
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
                        onChange={(maxLength) => setField(uid, { maxLength })}
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
                        onChange={(e) => setField(uid, { collection: e.target.value })}
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
        })}
      </ol>
      <div className="row">
        <button type="button" onClick={addField}>
          Add field
        </button>
      </div>

      {removable.length > 0 ? (
        <section aria-labelledby="removed-title" className="stack">
          <h2 id="removed-title" style={{ margin: 0 }}>
            Restore a removed field
          </h2>
          <p className="muted small" style={{ margin: 0 }}>
            These fields' values are still in the records, hidden. Restoring one brings them back.
          </p>
          <ul>
            {removable.map((f) => (
              <li key={f.key} className="row">
                <span>
                  {f.label} <code className="muted small">{f.key}</code>
                </span>
                <button type="button" onClick={() => restore(f)} aria-label={`Restore ${f.label}`}>
                  Restore
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={status.kind === "saving"}
          onClick={() => void save(base.version, schemaOf(draft))}
        >
          Save schema
        </button>
        <span role="status" className={status.kind === "error" ? "field-error" : "muted"}>
          {status.kind === "saving" ? "Saving…" : (status.message ?? "")}
        </span>
      </div>

      {impact ? (
        <ImpactDialog
          impact={impact}
          fields={impact.schema.fields}
          onApply={() => void save(impact.against, impact.schema, true)}
          onCancel={() => setImpact(null)}
        />
      ) : null}
      {conflict ? (
        <SchemaConflictDialog
          base={base}
          conflict={conflict}
          onMerge={(merged) => {
            setBase(baseOf(conflict.current));
            setDraft(draftOf(merged));
            void save(conflict.current.version, merged);
          }}
          onOverwrite={() => {
            setBase(baseOf(conflict.current));
            void save(conflict.current.version, conflict.mine);
          }}
          onDiscard={() => {
            const theirs = baseOf(conflict.current);
            setBase(theirs);
            setDraft(draftOf(theirs));
            setConflict(null);
            setNewer(null);
            setStatus({ kind: "idle", message: `Showing version ${theirs.version}; your edits were discarded.` });
          }}
        />
      ) : null}
    </div>
  );
}

function NumberInput({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        value={value ?? ""}
        onChange={(e) => {
          const n = e.target.value === "" ? undefined : Number(e.target.value);
          onChange(n !== undefined && Number.isFinite(n) ? n : undefined);
        }}
      />
    </div>
  );
}

function ImpactDialog({
  impact,
  fields,
  onApply,
  onCancel,
}: {
  impact: Impact;
  fields: FieldDefinition[];
  onApply: () => void;
  onCancel: () => void;
}) {
  const titleId = useId();
  return (
    <div className="backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <header>
          <h2 id={titleId}>This change affects existing records</h2>
          <p className="muted small" style={{ margin: 0 }}>
            Nothing is lost: the values stay as they are and are flagged as no longer fitting. Those records still save
            when other fields change; a flagged value must fit once someone changes it.
          </p>
        </header>
        <div className="body stack">
          {impact.items.map((item) => (
            <section key={`${item.field}-${item.problem}`} className="merge-row conflict">
              <strong>
                {fields.find((f) => f.key === item.field)?.label ?? item.field}: {item.records}{" "}
                {item.records === 1 ? "record" : "records"}
              </strong>
              <span>{item.message}</span>
              <ul className="small" style={{ margin: 0 }}>
                {item.examples.map((example) => (
                  <li key={example.id}>
                    <a href={`/records/${example.id}`} target="_blank" rel="noreferrer">
                      {example.value === null ? "(no value)" : JSON.stringify(example.value)}
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
        <footer>
          <button type="button" className="primary" onClick={onApply}>
            Apply anyway
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </footer>
      </div>
    </div>
  );
}

function SchemaConflictDialog({
  base,
  conflict,
  onMerge,
  onOverwrite,
  onDiscard,
}: {
  base: Base;
  conflict: Conflict;
  onMerge: (merged: SchemaState) => void;
  onOverwrite: () => void;
  onDiscard: () => void;
}) {
  const titleId = useId();
  const theirs = baseOf(conflict.current);
  const { clean, conflicts } = mergeSchemas(base, conflict.mine, theirs);
  const [picks, setPicks] = useState<Record<string, "mine" | "theirs">>({});
  const undecided = conflicts.filter((c) => !picks[c.path]);
  const who = (path: string) => {
    const by = conflict.changes.filter((r) => path in r.changes);
    return by.length === 0
      ? ""
      : ` — ${by.map((r) => `${r.user.name}, ${new Date(r.at).toLocaleString()}`).join("; ")}`;
  };
  const row = (part: SchemaPart, isConflict: boolean) => (
    <section
      key={part.path}
      className={`merge-row${isConflict ? " conflict" : ""}`}
      data-testid={`schema-part-${part.path}`}
    >
      <div className="row" style={{ justifyContent: "space-between" }}>
        <strong>{part.label}</strong>
        <span className={`chip${isConflict ? " conflict" : " merged"}`}>
          {isConflict
            ? "Both changed it"
            : stableJson(part.mine) === stableJson(part.base)
              ? "Their change"
              : "Your change"}
        </span>
      </div>
      <div className="three">
        <div className="col">
          <div className="col-title">Base (when you started)</div>
          <div className="value-text">{describe(part.base)}</div>
        </div>
        <div className="col theirs">
          <div className="col-title">
            Theirs<span className="who">{who(part.path)}</span>
          </div>
          <div className="value-text">{describe(part.theirs)}</div>
        </div>
        <div className="col mine">
          <div className="col-title">Mine</div>
          <div className="value-text">{describe(part.mine)}</div>
        </div>
      </div>
      {isConflict ? (
        <fieldset className="choice">
          <legend>Keep for {part.label}</legend>
          {(["mine", "theirs"] as const).map((side) => (
            <label key={side} className="radio">
              <input
                type="radio"
                name={`pick-${part.path}`}
                checked={picks[part.path] === side}
                onChange={() => setPicks((p) => ({ ...p, [part.path]: side }))}
              />
              {side === "mine" ? "Keep mine" : "Keep theirs"}
            </label>
          ))}
        </fieldset>
      ) : null}
    </section>
  );
  const authors = [...new Set(conflict.changes.map((r) => r.user.name))].join(", ");
  return (
    <div className="backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <header>
          <h2 id={titleId}>{authors || "Another admin"} changed this collection meanwhile</h2>
          <p className="muted small" style={{ margin: 0 }}>
            Version {conflict.current.version} now; you started from version {base.version}.{" "}
            {conflicts.length === 0
              ? "Your changes and theirs don't clash: Merge keeps both."
              : `${conflicts.length} ${conflicts.length === 1 ? "part was" : "parts were"} changed by both: pick one for each.`}
          </p>
        </header>
        <div className="body stack">
          {conflicts.map((p) => row(p, true))}
          {clean.map((p) => row(p, false))}
        </div>
        <footer>
          <button
            type="button"
            className="primary"
            disabled={undecided.length > 0}
            onClick={() => onMerge(applySchemaMerge(base, conflict.mine, theirs, picks))}
          >
            Merge
          </button>
          <button type="button" onClick={onOverwrite}>
            Overwrite
          </button>
          <button type="button" onClick={onDiscard}>
            Discard mine
          </button>
        </footer>
      </div>
    </div>
  );
}
