import type { RecordData, RevisionAction } from "@/db/schema";
import { applyMergePatch, type FieldDefinition, type RecordInput, validateChanges, validateRecord } from "@/lib/fields";

/**
 * What a request carrying a save id (an `Idempotency-Key`) asks for. The revision that save id
 * already wrote answers it again only if it did exactly that; anything else reusing the key is
 * `idempotency_mismatch`, never a silent replay of some other request's outcome.
 */
export type Operation =
  | { kind: "create"; values: RecordInput }
  /** A form save (complete values) or, with `patch`, a JSON merge patch. */
  | { kind: "save"; values: RecordInput; patch: boolean }
  | { kind: "restore"; values: RecordInput }
  | { kind: "delete" };

const ACTIONS: Record<Operation["kind"], readonly RevisionAction[]> = {
  create: ["create"],
  save: ["update", "merge", "overwrite", "revert"],
  restore: ["restore"],
  delete: ["delete"],
};

function sameValues(a: RecordData, b: RecordData): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key], b[key]));
}

/**
 * True when `saved` (the revision the save id wrote) is this operation's own outcome: the
 * action fits, and the values say the same as its snapshot once normalised like a write
 * normalises them (trimmed, empty and null meaning absent). Complete values must validate to
 * the snapshot exactly; a patch must change nothing when applied to it.
 */
export function isReplayOf(
  operation: Operation,
  saved: { action: RevisionAction; snapshot: RecordData },
  fields: readonly FieldDefinition[],
): boolean {
  if (!ACTIONS[operation.kind].includes(saved.action)) return false;
  if (operation.kind === "delete") return true;
  const proposed =
    operation.kind === "save" && operation.patch ? applyMergePatch(saved.snapshot, operation.values) : operation.values;
  // A create validates completely; a save only what it changes against the snapshot it wrote.
  const valid =
    operation.kind === "create" ? validateRecord(fields, proposed) : validateChanges(fields, saved.snapshot, proposed);
  return valid.ok && sameValues(valid.values, saved.snapshot);
}
