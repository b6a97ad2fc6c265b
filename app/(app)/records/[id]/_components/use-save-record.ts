"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type Dispatch, useRef } from "react";
import { callAction } from "@/components/call-action";
import { clearDraft } from "@/components/drafts";
import type { ActionFailure } from "@/lib/errors";
import { validateChanges } from "@/lib/fields";
import { formValuesDiffer } from "@/lib/form-values";
import { queryKeys } from "@/lib/query-keys";
import type { RecordView } from "@/lib/records/record-view";
import type { SaveError } from "@/lib/records/write-outcome";
import { deleteRecordAction, restoreRecordAction, saveRecordAction } from "../actions";
import { type EditorEvent, type EditorState, mineValues, type SaveRequest } from "./editor-state";

export type SaveControls = {
  /** "Save": check the form in the browser, then save against the form's base. */
  save: () => void;
  /** Merge, Overwrite, Restore with my edits, or "Try again" (`retry`: the same save id). */
  send: (request: SaveRequest, retry?: boolean) => Promise<void>;
  /** "Yes, delete" (against the form's base); on success, back to the collection. */
  remove: () => Promise<void>;
  /** The form now shows `record`: the cached record and its history follow. */
  settle: (record: RecordView) => void;
};

/**
 * Sends the editor's writes through the record page's server actions and turns every answer
 * into an editor event (`editor-state.ts`): saved, conflict, deleted, invalid or failed.
 * Every failure (no answer, unavailable, unauthenticated, …) comes through `callAction`.
 */
export function useSaveRecord(options: {
  recordId: string;
  collectionSlug: string;
  state: EditorState;
  dispatch: Dispatch<EditorEvent>;
}): SaveControls {
  const { recordId, collectionSlug, dispatch } = options;
  const queryClient = useQueryClient();
  const router = useRouter();
  const now = useRef(options.state);
  now.current = options.state;
  // A retry after a lost answer re-sends the same save id, so it cannot apply twice.
  const saveId = useRef<string | null>(null);

  function settle(record: RecordView) {
    queryClient.setQueryData(queryKeys.record(recordId), record);
    void queryClient.invalidateQueries({ queryKey: queryKeys.revisions(recordId) });
  }

  /** The answers a save, a restore and a delete share. */
  function refused(error: SaveError | ActionFailure): boolean {
    switch (error.code) {
      case "conflict":
        dispatch({ type: "conflict", current: error.current, changes: error.changes });
        queryClient.setQueryData(queryKeys.record(recordId), error.current);
        return true;
      case "not_found":
        dispatch(error.deleted ? { type: "deleted", deleted: error.deleted } : { type: "gone" });
        return true;
      default:
        return false;
    }
  }

  async function send(request: SaveRequest, retry = false) {
    if (now.current.pending) return;
    if (!retry || !saveId.current) saveId.current = crypto.randomUUID();
    const id = saveId.current;
    dispatch({ type: "save_requested", request });
    const outcome =
      request.kind === "restore"
        ? await callAction(restoreRecordAction, {
            recordId,
            deletedVersion: request.deletedVersion,
            values: request.values,
            saveId: id,
          })
        : await callAction(saveRecordAction, {
            recordId,
            baseVersion: request.againstVersion,
            values: request.values,
            action: request.action,
            saveId: id,
          });
    if (outcome.ok) {
      saveId.current = null;
      const typedMeanwhile = formValuesDiffer(now.current.values, request.form);
      dispatch({ type: "saved", record: outcome.record, request });
      settle(outcome.record);
      if (!typedMeanwhile) clearDraft(recordId);
      return;
    }
    const { error } = outcome;
    if (error.code === "invalid") return dispatch({ type: "invalid", fields: error.fields });
    if (error.code === "idempotency_mismatch") {
      saveId.current = null;
      return dispatch({ type: "failed", message: "That save could not be matched; please save again.", retry: null });
    }
    if (error.code !== "unreachable" && refused(error)) return;
    dispatch({ type: "failed", message: outcome.message, retry: outcome.retryable ? request : null });
  }

  function save() {
    const state = now.current;
    const mine = mineValues(state);
    // Only what this save changes must fit: values a schema change left unfit do not block it.
    const checked = validateChanges(state.fields, state.base.data, mine);
    if (!checked.ok) return dispatch({ type: "invalid", fields: checked.fields });
    void send({ kind: "save", action: "update", againstVersion: state.base.version, values: mine, form: state.values });
  }

  async function remove() {
    const state = now.current;
    if (state.pending) return;
    dispatch({ type: "delete_requested" });
    const outcome = await callAction(deleteRecordAction, {
      recordId,
      baseVersion: state.base.version,
      saveId: crypto.randomUUID(),
    });
    if (outcome.ok) {
      clearDraft(recordId);
      router.push(`/collections/${collectionSlug}`);
      router.refresh();
      return;
    }
    const { error } = outcome;
    if (error.code !== "unreachable" && error.code !== "invalid" && refused(error)) return;
    dispatch({ type: "failed", message: outcome.message, retry: null });
  }

  return { save, send, remove, settle };
}
