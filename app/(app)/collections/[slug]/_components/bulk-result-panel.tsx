"use client";

import type { FieldDefinition } from "@/lib/fields";
import { type BatchAnswer, BatchReport } from "./batch-report";

/** The result of the last bulk edit, per record, with "Undo this batch" (or what undoing did). */
export function BulkResultPanel({
  result,
  undone,
  fields,
  titles,
  busy,
  onResolve,
  onUndo,
  onClose,
}: {
  result: BatchAnswer;
  undone: BatchAnswer | null;
  fields: FieldDefinition[];
  titles: Map<string, string>;
  busy: boolean;
  onResolve: ((recordId: string) => void) | undefined;
  onUndo: () => void;
  onClose: () => void;
}) {
  return (
    <section className="panel bulk-result" aria-label="Bulk edit result">
      <BatchReport title="Bulk edit" answer={result} fields={fields} titles={titles} onResolve={onResolve} />
      {undone ? (
        <BatchReport title="Undone" answer={undone} fields={fields} titles={titles} />
      ) : (
        <div className="row">
          <button type="button" onClick={onUndo} disabled={busy}>
            Undo this batch
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      )}
    </section>
  );
}
