"use client";

import { useRouter } from "next/navigation";
import { useCallback, useId, useReducer, useState } from "react";
import { SchemaLiveRefresh } from "@/components/schema-live-refresh";
import type { CollectionDetail } from "@/lib/collections";
import type { SchemaState } from "@/lib/collections/schema-input";
import { updateCollectionAction } from "../actions";
import { CollectionSettings } from "./_components/collection-settings";
import { SchemaConflictDialog } from "./_components/conflict-dialog";
import { FieldCard } from "./_components/field-card";
import { ImpactDialog } from "./_components/impact-dialog";
import { RemovedFields } from "./_components/removed-fields";
import { initialEditorState, removableFields, schemaEditorReducer, schemaOf } from "./_components/schema-editor-state";

/**
 * The schema editor: name, edit mode, capacity field and the fields (add, remove, reorder by drag
 * or with Move up / Move down, label, type, required, options, limits, shown in the table), and
 * removed fields to restore. Saving names the version it started from; a change by another admin
 * meanwhile opens a three-way dialog, and a change that leaves values unfit shows its impact first.
 * The state and its transitions are in `_components/schema-editor-state.ts`.
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
  const [state, dispatch] = useReducer(schemaEditorReducer, initial, initialEditorState);
  const { base, draft, errors, status, impact, conflict, newer, announce } = state;
  const [dragging, setDragging] = useState<number | null>(null);

  const onSchemaEvent = useCallback(
    (event: { slug: string; version: number }) => {
      if (event.slug === initial.slug) dispatch({ type: "schemaEvent", version: event.version });
    },
    [initial.slug],
  );

  async function save(against: number, schema: SchemaState, acceptImpact = false) {
    dispatch({ type: "saveStarted" });
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
      dispatch({ type: "saveAnswered", answer: result, against, schema });
      if (result.ok) router.refresh();
    } catch {
      dispatch({ type: "saveFailed" });
    }
  }

  const removable = removableFields(state);

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

      <CollectionSettings draft={draft} errors={errors} dispatch={dispatch} />

      <h2 style={{ margin: 0 }}>Fields</h2>
      <p className="sr-only" role="status" aria-live="polite">
        {announce}
      </p>
      <ol className="schema-fields">
        {draft.rows.map((row, i) => (
          <FieldCard
            key={row.uid}
            row={row}
            index={i}
            count={draft.rows.length}
            errors={errors}
            collections={collections}
            dragging={dragging === i}
            onDragStart={() => setDragging(i)}
            onDrop={() => {
              if (dragging !== null) dispatch({ type: "move", from: dragging, to: i });
              setDragging(null);
            }}
            onDragEnd={() => setDragging(null)}
            dispatch={dispatch}
          />
        ))}
      </ol>
      <div className="row">
        <button type="button" onClick={() => dispatch({ type: "add" })}>
          Add field
        </button>
      </div>

      {removable.length > 0 ? (
        <RemovedFields fields={removable} onRestore={(field) => dispatch({ type: "restore", field })} />
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
          onCancel={() => dispatch({ type: "cancelImpact" })}
        />
      ) : null}
      {conflict ? (
        <SchemaConflictDialog
          base={base}
          conflict={conflict}
          onMerge={(merged) => {
            dispatch({ type: "mergeChosen", merged });
            void save(conflict.current.version, merged);
          }}
          onOverwrite={() => {
            dispatch({ type: "overwriteChosen" });
            void save(conflict.current.version, conflict.mine);
          }}
          onDiscard={() => dispatch({ type: "discardMine" })}
        />
      ) : null}
    </div>
  );
}
