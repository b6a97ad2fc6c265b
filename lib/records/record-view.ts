import type { FieldChanges, RecordData, RevisionAction } from "@/db/schema";
import { type FieldDefinition, presentValues } from "@/lib/fields";

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
  /** Values that no longer fit their field after a schema change: `{key: message}` (guarantee 11). */
  invalid?: Record<string, string>;
};

/**
 * A record as its JSON shows it under the collection's fields now: removed fields' values stay
 * stored but are hidden, and values that no longer fit are flagged in `invalid`.
 */
export function presentRecord(fields: readonly FieldDefinition[], record: RecordView): RecordView {
  const { data, invalid } = presentValues(fields, record.data);
  const { invalid: _previous, ...rest } = record;
  return Object.keys(invalid).length > 0 ? { ...rest, data, invalid } : { ...rest, data };
}

/** Who deleted a record and when; `version` is what a restore must name. */
export type DeletedInfo = { at: string; by: UserRef; version: number; data: RecordData };

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

/**
 * The one conversion of a time to the ISO string the API and the UI show. Domain rows carry
 * Dates; the edge converters (toRecordView, leaseView, toReservationView, …) call this.
 */
export function isoString(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
