"use client";

import { type Dispatch, useEffect } from "react";
import { clearDraft, type Draft, loadDraft, storeDraft } from "@/components/drafts";
import { type EditorEvent, type EditorState, isDirty } from "./editor-state";

export type DraftControls = {
  /** "Restore your unsaved changes" / "Bring my edits back". */
  resume: (draft: Draft) => void;
  /** "Discard them": the offered draft is gone for good. */
  dismiss: () => void;
  /** "Forget them": the edits "Discard mine" set aside are gone for good. */
  forgetDiscarded: () => void;
  /** "Discard mine": keep the form's edits aside (offered back) before the form takes theirs. */
  setAside: () => Draft;
};

/**
 * The browser's copy of unsaved edits (`drafts.ts`): offers a draft left by a reload or a
 * crashed tab once on open (never applied silently), and keeps the copy in step with the
 * form while typing (not while a draft is on offer).
 */
export function useDraft(recordId: string, state: EditorState, dispatch: Dispatch<EditorEvent>): DraftControls {
  useEffect(() => {
    dispatch({ type: "drafts_loaded", offer: loadDraft(recordId), discarded: loadDraft(recordId, "discarded") });
  }, [recordId, dispatch]);

  const { ready, offer } = state.drafts;
  const dirty = isDirty(state);
  const { base, values } = state;
  useEffect(() => {
    if (!ready || offer) return;
    const timer = setTimeout(() => {
      if (dirty) storeDraft({ recordId, baseVersion: base.version, baseData: base.data, values });
      else clearDraft(recordId);
    }, 250);
    return () => clearTimeout(timer);
  }, [ready, offer, dirty, recordId, base, values]);

  return {
    resume(draft) {
      dispatch({ type: "draft_resumed", draft });
      clearDraft(recordId, "discarded");
    },
    dismiss() {
      clearDraft(recordId);
      dispatch({ type: "draft_dismissed" });
    },
    forgetDiscarded() {
      clearDraft(recordId, "discarded");
      dispatch({ type: "discarded_forgotten" });
    },
    setAside: () => storeDraft({ recordId, baseVersion: base.version, baseData: base.data, values }, "discarded"),
  };
}
