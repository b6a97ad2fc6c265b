"use client";

import Link from "next/link";
import { useId, useMemo, useState } from "react";
import type { BatchItemResult, BatchSummary } from "@/lib/batches/apply-batch";
import { csvLine } from "@/lib/batches/csv-cells";
import type { FieldDefinition } from "@/lib/fields";
import { problemText, STATUS_WORDS, summaryText } from "../_components/batch-report";

type Column = { header: string; field: string | null };
type ImportAnswer = { batchId: string | null; summary: BatchSummary; results: BatchItemResult[]; columns: Column[] };
type FileProblem = { message: string; headers?: string[]; columns?: string[] };

/** Rows shown on the page; the downloadable report has them all. */
const SHOWN = 500;

/** Sends the file with XMLHttpRequest, whose upload events drive the progress bar. */
function send(
  url: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("Content-Type", "text/csv");
    request.setRequestHeader("Accept", "application/json");
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // not JSON
      }
      resolve({ status: request.status, body });
    };
    request.onerror = () => reject(new Error("The connection failed"));
    request.send(file);
  });
}

function reportCsv(fields: readonly FieldDefinition[], results: BatchItemResult[]): string {
  return (
    csvLine(["line", "status", "id", "version", "details"]) +
    results
      .map((r) =>
        csvLine([
          r.line ?? "",
          r.status,
          r.id ?? "",
          r.version ?? "",
          ["conflict", "locked", "invalid", "not_found"].includes(r.status) ? problemText(fields, r) : "",
        ]),
      )
      .join("")
  );
}

export function ImportForm({ slug, fields }: { slug: string; fields: FieldDefinition[] }) {
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [mapping, setMapping] = useState<Record<string, string | null> | null>(null);
  const [headers, setHeaders] = useState<string[]>([]);
  const [dryRun, setDryRun] = useState<ImportAnswer | null>(null);
  const [applied, setApplied] = useState<ImportAnswer | null>(null);
  const [problem, setProblem] = useState<FileProblem | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [mappingChanged, setMappingChanged] = useState(false);

  const url = (dry: boolean) => {
    const params = new URLSearchParams();
    if (dry) params.set("dryRun", "1");
    if (mapping) params.set("map", JSON.stringify(mapping));
    return `/api/collections/${encodeURIComponent(slug)}/import?${params}`;
  };

  const run = async (dry: boolean) => {
    if (!file) return;
    setBusy(true);
    setProblem(null);
    setProgress(dry ? null : 0);
    try {
      const answer = await send(url(dry), file, (fraction) => setProgress(dry ? null : fraction));
      if (answer.status === 200) {
        const body = answer.body as ImportAnswer;
        setHeaders(body.columns.map((c) => c.header));
        if (!mapping) setMapping(Object.fromEntries(body.columns.map((c) => [c.header, c.field])));
        if (dry) setDryRun(body);
        else setApplied(body);
        setMappingChanged(false);
      } else {
        const body = (answer.body ?? {}) as FileProblem;
        setProblem({ ...body, message: body.message ?? `The import failed (${answer.status}).` });
        if (body.headers) {
          setHeaders(body.headers);
          const unknown = new Set(body.columns ?? []);
          setMapping(
            Object.fromEntries(
              body.headers.map((h) => [h, unknown.has(h) ? null : (mapping?.[h] ?? guess(fields, h))]),
            ),
          );
          setMappingChanged(true);
        }
        setDryRun(null);
      }
    } catch (error) {
      setProblem({ message: (error as Error).message });
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };

  const shown = applied ?? dryRun;
  const report = useMemo(
    () => (shown ? URL.createObjectURL(new Blob([reportCsv(fields, shown.results)], { type: "text/csv" })) : null),
    [shown, fields],
  );

  return (
    <div className="stack">
      <div className="panel stack">
        <div className="field">
          <label htmlFor={`${id}-file`}>CSV file</label>
          <input
            id={`${id}-file`}
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setMapping(null);
              setHeaders([]);
              setDryRun(null);
              setApplied(null);
              setProblem(null);
            }}
          />
        </div>
        {headers.length > 0 && mapping && !applied ? (
          <fieldset className="stack import-columns">
            <legend>Columns</legend>
            {headers.map((header, i) => (
              <div className="row" key={header}>
                <label htmlFor={`${id}-map-${i}`} style={{ minWidth: "12rem" }}>
                  Column “{header}”
                </label>
                <select
                  id={`${id}-map-${i}`}
                  value={mapping[header] ?? ""}
                  onChange={(e) => {
                    setMapping({ ...mapping, [header]: e.target.value === "" ? null : e.target.value });
                    setMappingChanged(true);
                  }}
                >
                  <option value="">Leave out</option>
                  <option value="id">id</option>
                  <option value="version">version</option>
                  {fields.map((f) => (
                    <option key={f.key} value={f.key}>
                      {f.label}
                    </option>
                  ))}
                </select>
              </div>
            ))}
          </fieldset>
        ) : null}
        <div className="row">
          <button type="button" onClick={() => run(true)} disabled={!file || busy || applied !== null}>
            {dryRun && !mappingChanged ? "Check again" : "Check file (dry run)"}
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => run(false)}
            disabled={!file || busy || !dryRun || mappingChanged || applied !== null}
          >
            Apply import
          </button>
          {busy ? <span className="muted small">Working…</span> : null}
        </div>
        {progress !== null ? (
          <div>
            <label htmlFor={`${id}-progress`} className="small muted">
              {progress < 1 ? "Uploading" : "Writing the records"}
            </label>
            <progress id={`${id}-progress`} max={1} value={progress < 1 ? progress : undefined} />
          </div>
        ) : null}
      </div>
      {problem ? (
        <div role="alert" className="notice error">
          {problem.message}
        </div>
      ) : null}
      {shown ? (
        <section className="panel stack" aria-label={applied ? "Import report" : "Dry run report"}>
          <h2>{applied ? "Import done" : "Dry run: nothing written yet"}</h2>
          <p data-testid="import-summary">
            {applied ? "Result" : "If you apply it now"}: {summaryText(shown.summary)}.
          </p>
          {report ? (
            <p>
              <a href={report} download={`${slug}-import-${applied ? "report" : "dry-run"}.csv`}>
                Download the report (CSV)
              </a>
            </p>
          ) : null}
          <div className="table-wrap">
            <table className="records import-report">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Result</th>
                  <th scope="col">Record</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {shown.results.slice(0, SHOWN).map((r) => (
                  <tr key={r.line}>
                    <td>{r.line}</td>
                    <td>{STATUS_WORDS[r.status]}</td>
                    <td>
                      {!r.id || (!applied && r.status === "created") ? (
                        "new"
                      ) : applied && r.status !== "not_found" ? (
                        <Link href={`/records/${r.id}`}>{r.id.slice(0, 8)}</Link>
                      ) : (
                        r.id.slice(0, 8)
                      )}
                    </td>
                    <td>
                      {["conflict", "locked", "invalid", "not_found"].includes(r.status) ? problemText(fields, r) : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {shown.results.length > SHOWN ? (
            <p className="muted small">
              The first {SHOWN} rows of {shown.results.length.toLocaleString()} are shown; the report has them all.
            </p>
          ) : null}
          {applied ? <Link href={`/collections/${slug}`}>Back to the list</Link> : null}
        </section>
      ) : null}
    </div>
  );
}

function guess(fields: readonly FieldDefinition[], header: string): string | null {
  const lower = header.trim().toLowerCase();
  if (lower === "id" || lower === "version") return lower;
  return fields.find((f) => f.key === header.trim() || f.label.toLowerCase() === lower)?.key ?? null;
}
