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

const key = (recordId: string) => `tandem:draft:${recordId}`;

export function loadDraft(recordId: string): Draft | null {
  try {
    const raw = window.localStorage.getItem(key(recordId));
    if (!raw) return null;
    const draft = JSON.parse(raw) as Draft;
    return draft.recordId === recordId && typeof draft.baseVersion === "number" ? draft : null;
  } catch {
    return null;
  }
}

export function storeDraft(draft: Omit<Draft, "savedAt">): void {
  try {
    window.localStorage.setItem(key(draft.recordId), JSON.stringify({ ...draft, savedAt: new Date().toISOString() }));
  } catch {
    // storage full or disabled: the form still holds the values
  }
}

export function clearDraft(recordId: string): void {
  try {
    window.localStorage.removeItem(key(recordId));
  } catch {
    // nothing to clear
  }
}
