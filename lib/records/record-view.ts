import type { FieldChanges, RecordData, RevisionAction } from "@/db/schema";

export type UserRef = { id: string; name: string };

/** A record as the API and the UI see it (DESIGN.md, HTTP API). */
export type RecordView = {
  id: string;
  collection: string;
  version: number;
  data: RecordData;
  createdAt: string;
  createdBy: UserRef;
  updatedAt: string;
  updatedBy: UserRef;
};

export type RevisionView = {
  version: number;
  action: RevisionAction;
  user: UserRef;
  at: string;
  changes: FieldChanges;
  /** The bulk edit, import or undo this write was part of; null when not in a batch. */
  batchId?: string | null;
  /** For action `revert`: the version whose values it brought back. */
  revertedFrom?: number | null;
};

export function isoString(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
