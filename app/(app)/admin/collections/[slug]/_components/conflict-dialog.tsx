"use client";

import { useId, useState } from "react";
import { applySchemaMerge, mergeSchemas, type SchemaPart, stableJson } from "@/lib/collections/schema-diff";
import type { SchemaState } from "@/lib/collections/schema-input";
import type { FieldDefinition } from "@/lib/fields";
import { type Base, baseOf, type Conflict, TYPE_NAMES } from "./schema-editor-state";

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

/** Another admin saved the schema meanwhile: base, theirs and mine side by side, pick per clash. */
export function SchemaConflictDialog({
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
