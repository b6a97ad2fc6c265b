import type { Draft } from "@/components/drafts";
import type { RecordData } from "@/db/schema";
import { type FieldDefinition, type RecordInput, validateRecord } from "@/lib/fields";
import { type FormValues, formValuesDiffer, fromFormValues, toFormValues } from "@/lib/form-values";
import { carryDecisions, type Decision, type FieldMerge, threeWayMerge } from "@/lib/records/merge";
import type { DeletedInfo, RecordView, RevisionView } from "@/lib/records/record-view";
import type { UpdateAction } from "@/lib/records/save-record";

/**
 * The record editor as a pure state machine: every change the form can go through is an
 * event here, tested in `editor-state.test.ts` without React. The component
 * (`../record-editor.tsx`) renders the state; `use-save-record.ts` sends saves and deletes
 * and turns the answers into events; `use-draft.ts` keeps the browser's copy of unsaved
 * edits. Side effects (requests, storage, navigation) never happen here.
 *
 * Phases (`editorPhase`): editing · saving · deleting · conflict (someone saved meanwhile) ·
 * deleted (someone deleted it meanwhile) · read_only (viewer, someone else's lease, or a
 * lowered role) · lease_lost (our lease was taken over: edits kept, form read-only).
 *
 * The form's base is frozen when editing starts and moves only by this user's own saves,
 * a "Load the latest version", a resumed draft or a discard (DESIGN.md guarantee 4): a
 * remote change is only noticed (`remote_changed`), never applied under the cursor.
 *
 * Entry points for other features:
 * - `conflict_opened`: open the three-way dialog from outside with given "mine" values. A
 *   restore of an old version sends mine = that version's values, base = the version the
 *   person was looking at and current = the latest (a stale "Restore this version" through
 *   `tandem:restore-conflict`, or `?restore=<version>[&from=<version looked at>]` on the
 *   record page); a bulk edit's conflict sends mine = the batch's values, base = the version
 *   the batch started from, current = the record now. Merge, Overwrite and Discard then work
 *   exactly as after a conflicting save. Unsaved edits in the form are set aside first
 *   (`keptAside`, offered back with "Bring my edits back").
 * - `schema_changed`: the collection's fields changed while the form is open; the form
 *   offers to reload (`schema_reloaded`), keeping every edit whose field still exists; an
 *   edit of a removed field stays in the values (so in the browser's draft, never sent) and
 *   `schemaNote` says so; a new required field still empty gets its message at the field.
 * - `access_changed`: the role was lowered, access ended or the lease lost: the form turns
 *   read-only, the edits stay in the state (and so in the browser's draft) until access
 *   comes back.
 */

/** What the form is based on: frozen when editing starts, moved only by our own saves. */
export type Base = { version: number; data: RecordData };

/** `form` is what the form held when the request was made: typing after it must survive. */
export type SaveRequest = { form: FormValues } & (
  | { kind: "save"; action: UpdateAction; againstVersion: number; values: RecordInput }
  | { kind: "restore"; deletedVersion: number; values: RecordInput }
);

export type Pending = SaveRequest | { kind: "delete"; againstVersion: number };

/** Why a conflict dialog is open: a save that met a newer version, or a feature that opened it. */
export type ConflictOrigin = { kind: "save" } | { kind: "restore"; version: number } | { kind: "batch"; label: string };

/** One conflict surface at a time: the three-way dialog, or "deleted while you were editing". */
export type Surface =
  | { kind: "none" }
  | {
      kind: "conflict";
      current: RecordView;
      changes: RevisionView[];
      decisions: Record<string, Decision>;
      origin: ConflictOrigin;
      open: boolean;
    }
  | { kind: "deleted"; deleted: DeletedInfo; open: boolean };

export type Notice =
  | { kind: "none" }
  | { kind: "saved"; version: number; action: UpdateAction | "restore" }
  /** `retry`: the request "Try again" re-sends (with the same save id), if any. */
  | { kind: "error"; message: string; retry: SaveRequest | null };

/** "read_only": a viewer, a lease held by someone else (or not yet ours), or a lowered role. */
export type Access = "edit" | "read_only" | "lease_lost";

export type EditorState = {
  fields: readonly FieldDefinition[];
  base: Base;
  values: FormValues;
  errors: Record<string, string>;
  pending: Pending | null;
  notice: Notice;
  surface: Surface;
  confirmingDelete: boolean;
  access: Access;
  /** Drafts in this browser: `offer` is one left by a reload or crash, `discarded` what "Discard mine" set aside. */
  drafts: { ready: boolean; offer: Draft | null; discarded: Draft | null };
  /** The newest version the server has shown (polling, live events, a conflict). */
  latest: RecordView;
  /** The record was deleted in the background (a refetch answered 404). */
  goneRemotely: boolean;
  /** The collection's fields changed meanwhile: the new ones, until the form reloads. */
  schemaChange: { fields: readonly FieldDefinition[] } | null;
  /** What the last form reload changed: fields added, and removed fields whose edits stay in the draft only. */
  schemaNote: SchemaNote | null;
};

export type SchemaNote = {
  added: { key: string; label: string; required: boolean }[];
  /** Removed fields this user had edited: the edit is kept in the browser's draft, never saved. */
  keptEdits: { key: string; label: string }[];
};

export type EditorEvent =
  | { type: "edited"; key: string; value: string | boolean }
  | { type: "save_requested"; request: SaveRequest }
  | { type: "saved"; record: RecordView; request: SaveRequest }
  | { type: "conflict"; current: RecordView; changes: RevisionView[] }
  | {
      type: "conflict_opened";
      base: Base;
      mine: RecordData;
      current: RecordView;
      changes: RevisionView[];
      origin: ConflictOrigin;
      /** The form's unsaved edits, set aside (stored as "discarded") before mine replaces them. */
      keptAside?: Draft;
    }
  | { type: "deleted"; deleted: DeletedInfo }
  /** A save answered "not found" with nothing to restore. */
  | { type: "gone" }
  | { type: "invalid"; fields: Record<string, string> }
  | { type: "failed"; message: string; retry: SaveRequest | null }
  | { type: "surface_opened" }
  | { type: "surface_closed" }
  | { type: "decided"; key: string; decision: Decision }
  | { type: "discarded_mine"; kept: Draft }
  | { type: "latest_loaded"; record: RecordView }
  | { type: "remote_changed"; record: RecordView; gone: boolean }
  | { type: "drafts_loaded"; offer: Draft | null; discarded: Draft | null }
  | { type: "draft_resumed"; draft: Draft }
  | { type: "draft_dismissed" }
  | { type: "discarded_forgotten" }
  | { type: "delete_asked" }
  | { type: "delete_cancelled" }
  | { type: "delete_requested" }
  | { type: "edits_dropped" }
  | { type: "access_changed"; access: Access }
  | { type: "schema_changed"; fields: readonly FieldDefinition[] }
  | { type: "schema_reloaded" }
  | { type: "schema_note_dismissed" };

export type EditorPhase = "editing" | "saving" | "deleting" | "conflict" | "deleted" | "read_only" | "lease_lost";

export function initialEditorState(
  fields: readonly FieldDefinition[],
  record: RecordView,
  access: Access = "edit",
): EditorState {
  return {
    fields,
    base: { version: record.version, data: record.data },
    values: toFormValues(fields, record.data),
    errors: {},
    pending: null,
    notice: { kind: "none" },
    surface: { kind: "none" },
    confirmingDelete: false,
    access,
    drafts: { ready: false, offer: null, discarded: null },
    latest: record,
    goneRemotely: false,
    schemaChange: null,
    schemaNote: null,
  };
}

export function editorPhase(state: EditorState): EditorPhase {
  if (state.pending) return state.pending.kind === "delete" ? "deleting" : "saving";
  if (state.access !== "edit") return state.access;
  if (state.surface.kind === "conflict") return "conflict";
  if (state.surface.kind === "deleted") return "deleted";
  return "editing";
}

export function baseValues(state: EditorState): FormValues {
  return toFormValues(state.fields, state.base.data);
}

export function isDirty(state: EditorState): boolean {
  return formValuesDiffer(state.values, baseValues(state));
}

/** The form as record values (fields the form does not show keep their base value). */
export function mineValues(state: EditorState): RecordInput {
  return fromFormValues(state.fields, state.values, state.base.data);
}

/** The field-by-field merge, derived from the form as it is now. */
export function conflictMerges(state: EditorState): FieldMerge[] {
  if (state.surface.kind !== "conflict") return [];
  return threeWayMerge(state.fields, state.base.data, mineValues(state), state.surface.current.data);
}

/** A version newer than the form's base that the server has shown, if any. */
export function newerRecord(state: EditorState): RecordView | null {
  return state.latest.version > state.base.version ? state.latest : null;
}

function combineChanges(earlier: RevisionView[], later: RevisionView[], after: number): RevisionView[] {
  const byVersion = new Map<number, RevisionView>();
  for (const revision of [...earlier, ...later])
    if (revision.version > after) byVersion.set(revision.version, revision);
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/** Start over from a record: base and form both become it. */
function startFrom(state: EditorState, record: RecordView): EditorState {
  return {
    ...state,
    base: { version: record.version, data: record.data },
    values: toFormValues(state.fields, record.data),
    errors: {},
    surface: { kind: "none" },
    latest: record.version >= state.latest.version ? record : state.latest,
  };
}

function settled(state: EditorState): EditorState {
  return { ...state, pending: null };
}

export function editorReducer(state: EditorState, event: EditorEvent): EditorState {
  switch (event.type) {
    case "edited": {
      if (state.access !== "edit") return state;
      const { [event.key]: _, ...errors } = state.errors;
      return {
        ...state,
        values: { ...state.values, [event.key]: event.value },
        errors,
        notice: state.notice.kind === "saved" ? { kind: "none" } : state.notice,
      };
    }
    case "save_requested":
      if (state.pending) return state;
      return { ...state, pending: event.request, notice: { kind: "none" } };
    case "saved": {
      const action = event.request.kind === "restore" ? "restore" : event.request.action;
      const notice: Notice = { kind: "saved", version: event.record.version, action };
      const record = event.record;
      // Typed after the request left (an answer that was lost and retried): keep that typing on the new base.
      if (formValuesDiffer(state.values, event.request.form)) {
        return {
          ...settled(state),
          base: { version: record.version, data: record.data },
          surface: { kind: "none" },
          latest: record,
          notice,
        };
      }
      return { ...startFrom(settled(state), record), notice, schemaNote: null };
    }
    case "conflict": {
      const previous = state.surface.kind === "conflict" ? state.surface : null;
      let decisions: Record<string, Decision> = {};
      if (previous) {
        // A newer conflict: keep the decisions whose field nobody changed again.
        const mine = mineValues(state);
        const before = threeWayMerge(state.fields, state.base.data, mine, previous.current.data);
        const after = threeWayMerge(state.fields, state.base.data, mine, event.current.data);
        decisions = carryDecisions(before, after, previous.decisions);
      }
      return {
        ...settled(state),
        notice: { kind: "none" },
        surface: {
          kind: "conflict",
          current: event.current,
          changes: combineChanges(previous?.changes ?? [], event.changes, state.base.version),
          decisions,
          origin: previous?.origin ?? { kind: "save" },
          open: true,
        },
        latest: event.current.version >= state.latest.version ? event.current : state.latest,
      };
    }
    case "conflict_opened":
      if (state.pending || state.access !== "edit") return state;
      return {
        ...state,
        base: event.base,
        values: toFormValues(state.fields, event.mine),
        errors: {},
        notice: { kind: "none" },
        confirmingDelete: false,
        surface: {
          kind: "conflict",
          current: event.current,
          changes: event.changes,
          decisions: {},
          origin: event.origin,
          open: true,
        },
        drafts: event.keptAside ? { ...state.drafts, discarded: event.keptAside } : state.drafts,
        latest: event.current.version >= state.latest.version ? event.current : state.latest,
      };
    case "deleted":
      return {
        ...settled(state),
        notice: { kind: "none" },
        surface: { kind: "deleted", deleted: event.deleted, open: true },
      };
    case "gone":
      return {
        ...settled(state),
        surface: { kind: "none" },
        notice: { kind: "error", message: "This record no longer exists.", retry: null },
      };
    case "invalid": {
      // Checked in the browser before sending: only the field errors change.
      if (!state.pending) return { ...state, errors: event.fields };
      const surface = state.surface.kind === "conflict" ? { ...state.surface, open: false } : state.surface;
      return { ...settled(state), errors: event.fields, notice: { kind: "none" }, surface };
    }
    case "failed":
      return { ...settled(state), notice: { kind: "error", message: event.message, retry: event.retry } };
    case "surface_opened":
      return state.surface.kind === "none" ? state : { ...state, surface: { ...state.surface, open: true } };
    case "surface_closed":
      return state.surface.kind === "none" ? state : { ...state, surface: { ...state.surface, open: false } };
    case "decided":
      if (state.surface.kind !== "conflict") return state;
      return {
        ...state,
        surface: { ...state.surface, decisions: { ...state.surface.decisions, [event.key]: event.decision } },
      };
    case "discarded_mine":
      if (state.surface.kind !== "conflict") return state;
      return { ...startFrom(state, state.surface.current), drafts: { ...state.drafts, discarded: event.kept } };
    case "latest_loaded":
      return startFrom(state, event.record);
    case "remote_changed":
      return {
        ...state,
        latest: event.record.version >= state.latest.version ? event.record : state.latest,
        goneRemotely: event.gone,
      };
    case "drafts_loaded": {
      const offer =
        event.offer && formValuesDiffer(event.offer.values, toFormValues(state.fields, event.offer.baseData))
          ? event.offer
          : null;
      return { ...state, drafts: { ready: true, offer, discarded: event.discarded } };
    }
    case "draft_resumed":
      return {
        ...state,
        base: { version: event.draft.baseVersion, data: event.draft.baseData },
        values: event.draft.values,
        errors: {},
        drafts: { ...state.drafts, offer: null, discarded: null },
      };
    case "draft_dismissed":
      return { ...state, drafts: { ...state.drafts, offer: null } };
    case "discarded_forgotten":
      return { ...state, drafts: { ...state.drafts, discarded: null } };
    case "delete_asked":
      return state.access === "edit" && !state.pending ? { ...state, confirmingDelete: true } : state;
    case "delete_cancelled":
      return { ...state, confirmingDelete: false };
    case "delete_requested":
      if (state.pending) return state;
      return {
        ...state,
        confirmingDelete: false,
        notice: { kind: "none" },
        pending: { kind: "delete", againstVersion: state.base.version },
      };
    case "edits_dropped":
      return { ...state, values: baseValues(state), errors: {} };
    case "access_changed":
      if (event.access === state.access) return state;
      return { ...state, access: event.access, confirmingDelete: event.access === "edit" && state.confirmingDelete };
    case "schema_changed":
      return { ...state, schemaChange: { fields: event.fields } };
    case "schema_reloaded":
      return state.schemaChange ? reloadFields(state, state.schemaChange.fields) : state;
    case "schema_note_dismissed":
      return { ...state, schemaNote: null };
  }
}

/**
 * The form on new field definitions: every value typed stays (a field that still exists keeps
 * its edit; a removed field's edit stays in the values, so in the draft, and is named in
 * `schemaNote`); a new field starts from the record's value; a new required field still empty
 * shows what it needs at the field.
 */
function reloadFields(state: EditorState, fields: readonly FieldDefinition[]): EditorState {
  const keys = new Set(fields.map((field) => field.key));
  const oldKeys = new Set(state.fields.map((field) => field.key));
  const before = baseValues(state);
  const edited = Object.fromEntries(
    Object.entries(state.values).filter(([key, value]) => (before[key] ?? "") !== value || !oldKeys.has(key)),
  );
  const values = { ...toFormValues(fields, state.base.data), ...edited };
  const added = fields.filter((field) => !oldKeys.has(field.key));
  const keptEdits = state.fields
    .filter((field) => !keys.has(field.key) && field.key in edited)
    .map((field) => ({ key: field.key, label: field.label }));
  const errors = Object.fromEntries(Object.entries(state.errors).filter(([key]) => keys.has(key)));
  const checked = validateRecord(fields, fromFormValues(fields, values, state.base.data));
  if (!checked.ok) {
    for (const field of added) {
      const message = checked.fields[field.key];
      if (message && !(field.key in errors)) errors[field.key] = message;
    }
  }
  return {
    ...state,
    fields,
    values,
    errors,
    schemaChange: null,
    schemaNote:
      added.length > 0 || keptEdits.length > 0
        ? {
            added: added.map((field) => ({ key: field.key, label: field.label, required: field.required === true })),
            keptEdits,
          }
        : null,
  };
}
