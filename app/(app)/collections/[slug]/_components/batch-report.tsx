"use client";

import Link from "next/link";
import type { BatchItemResult, BatchStatus, BatchSummary } from "@/lib/batches/apply-batch";
import type { FieldDefinition } from "@/lib/fields";

export type BatchAnswer = { batchId: string | null; summary: BatchSummary; results: BatchItemResult[] };

export const STATUS_WORDS: Record<BatchStatus, string> = {
  updated: "updated",
  merged: "merged",
  unchanged: "unchanged",
  conflict: "conflict",
  locked: "locked",
  not_found: "not found",
  invalid: "invalid",
  deleted: "deleted",
  created: "created",
};

const PROBLEMS = new Set<BatchStatus>(["conflict", "locked", "invalid", "not_found"]);

export function summaryText(summary: BatchSummary): string {
  const parts = (Object.keys(STATUS_WORDS) as BatchStatus[])
    .filter((status) => (summary[status] ?? 0) > 0)
    .map(
      (status) =>
        `${summary[status]} ${STATUS_WORDS[status]}${status === "conflict" && summary[status] > 1 ? "s" : ""}`,
    );
  return parts.length > 0 ? parts.join(", ") : "nothing to do";
}

function labelOf(fields: readonly FieldDefinition[], key: string): string {
  return fields.find((f) => f.key === key)?.label ?? key;
}

/** Why one item was not written, in words: who changed which field, who holds the lease, what is invalid. */
export function problemText(fields: readonly FieldDefinition[], result: BatchItemResult): string {
  switch (result.status) {
    case "conflict":
      return result.conflicts && result.conflicts.length > 0
        ? `conflict: ${result.conflicts
            .map((c) => `${c.by.name} changed ${labelOf(fields, c.field)} (${new Date(c.at).toLocaleString()})`)
            .join("; ")}`
        : "conflict: the record changed since it was read";
    case "locked":
      return `locked: ${result.holder?.name ?? "someone"} is editing it`;
    case "invalid":
      return `invalid: ${Object.entries(result.fields ?? {})
        .map(([key, message]) => `${key === "_" ? "row" : labelOf(fields, key)}: ${message}`)
        .join("; ")}`;
    case "not_found":
      return "not found (deleted, or no such record)";
    default:
      return STATUS_WORDS[result.status];
  }
}

/** A batch's summary and every item that was not written, each linking to its record. */
export function BatchReport({
  title,
  answer,
  fields,
  titles,
  onResolve,
}: {
  title: string;
  answer: BatchAnswer;
  fields: readonly FieldDefinition[];
  titles: ReadonlyMap<string, string>;
  /** For a conflict: open the record with this batch's values as "mine" (a draft the record offers). */
  onResolve?: ((id: string) => void) | undefined;
}) {
  const problems = answer.results.filter((r) => PROBLEMS.has(r.status));
  return (
    <div className="stack" data-testid="batch-report">
      <p>
        <strong>{title}:</strong> <span data-testid="batch-summary">{summaryText(answer.summary)}</span>.
      </p>
      {problems.length > 0 ? (
        <ul className="batch-problems">
          {problems.map((result, i) => (
            <li key={result.id ?? `row-${i}`}>
              {result.line ? <span className="muted">Line {result.line}: </span> : null}
              {result.id && result.status !== "not_found" ? (
                <Link href={`/records/${result.id}`}>{titles.get(result.id) ?? result.id}</Link>
              ) : (
                <span>{result.id ?? "new record"}</span>
              )}{" "}
              — {problemText(fields, result)}
              {onResolve && result.id && result.status === "conflict" ? (
                <>
                  {" "}
                  <button type="button" className="small" onClick={() => onResolve(result.id ?? "")}>
                    Resolve {titles.get(result.id) ?? "it"} with my values
                  </button>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
