"use client";

import { useEffect, useRef } from "react";
import type { FieldDefinition } from "@/lib/fields";
import { confirmTitle, plural, type Setting } from "./bulk-selection-state";
import { bulkPatchValue, bulkValueText } from "./bulk-values";

/** The confirmation before a bulk edit: what it sets (or that it deletes) on how many records. */
export function BulkConfirmDialog({
  titleId,
  pending,
  count,
  chosen,
  referenceLabels,
  busy,
  onApply,
  onCancel,
}: {
  titleId: string;
  pending: "update" | "delete" | null;
  count: number;
  chosen: (Setting & { field: FieldDefinition })[];
  referenceLabels: Map<string, string>;
  busy: boolean;
  onApply: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (pending) dialog.current?.showModal();
    else dialog.current?.close();
  }, [pending]);
  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <header>
        <h2 id={titleId}>
          {confirmTitle(
            pending,
            chosen.map((s) => s.field.label),
            count,
          )}
        </h2>
      </header>
      <div className="body">
        {pending === "delete" ? (
          <p>Each record is deleted only if nobody changed it since you read it; the others are listed after.</p>
        ) : (
          <ul>
            {chosen.map((s) => (
              <li key={s.key}>
                {s.field.label} → <strong>{bulkValueText(bulkPatchValue(s.field, s.value), referenceLabels)}</strong>
              </li>
            ))}
          </ul>
        )}
        <p className="muted small">
          Records someone changed since you read them are merged where they changed other fields, and listed as
          conflicts where they changed these.
        </p>
      </div>
      <footer>
        <button type="button" className={pending === "delete" ? "danger" : "primary"} onClick={onApply} disabled={busy}>
          {pending === "delete" ? `Delete ${plural(count)}` : `Apply to ${plural(count)}`}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </footer>
    </dialog>
  );
}
