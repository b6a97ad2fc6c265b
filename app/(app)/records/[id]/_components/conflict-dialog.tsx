"use client";

import { Modal } from "@/components/modal";
import type { FieldDefinition } from "@/lib/fields";
import {
  attributeChanges,
  type Decision,
  type FieldMerge,
  mergedValues,
  resolveField,
  revertedByOverwrite,
  type Value,
} from "@/lib/records/merge";
import type { RecordView, RevisionView } from "@/lib/records/record-view";
import { asText, FieldRow, names } from "./conflict-field-row";
import type { ConflictOrigin } from "./editor-state";

function dialogTitle(origin: ConflictOrigin | undefined, who: string): string {
  switch (origin?.kind) {
    case "restore":
      return `Restore version ${origin.version}: choose what to bring back`;
    case "batch":
      return `${origin.label}: this record changed since the batch was prepared`;
    default:
      return `${who} changed this record while you were editing`;
  }
}

export type ConflictDialogProps = {
  fields: readonly FieldDefinition[];
  baseVersion: number;
  current: RecordView;
  /** Every revision since the user's base, oldest first. */
  changes: RevisionView[];
  /** Why the dialog is open: a save that met a newer version, or a restore or bulk edit that opened it. */
  origin?: ConflictOrigin;
  merges: FieldMerge[];
  decisions: Record<string, Decision>;
  busy: boolean;
  onDecide: (key: string, decision: Decision) => void;
  onMerge: (values: Record<string, Value>) => void;
  onOverwrite: () => void;
  onDiscard: () => void;
  onClose: () => void;
};

/** Base, theirs (who changed what, when) and mine, field by field; Merge, Overwrite or Discard mine. */
export function ConflictDialog(props: ConflictDialogProps) {
  const { fields, current, changes, merges, decisions, busy } = props;
  const attributions = attributeChanges(changes);
  const people = names(changes);
  const open = merges.filter((m) => !resolveField(m, decisions[m.key])).length;
  const merged = mergedValues(current.data, merges, decisions);
  const reverted = revertedByOverwrite(merges);
  const label = (key: string) => fields.find((f) => f.key === key)?.label ?? key;
  return (
    <Modal
      testId="conflict-dialog"
      title={dialogTitle(props.origin, people === "they" ? current.updatedBy.name : people)}
      description={
        <>
          It is now at version {current.version}; you started from version {props.baseVersion}. Your edits are safe:{" "}
          {open > 0
            ? `${open} ${open === 1 ? "field needs" : "fields need"} your decision.`
            : "everything can be merged — check and save."}
        </>
      }
      onClose={props.onClose}
      footer={
        <>
          <button
            type="button"
            className="primary"
            disabled={busy || merged === null}
            onClick={() => merged && props.onMerge(merged)}
          >
            Merge
          </button>
          <button type="button" disabled={busy} onClick={props.onOverwrite}>
            Overwrite
          </button>
          <button type="button" disabled={busy} onClick={props.onDiscard}>
            Discard mine
          </button>
          <span className="spacer" />
          <button type="button" onClick={props.onClose}>
            Keep editing
          </button>
        </>
      }
    >
      <div className="stack">
        {merges.length === 0 ? (
          <p>Their changes touch none of the fields you edited and no field differs — merging keeps everything.</p>
        ) : null}
        {merges.map((merge) => {
          const field = fields.find((f) => f.key === merge.key);
          return field ? (
            <FieldRow
              key={merge.key}
              field={field}
              merge={merge}
              attributions={attributions[merge.key]}
              decision={decisions[merge.key]}
              onDecide={(decision) => props.onDecide(merge.key, decision)}
            />
          ) : null;
        })}
        <div className="notice small" data-testid="overwrite-reverts">
          {reverted.length > 0 ? (
            <>
              <strong>Overwrite</strong> saves your form exactly as it is and reverts their changes to{" "}
              {reverted
                .map(
                  (m) =>
                    `${label(m.key)} (${names(attributions[m.key])}: ${
                      asText(
                        fields.find((f) => f.key === m.key),
                        m.theirs,
                      ) || "empty"
                    })`,
                )
                .join(", ")}
              .
            </>
          ) : (
            <>
              <strong>Overwrite</strong> saves your form exactly as it is; it reverts none of their changes.
            </>
          )}{" "}
          <strong>Discard mine</strong> takes their version; your edits stay in your local draft.
        </div>
      </div>
    </Modal>
  );
}
