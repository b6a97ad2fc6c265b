import type { RecordView, RevisionView } from "@/lib/records/record-view";

/**
 * A stale "Restore this version" hands its conflict to the record editor through this DOM event,
 * so the editor can open its three-way dialog with: base = the version the person was looking
 * at, mine = the old version's values, theirs = `current` (with `changes` since base). The editor
 * takes it by calling `preventDefault()`; nobody taking it leaves the history's own explanation.
 */
export const RESTORE_CONFLICT_EVENT = "tandem:restore-conflict";

export type RestoreConflictDetail = {
  recordId: string;
  /** The version being restored. */
  version: number;
  base: { version: number; data: RecordView["data"] };
  mine: RecordView["data"];
  current: RecordView;
  changes: RevisionView[];
};

/** Offers the conflict to whoever listens; true when someone (the editor) took it. */
export function offerRestoreConflict(detail: RestoreConflictDetail): boolean {
  const event = new CustomEvent<RestoreConflictDetail>(RESTORE_CONFLICT_EVENT, { detail, cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}
