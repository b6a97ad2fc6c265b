"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fetchRevision } from "@/components/api-client";
import { restoreVersion } from "@/components/history-api";
import { offerRestoreConflict } from "@/components/restore-conflict-event";
import { queryKeys } from "@/lib/query-keys";
import type { RecordView, RevisionView } from "@/lib/records/record-view";

type State =
  | { kind: "idle" }
  | { kind: "busy" }
  | { kind: "done"; version: number }
  | { kind: "moved"; changes: RevisionView[]; current: number; lookedAt: number }
  | { kind: "handed"; current: number; lookedAt: number }
  | { kind: "failed"; message: string };

/**
 * "Restore this version": a checked write against the version the person is looking at (the
 * newest in the history they see). If someone saved since, nothing is written and they are told
 * who changed what; the page reload shows the latest before they decide again.
 *
 * A stale restore is offered to the record editor's three-way dialog (restore-conflict-event.ts:
 * mine = this version's values); while the editor does not take it, it is explained here with a
 * reload.
 */
export function RestoreVersionButton({
  recordId,
  version,
  lookingAt,
}: {
  recordId: string;
  version: number;
  lookingAt: number;
}) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<State>({ kind: "idle" });
  const restore = async () => {
    setState({ kind: "busy" });
    const answer = await restoreVersion(recordId, version, lookingAt);
    if (answer.ok) {
      setState({ kind: "done", version: answer.body.version });
    } else if (answer.status === 412 && answer.body.current) {
      const current = answer.body.current;
      const changes = answer.body.changes ?? [];
      // The editor's three-way dialog, if it takes it: base = what I looked at, mine = the old values.
      const [base, old] = await Promise.all([
        fetchRevision(recordId, lookingAt).catch(() => null),
        fetchRevision(recordId, version).catch(() => null),
      ]);
      const handed =
        base !== null &&
        old !== null &&
        offerRestoreConflict({
          recordId,
          version,
          base: { version: lookingAt, data: base.data as RecordView["data"] },
          mine: old.data as RecordView["data"],
          current,
          changes,
        });
      setState(
        handed
          ? { kind: "handed", current: current.version, lookedAt: lookingAt }
          : { kind: "moved", changes, current: current.version, lookedAt: lookingAt },
      );
    } else {
      setState({ kind: "failed", message: answer.body.message });
    }
    void queryClient.invalidateQueries({ queryKey: queryKeys.record(recordId), exact: true });
    void queryClient.invalidateQueries({ queryKey: queryKeys.revisions(recordId) });
    // Restoring is editing: I follow the record now (unless I unfollowed it).
    void queryClient.invalidateQueries({ queryKey: queryKeys.following(recordId) });
  };
  return (
    <>
      <button
        type="button"
        className="link small"
        onClick={() => void restore()}
        disabled={state.kind === "busy"}
        aria-label={`Restore version ${version}`}
      >
        Restore this version
      </button>
      {state.kind === "idle" || state.kind === "busy" ? null : (
        <div
          className={`notice small ${state.kind === "done" ? "ok" : "warn"}`}
          role={state.kind === "done" ? "status" : "alert"}
          style={{ flexBasis: "100%" }}
        >
          {state.kind === "done"
            ? `Version ${version} is back, as version ${state.version}. Load the latest version into the form above to see it.`
            : null}
          {state.kind === "moved" ? (
            <>
              Nothing was restored: the record changed since version {state.lookedAt} (now version {state.current}
              {state.changes.length > 0
                ? `; ${state.changes
                    .map((c) => `${c.user.name} changed ${Object.keys(c.changes).join(", ") || "it"}`)
                    .join("; ")}`
                : ""}
              ).{" "}
              <button type="button" className="link" onClick={() => window.location.reload()}>
                Reload to see the latest
              </button>{" "}
              and restore again if you still want version {version}.
            </>
          ) : null}
          {state.kind === "handed"
            ? `The record changed since version ${state.lookedAt} (now version ${state.current}): decide field by field in the dialog, with version ${version}'s values as yours.`
            : null}
          {state.kind === "failed" ? state.message : null}
        </div>
      )}
    </>
  );
}
