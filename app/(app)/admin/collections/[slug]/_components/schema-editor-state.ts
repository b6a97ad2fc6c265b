import type { CollectionDetail } from "@/lib/collections";
import type { ImpactItem } from "@/lib/collections/impact";
import type { SchemaState } from "@/lib/collections/schema-input";
import type { EntityRevisionView } from "@/lib/entity-revisions";
import type { FieldDefinition } from "@/lib/fields";
import { cleanFields, keyFrom } from "./schema-fields";

export { cleanFields, keyFrom, TYPE_NAMES } from "./schema-fields";

/**
 * The schema editor's state without React: the draft (name, edit mode, capacity field, the field
 * rows), the version it started from, and what the last save answered (saved, field errors, an
 * impact to confirm, a conflict to merge). `schemaEditorReducer` is every transition.
 */

export type Row = { uid: string; isNew: boolean; keyEdited: boolean; field: FieldDefinition };
export type Draft = { name: string; editMode: SchemaState["editMode"]; capacityField: string | null; rows: Row[] };
export type Base = SchemaState & { version: number; removedFields: FieldDefinition[] };
export type Conflict = { current: CollectionDetail; changes: EntityRevisionView[]; mine: SchemaState };
export type Impact = { items: ImpactItem[]; against: number; schema: SchemaState };
export type SaveStatus = { kind: "idle" | "saving" | "saved" | "error"; message?: string };

export type SchemaEditorState = {
  base: Base;
  draft: Draft;
  errors: Record<string, string>;
  status: SaveStatus;
  impact: Impact | null;
  conflict: Conflict | null;
  /** The newest version another admin saved meanwhile, if any. */
  newer: number | null;
  /** Said to screen readers after a field list edit. */
  announce: string;
};

/** What `updateCollectionAction` answers (the parts the editor reads). */
export type SaveAnswer =
  | { ok: true; collection: CollectionDetail }
  | {
      ok: false;
      error:
        | { code: "schema_impact"; impact: ImpactItem[] }
        | { code: "schema_conflict"; current: CollectionDetail; changes: EntityRevisionView[] }
        | { code: "invalid"; fields: Record<string, string> }
        | { code: string; message?: string };
    };

export type SchemaEditorAction =
  | { type: "setSettings"; patch: Partial<Pick<Draft, "name" | "editMode" | "capacityField">> }
  | { type: "add" }
  | { type: "remove"; uid: string }
  | { type: "move"; from: number; to: number }
  | { type: "restore"; field: FieldDefinition }
  | { type: "setField"; uid: string; patch: Partial<FieldDefinition> }
  | { type: "setLabel"; uid: string; label: string }
  | { type: "setKey"; uid: string; key: string }
  | { type: "schemaEvent"; version: number }
  | { type: "saveStarted" }
  | { type: "saveAnswered"; answer: SaveAnswer; against: number; schema: SchemaState }
  | { type: "saveFailed" }
  | { type: "cancelImpact" }
  | { type: "mergeChosen"; merged: SchemaState }
  | { type: "overwriteChosen" }
  | { type: "discardMine" };

let uidCounter = 0;
export const nextUid = () => {
  uidCounter += 1;
  return `f${uidCounter}`;
};

export function baseOf(detail: CollectionDetail): Base {
  return {
    name: detail.name,
    editMode: detail.editMode,
    capacityField: detail.capacityField,
    fields: detail.fields,
    version: detail.version,
    removedFields: detail.removedFields,
  };
}

export function draftOf(schema: SchemaState): Draft {
  return {
    name: schema.name,
    editMode: schema.editMode,
    capacityField: schema.capacityField,
    rows: schema.fields.map((field) => ({ uid: nextUid(), isNew: false, keyEdited: true, field })),
  };
}

export function initialEditorState(detail: CollectionDetail): SchemaEditorState {
  const base = baseOf(detail);
  return {
    base,
    draft: draftOf(base),
    errors: {},
    status: { kind: "idle" },
    impact: null,
    conflict: null,
    newer: null,
    announce: "",
  };
}

export function schemaOf(draft: Draft): SchemaState {
  return { name: draft.name, editMode: draft.editMode, capacityField: draft.capacityField, fields: cleanFields(draft) };
}

/** The removed fields that are not back in the draft: the ones to offer for restoring. */
export function removableFields(state: SchemaEditorState): FieldDefinition[] {
  return state.base.removedFields.filter((f) => !state.draft.rows.some((r) => r.field.key === f.key));
}

function updateRow(state: SchemaEditorState, uid: string, change: (row: Row) => Partial<Row>): SchemaEditorState {
  return {
    ...state,
    draft: {
      ...state.draft,
      rows: state.draft.rows.map((row) => (row.uid === uid ? { ...row, ...change(row) } : row)),
    },
  };
}

export function schemaEditorReducer(state: SchemaEditorState, action: SchemaEditorAction): SchemaEditorState {
  const { draft } = state;
  switch (action.type) {
    case "setSettings":
      return { ...state, draft: { ...draft, ...action.patch } };
    case "add":
      return {
        ...state,
        draft: {
          ...draft,
          rows: [
            ...draft.rows,
            {
              uid: nextUid(),
              isNew: true,
              keyEdited: false,
              field: { key: "", label: "", type: "text", listed: true },
            },
          ],
        },
        announce: `Field ${draft.rows.length + 1} added.`,
      };
    case "remove": {
      const row = draft.rows.find((r) => r.uid === action.uid);
      if (!row) return state;
      return {
        ...state,
        draft: { ...draft, rows: draft.rows.filter((r) => r.uid !== action.uid) },
        announce: `${row.field.label || "Field"} removed.${row.isNew ? "" : " Its values are kept; you can restore it."}`,
      };
    }
    case "move": {
      const { from, to } = action;
      if (to < 0 || to >= draft.rows.length || from === to) return state;
      const rows = [...draft.rows];
      const [row] = rows.splice(from, 1);
      if (!row) return state;
      rows.splice(to, 0, row);
      return {
        ...state,
        draft: { ...draft, rows },
        announce: `${row.field.label || "The new field"} is now field ${to + 1} of ${rows.length}.`,
      };
    }
    case "restore":
      return {
        ...state,
        draft: {
          ...draft,
          rows: [...draft.rows, { uid: nextUid(), isNew: false, keyEdited: true, field: action.field }],
        },
        announce: `${action.field.label} restored with its values.`,
      };
    case "setField":
      return updateRow(state, action.uid, (r) => ({ field: { ...r.field, ...action.patch } }));
    case "setLabel":
      return updateRow(state, action.uid, (r) => ({
        field: { ...r.field, label: action.label, key: r.isNew && !r.keyEdited ? keyFrom(action.label) : r.field.key },
      }));
    case "setKey":
      return updateRow(state, action.uid, (r) => ({ keyEdited: true, field: { ...r.field, key: action.key } }));
    case "schemaEvent":
      return { ...state, newer: Math.max(state.newer ?? 0, action.version) };
    case "saveStarted":
      return { ...state, status: { kind: "saving" }, errors: {} };
    case "saveFailed":
      return {
        ...state,
        status: { kind: "error", message: "The server could not be reached. Your edits are kept; try again." },
      };
    case "saveAnswered":
      return answered(state, action.answer, action.against, action.schema);
    case "cancelImpact":
      return { ...state, impact: null };
    case "mergeChosen":
      if (!state.conflict) return state;
      return { ...state, base: baseOf(state.conflict.current), draft: draftOf(action.merged) };
    case "overwriteChosen":
      if (!state.conflict) return state;
      return { ...state, base: baseOf(state.conflict.current) };
    case "discardMine": {
      if (!state.conflict) return state;
      const theirs = baseOf(state.conflict.current);
      return {
        ...state,
        base: theirs,
        draft: draftOf(theirs),
        conflict: null,
        newer: null,
        status: { kind: "idle", message: `Showing version ${theirs.version}; your edits were discarded.` },
      };
    }
  }
}

function answered(state: SchemaEditorState, answer: SaveAnswer, against: number, schema: SchemaState) {
  if (answer.ok) {
    const next = baseOf(answer.collection);
    return {
      ...state,
      base: next,
      draft: draftOf(next),
      impact: null,
      conflict: null,
      newer: null,
      status: { kind: "saved" as const, message: `Saved: version ${next.version}.` },
    };
  }
  const { error } = answer;
  if (error.code === "schema_impact" && "impact" in error) {
    return { ...state, impact: { items: error.impact, against, schema }, status: { kind: "idle" as const } };
  }
  if (error.code === "schema_conflict" && "current" in error) {
    return {
      ...state,
      impact: null,
      conflict: { current: error.current, changes: error.changes, mine: schema },
      status: { kind: "idle" as const },
    };
  }
  if (error.code === "invalid" && "fields" in error) {
    return {
      ...state,
      impact: null,
      errors: error.fields,
      status: { kind: "error" as const, message: "Some fields need fixing; see the messages beside them." },
    };
  }
  const message = "message" in error && error.message ? error.message : "Not saved.";
  return { ...state, status: { kind: "error" as const, message } };
}
