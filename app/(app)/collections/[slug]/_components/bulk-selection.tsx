"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useState } from "react";
import { storeDraft } from "@/components/drafts";
import { useReferenceOptions } from "@/components/reference-options";
import type { RecordData } from "@/db/schema";
import type { FieldDefinition } from "@/lib/fields";
import { toFormValues } from "@/lib/form-values";
import { selectMatchingAction } from "../bulk-actions";
import type { BatchAnswer } from "./batch-report";
import { BulkBarPanel } from "./bulk-bar-panel";
import { BulkConfirmDialog } from "./bulk-confirm-dialog";
import { BulkResultPanel } from "./bulk-result-panel";
import { storeFor, useSelection } from "./bulk-selection-cells";
import {
  applyBatchData,
  bulkItems,
  chosenSettings,
  type SelectableRow,
  type Setting,
  selectMatchingNotice,
} from "./bulk-selection-state";
import { BULK_SETTABLE, bulkPatchValue, selectMatchingLabel } from "./bulk-values";

/**
 * Bulk selection on the list page, self-contained: the bar above the table (`BulkBar`: set
 * fields or delete, confirm, the per-record result, "Undo this batch") and a checkbox cell for
 * the header and for each row. They share the selection through a small store per collection
 * (no provider to wrap the table in; see `bulk-selection-state.ts`), and render nothing for
 * viewers (`enabled`). The selection (id and the version each record was read at) survives
 * paging within the tab.
 */

export { BulkRowCell, BulkSelectAllCell } from "./bulk-selection-cells";
export type { SelectableRow } from "./bulk-selection-state";

type Query = {
  q?: string | undefined;
  filter?: string | undefined;
  sort?: string | undefined;
  dir?: "asc" | "desc" | undefined;
};

async function postJson(url: string, body?: unknown): Promise<{ ok: boolean; body: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { ok: response.ok, body: await response.json().catch(() => null) };
}

/** The bar above the table: what is selected, what to set, the confirmation and the result. */
export function BulkBar({
  slug,
  fields,
  rows,
  query,
  matching,
  maxItems,
  enabled,
}: {
  slug: string;
  fields: FieldDefinition[];
  /** The rows of the page shown, in order (shift-click ranges, "select this page", titles). */
  rows: SelectableRow[];
  query: Query;
  /** How many records the list's query matches (its `count=1` total), when known. */
  matching?: { total: number; estimate?: boolean | undefined } | undefined;
  /** The most records one bulk edit takes. */
  maxItems: number;
  /** Editors only: viewers get nothing. */
  enabled: boolean;
}) {
  const router = useRouter();
  const id = useId();
  const { selected } = useSelection(slug);
  const pageTitles = rows;
  const onSelect = (items: SelectableRow[]) => storeFor(slug).replace(items);
  const rowKey = rows.map((r) => `${r.id}@${r.version}`).join(",");
  // The page's rows, for the checkbox cells (ranges, "select this page").
  // biome-ignore lint/correctness/useExhaustiveDependencies: rowKey stands for rows
  useEffect(() => storeFor(slug).update({ rows }), [slug, rowKey]);
  const settable = fields.filter((f) => BULK_SETTABLE.has(f.type));
  const references = useReferenceOptions();
  const referenceLabels = new Map(
    [...references.people, ...Object.values(references.links).flat()].map((o) => [o.id, o.label]),
  );
  const [settings, setSettings] = useState<Setting[]>([]);
  const [pending, setPending] = useState<"update" | "delete" | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [result, setResult] = useState<BatchAnswer | null>(null);
  const [undone, setUndone] = useState<BatchAnswer | null>(null);
  const [titles, setTitles] = useState<Map<string, string>>(new Map());
  /** What the last batch set, and the version it read each record at: a conflict's "mine" and base. */
  const [sent, setSent] = useState<{ data: Record<string, unknown>; versions: Map<string, number> } | null>(null);

  const count = selected.size;
  const chosen = chosenSettings(settings, settable);

  const selectAllMatching = async () => {
    setBusy(true);
    setProblem(null);
    const answer = await selectMatchingAction({ slug, ...query });
    setBusy(false);
    if (!answer.ok) {
      setProblem("message" in answer.error ? answer.error.message : "Could not select the matching records.");
      return;
    }
    onSelect(answer.items);
    setNotice(selectMatchingNotice(answer.items.length, answer.truncated));
  };

  const apply = async () => {
    const op = pending;
    if (!op) return;
    setBusy(true);
    setProblem(null);
    const rows = [...selected.values()];
    const data = Object.fromEntries(chosen.map((s) => [s.key, bulkPatchValue(s.field, s.value)]));
    const items = bulkItems(op, rows, data);
    const answer = await postJson(`/api/collections/${encodeURIComponent(slug)}/bulk`, { op, items }).catch(() => null);
    setBusy(false);
    setPending(null);
    if (!answer?.ok) {
      setProblem(
        (answer?.body as { message?: string } | null)?.message ?? "The bulk edit failed; nothing was written.",
      );
      return;
    }
    setTitles(new Map([...pageTitles, ...rows].map((r) => [r.id, r.title])));
    setSent(op === "update" ? { data, versions: new Map(rows.map((r) => [r.id, r.version])) } : null);
    setResult(answer.body as BatchAnswer);
    setUndone(null);
    setNotice(null);
    onSelect([]);
    router.refresh();
  };

  const undo = async () => {
    if (!result?.batchId) return;
    setBusy(true);
    const answer = await postJson(`/api/batches/${result.batchId}/undo`).catch(() => null);
    setBusy(false);
    if (!answer?.ok) {
      setProblem((answer?.body as { message?: string } | null)?.message ?? "Undo failed; nothing was written.");
      return;
    }
    setUndone(answer.body as BatchAnswer);
    router.refresh();
  };

  /**
   * A conflicted record opens with the batch's values as an unsaved draft on the version the
   * batch read: the record offers it, and saving it brings up the conflict dialog.
   */
  const resolve = async (recordId: string) => {
    const version = sent?.versions.get(recordId);
    if (!sent || version === undefined) return;
    const response = await fetch(`/api/records/${encodeURIComponent(recordId)}/revisions/${version}`, {
      headers: { Accept: "application/json" },
    }).catch(() => null);
    const revision = response?.ok ? ((await response.json()) as { data: RecordData }) : null;
    if (!revision) {
      setProblem("Could not read the version this batch started from.");
      return;
    }
    const mine: RecordData = applyBatchData(revision.data, sent.data);
    storeDraft({ recordId, baseVersion: version, baseData: revision.data, values: toFormValues(fields, mine) });
    router.push(`/records/${recordId}`);
  };

  if (!enabled) return null;
  return (
    <>
      {count > 0 ? (
        <BulkBarPanel
          id={id}
          count={count}
          busy={busy}
          notice={notice}
          matchingLabel={selectMatchingLabel(matching, maxItems)}
          settable={settable}
          settings={settings}
          onSettings={setSettings}
          onSelectMatching={selectAllMatching}
          onClear={() => onSelect([])}
          onPending={setPending}
        />
      ) : null}
      {problem ? (
        <p role="alert" className="notice error">
          {problem}
        </p>
      ) : null}
      {result ? (
        <BulkResultPanel
          result={result}
          undone={undone}
          fields={fields}
          titles={titles}
          busy={busy}
          onResolve={sent && !undone ? resolve : undefined}
          onUndo={undo}
          onClose={() => setResult(null)}
        />
      ) : null}
      <BulkConfirmDialog
        titleId={`${id}-confirm-title`}
        pending={pending}
        count={count}
        chosen={chosen}
        referenceLabels={referenceLabels}
        busy={busy}
        onApply={apply}
        onCancel={() => setPending(null)}
      />
    </>
  );
}
