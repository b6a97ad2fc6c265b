import type { RecordData } from "@/db/schema";
import type { FormValues } from "@/lib/form-values";

/**
 * Unsaved edits, kept in this browser per record with the base they started from, so a
 * reload, a crashed tab or a lost lease never costs what was typed.
 */
export type Draft = {
  recordId: string;
  baseVersion: number;
  baseData: RecordData;
  values: FormValues;
  savedAt: string;
};

/** "draft": what is being typed; "discarded": what "Discard mine" set aside, kept apart. */
export type DraftKind = "draft" | "discarded";

const key = (recordId: string, kind: DraftKind) => `tandem:${kind}:${recordId}`;

export function loadDraft(recordId: string, kind: DraftKind = "draft"): Draft | null {
  try {
    const raw = window.localStorage.getItem(key(recordId, kind));
    if (!raw) return null;
    const draft = JSON.parse(raw) as Draft;
    return draft.recordId === recordId && typeof draft.baseVersion === "number" ? draft : null;
  } catch {
    return null;
  }
}

export function storeDraft(draft: Omit<Draft, "savedAt">, kind: DraftKind = "draft"): Draft {
  const stored = { ...draft, savedAt: new Date().toISOString() };
  try {
    window.localStorage.setItem(key(draft.recordId, kind), JSON.stringify(stored));
  } catch {
    // storage full or disabled: the form still holds the values
  }
  return stored;
}

export function clearDraft(recordId: string, kind: DraftKind = "draft"): void {
  try {
    window.localStorage.removeItem(key(recordId, kind));
  } catch {
    // nothing to clear
  }
}
