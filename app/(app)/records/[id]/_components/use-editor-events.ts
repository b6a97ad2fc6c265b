"use client";

import { type Dispatch, useEffect, useRef, useState } from "react";
import { RESTORE_CONFLICT_EVENT, type RestoreConflictDetail } from "@/components/restore-conflict-event";
import type { RecordView } from "@/lib/records/record-view";
import type { OpenConflict } from "../record-editor";
import { type EditorEvent, type EditorState, editorPhase, isDirty } from "./editor-state";
import type { DraftControls } from "./use-draft";
import { ACCESS_EVENT, type AccessChange } from "./use-record-events";

/**
 * This person's access changed while the page is open (guarantee 12): a role lowered to
 * viewer, a deactivation or a sign-out turns the form read-only; the edits stay (draft).
 */
export function useAccessRevocation(): AccessChange | null {
  const [revoked, setRevoked] = useState<AccessChange | null>(null);
  useEffect(() => {
    const onAccess = (event: Event) => {
      const change = (event as CustomEvent<AccessChange>).detail;
      setRevoked(change.ended || change.role === "viewer" ? change : null);
    };
    window.addEventListener(ACCESS_EVENT, onAccess);
    return () => window.removeEventListener(ACCESS_EVENT, onAccess);
  }, []);
  return revoked;
}

/**
 * Opens the three-way dialog once the form is editable: for `openConflict` (a restore link or
 * a bulk edit's values), and for a stale "Restore this version" in the history
 * (restore-conflict-event.ts): base = the version looked at, mine = the old values, theirs = the latest.
 */
export function useConflictOpeners({
  recordId,
  initialRecord,
  openConflict,
  editable,
  state,
  dispatch,
  drafts,
}: {
  recordId: string;
  initialRecord: RecordView;
  openConflict?: OpenConflict;
  editable: boolean;
  state: EditorState;
  dispatch: Dispatch<EditorEvent>;
  drafts: DraftControls;
}) {
  const opened = useRef(false);
  useEffect(() => {
    if (!openConflict || opened.current || !editable || !state.drafts.ready) return;
    opened.current = true;
    dispatch({
      type: "conflict_opened",
      base: openConflict.base ?? { version: initialRecord.version, data: initialRecord.data },
      mine: openConflict.mine,
      current: initialRecord,
      changes: openConflict.changes ?? [],
      origin: openConflict.origin,
    });
  }, [openConflict, editable, state.drafts.ready, initialRecord, dispatch]);

  const now = useRef({ state, drafts });
  now.current = { state, drafts };
  useEffect(() => {
    const onRestoreConflict = (event: Event) => {
      const detail = (event as CustomEvent<RestoreConflictDetail>).detail;
      const current = now.current.state;
      if (detail.recordId !== recordId || editorPhase(current) !== "editing") return;
      event.preventDefault();
      dispatch({
        type: "conflict_opened",
        base: detail.base,
        mine: detail.mine,
        current: detail.current,
        changes: detail.changes,
        origin: { kind: "restore", version: detail.version },
        keptAside: isDirty(current) ? now.current.drafts.setAside() : undefined,
      });
    };
    window.addEventListener(RESTORE_CONFLICT_EVENT, onRestoreConflict);
    return () => window.removeEventListener(RESTORE_CONFLICT_EVENT, onRestoreConflict);
  }, [recordId, dispatch]);
}
