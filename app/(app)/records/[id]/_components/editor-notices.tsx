"use client";

import type { Draft } from "@/components/drafts";
import { RelativeTime } from "@/components/relative-time";
import type { UpdateAction } from "@/lib/records/save-record";
import type { EditorEvent, EditorState, SaveRequest } from "./editor-state";
import { isDirty, newerRecord } from "./editor-state";
import type { DraftControls } from "./use-draft";

const DONE_WORDS: Record<UpdateAction | "restore", string> = {
  update: "Saved",
  merge: "Merged",
  overwrite: "Overwritten",
  restore: "Restored",
};

export type NoticeActions = {
  dispatch: (event: EditorEvent) => void;
  drafts: DraftControls;
  /** "Load the latest version". */
  loadLatest: (record: NonNullable<ReturnType<typeof newerRecord>>) => void;
  /** "Try again" on an error notice. */
  retry: (request: SaveRequest) => void;
};

function DraftOffer({ draft, drafts }: { draft: Draft; drafts: DraftControls }) {
  return (
    <div className="notice warn row" role="status">
      <span>
        You have unsaved changes from <RelativeTime iso={draft.savedAt} /> (started from version {draft.baseVersion}).
      </span>
      <button type="button" className="primary" onClick={() => drafts.resume(draft)}>
        Restore your unsaved changes
      </button>
      <button type="button" onClick={drafts.dismiss}>
        Discard them
      </button>
    </div>
  );
}

function DiscardedOffer({ draft, drafts }: { draft: Draft; drafts: DraftControls }) {
  return (
    <div className="notice row" role="status">
      <span>
        Your discarded edits from <RelativeTime iso={draft.savedAt} /> are still kept in this browser.
      </span>
      <button type="button" onClick={() => drafts.resume(draft)}>
        Bring my edits back
      </button>
      <button type="button" onClick={drafts.forgetDiscarded}>
        Forget them
      </button>
    </div>
  );
}

/**
 * Everything the editor tells the user above the form, each derived from the editor state:
 * drafts on offer, a newer version or a deletion seen in the background, a conflict or
 * deletion on hold, a changed schema, the last save's outcome.
 */
export function EditorNotices({
  state,
  leaseRegained,
  actions,
}: {
  state: EditorState;
  /** Our lease was taken and is ours again, with edits in the form. */
  leaseRegained: boolean;
  actions: NoticeActions;
}) {
  const { dispatch, drafts } = actions;
  const dirty = isDirty(state);
  const newer = newerRecord(state);
  const { surface, notice } = state;
  // Field errors the form cannot show at a field: the server knows a field this form does not.
  const shown = new Set(state.fields.map((field) => field.key));
  const unknownErrors = Object.entries(state.errors).filter(([key]) => !shown.has(key));
  return (
    <>
      {leaseRegained && dirty ? (
        <div className="notice row" role="status">
          <span>
            You have the record again. Your earlier edits are back in the form; saving shows what changed meanwhile.
          </span>
        </div>
      ) : null}

      {state.drafts.offer ? <DraftOffer draft={state.drafts.offer} drafts={drafts} /> : null}
      {state.drafts.discarded ? <DiscardedOffer draft={state.drafts.discarded} drafts={drafts} /> : null}

      {state.schemaChange ? (
        <div className="notice warn row" role="status" data-testid="schema-changed">
          <span>
            An admin changed the fields of this collection.{" "}
            {dirty ? "Reload the form to see them; your unsaved edits are kept." : "Reload the form to see them."}
          </span>
          <button type="button" className="primary" onClick={() => dispatch({ type: "schema_reloaded" })}>
            Reload the form
          </button>
        </div>
      ) : null}

      {state.schemaNote ? (
        <div className="notice row" role="status" data-testid="schema-note">
          <span>
            The form now shows the collection's current fields.
            {state.schemaNote.added.length > 0
              ? ` New: ${state.schemaNote.added
                  .map((field) => (field.required ? `${field.label} (required)` : field.label))
                  .join(", ")}.`
              : null}
            {state.schemaNote.keptEdits.length > 0
              ? ` Removed: ${state.schemaNote.keptEdits
                  .map((field) => field.label)
                  .join(", ")}. Your edit there is kept in this browser's draft but will not be saved.`
              : null}
          </span>
          <button type="button" onClick={() => dispatch({ type: "schema_note_dismissed" })}>
            Got it
          </button>
        </div>
      ) : null}

      {unknownErrors.length > 0 ? (
        <div className="notice error" role="alert" data-testid="schema-errors">
          The server refused the save: {unknownErrors.map(([, message]) => message).join("; ")}.{" "}
          {state.schemaChange
            ? "The collection's fields have changed: reload the form to fill them in."
            : "The collection's fields may have changed; reload the page to see them (your edits are kept as a draft)."}
        </div>
      ) : null}

      {newer && surface.kind !== "conflict" ? (
        <div className="notice warn" role="status">
          {newer.updatedBy.name} saved a newer version (version {newer.version}) <RelativeTime iso={newer.updatedAt} />.{" "}
          {dirty ? (
            "Keep editing: when you save, you will see what they changed and decide field by field."
          ) : (
            <button type="button" className="link" onClick={() => actions.loadLatest(newer)}>
              Load the latest version
            </button>
          )}
        </div>
      ) : null}

      {state.goneRemotely && surface.kind !== "deleted" ? (
        <div className="notice warn" role="status">
          This record has just been deleted by someone else.{" "}
          {dirty ? "Your edits are kept; saving will let you restore it with them." : null}
        </div>
      ) : null}

      {surface.kind === "conflict" && !surface.open ? (
        <div className="notice warn row" role="status">
          <span>Someone saved while you were editing; your save is on hold.</span>
          <button type="button" className="primary" onClick={() => dispatch({ type: "surface_opened" })}>
            Review changes
          </button>
        </div>
      ) : null}

      {surface.kind === "deleted" && !surface.open ? (
        <div className="notice error row" role="status">
          <span>
            {surface.deleted.by.name} deleted this record <RelativeTime iso={surface.deleted.at} />.
          </span>
          <button type="button" onClick={() => dispatch({ type: "surface_opened" })}>
            Decide what to do
          </button>
        </div>
      ) : null}

      {notice.kind === "error" ? (
        <div className="notice error row" role="alert">
          <span>{notice.message}</span>
          {notice.retry ? (
            <button type="button" onClick={() => notice.retry && actions.retry(notice.retry)}>
              Try again
            </button>
          ) : null}
        </div>
      ) : null}

      {notice.kind === "saved" && !dirty ? (
        <p className="notice ok" role="status">
          {DONE_WORDS[notice.action]} — version {notice.version}.
        </p>
      ) : null}
    </>
  );
}
