import "server-only";
import { CsvError, parse } from "csv-parse";
import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { type RecordData, revisions } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import type { FieldDefinition } from "@/lib/fields";
import { isUuid } from "@/lib/ids";
import { err, type Result } from "@/lib/result";
import {
  applyBatch,
  type BatchItem,
  type BatchItemResult,
  type BatchOutcome,
  type BatchSummary,
  IdempotencyMismatch,
  requestHash,
  validateSet,
} from "./apply-batch";
import { findBatchCollection } from "./batches";
import { parseCell } from "./csv-cells";

export const MAX_IMPORT_ROWS = 100_000;
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export type ImportFileError = {
  code: "invalid_file";
  message: string;
  /** Unknown columns, by their header text. */
  columns?: string[];
  /** Every header of the file, for mapping them by hand. */
  headers?: string[];
  line?: number;
};
export type ImportError = { code: "not_found"; message: string } | { code: "idempotency_mismatch" } | ImportFileError;

/** Where each header goes: a field key, `id`, `version`, or null to leave the column out. */
export type ColumnMapping = Record<string, string | null>;
export type ImportColumn = { header: string; field: string | null };

export type ImportOutcome = {
  batchId: string | null;
  summary: BatchSummary;
  results: BatchItemResult[];
  columns: ImportColumn[];
};

type Row = { line: number; cells: string[] };

function fileError(message: string, extra: Omit<ImportFileError, "code" | "message"> = {}): ImportFileError {
  return { code: "invalid_file", message, ...extra };
}

/**
 * Reads the file: UTF-8 (a byte order mark is fine), RFC 4180 through csv-parse. Each row keeps
 * the physical line where it starts (the header is line 1), counted from the parser's byte
 * offsets, so quoted cells with line breaks and blank lines are counted as a person sees them.
 */
async function readRows(bytes: Uint8Array): Promise<Result<{ header: string[]; rows: Row[] }, ImportFileError>> {
  let body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  if ((body[0] === 0xff && body[1] === 0xfe) || (body[0] === 0xfe && body[1] === 0xff)) {
    return err(fileError("The file is UTF-16 text. Save it as “CSV UTF-8” and try again."));
  }
  if (body.includes(0)) return err(fileError("This is not a CSV file: it contains binary data."));
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    return err(fileError("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."));
  }
  let position = 0;
  let line = 1;
  /** Moves to `offset`, counting line breaks (CRLF, LF or CR) on the way. */
  const advance = (offset: number) => {
    for (; position < offset && position < body.length; position++) {
      const byte = body[position];
      if (byte === 0x0a || (byte === 0x0d && body[position + 1] !== 0x0a)) line++;
    }
  };
  const parser = parse({ relax_column_count: true, skip_empty_lines: true, info: true });
  parser.end(body);
  let header: string[] | null = null;
  const rows: Row[] = [];
  let previousEnd = 0;
  try {
    for await (const entry of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
      advance(previousEnd);
      // Blank lines before the row belong to no row.
      while (position < body.length && (body[position] === 0x0a || body[position] === 0x0d)) advance(position + 1);
      const start = line;
      previousEnd = entry.info.bytes;
      if (!header) header = entry.record.map((cell) => cell.trim());
      else {
        rows.push({ line: start, cells: entry.record });
        if (rows.length > MAX_IMPORT_ROWS) {
          parser.destroy();
          return err(fileError(`The file has more than ${MAX_IMPORT_ROWS.toLocaleString("en")} rows; split it.`));
        }
      }
    }
  } catch (error) {
    // Only the parser's own diagnostics describe the file; anything else is ours, and is logged
    // and answered as an internal error by the caller, its text never shown.
    if (!(error instanceof CsvError)) throw error;
    const lines = (error as { lines?: unknown }).lines;
    const at = typeof lines === "number" ? lines : undefined;
    return err(
      fileError(
        `This is not a valid CSV file${at ? ` (line ${at})` : ""}: ${(error as Error).message.split(" at line")[0]}.`,
        at ? { line: at } : {},
      ),
    );
  }
  if (!header || header.every((h) => h === "")) return err(fileError("The file is empty: it needs a header row."));
  return { ok: true, header, rows };
}

/** Each header to a field (by key, then by label, ignoring case), or to `id` / `version`. */
function mapColumns(
  fields: readonly FieldDefinition[],
  header: string[],
  mapping: ColumnMapping | undefined,
): Result<{ columns: ImportColumn[] }, ImportFileError> {
  const unknown: string[] = [];
  const columns: ImportColumn[] = header.map((text) => {
    if (mapping && Object.hasOwn(mapping, text)) {
      const target = mapping[text] ?? null;
      if (target !== null && target !== "id" && target !== "version" && !fields.some((f) => f.key === target)) {
        unknown.push(text);
      }
      return { header: text, field: target };
    }
    const lower = text.toLowerCase();
    if (lower === "id" || lower === "version") return { header: text, field: lower };
    const field =
      fields.find((f) => f.key === text) ?? fields.find((f) => f.label.trim().toLowerCase() === lower) ?? null;
    if (!field) unknown.push(text === "" ? "(blank header)" : text);
    return { header: text, field: field?.key ?? null };
  });
  if (unknown.length > 0) {
    return err(
      fileError(`Unknown columns: ${unknown.join(", ")}. Name each column by a field's key or label.`, {
        columns: unknown,
        headers: header,
      }),
    );
  }
  const targets = columns.map((c) => c.field).filter((f): f is string => f !== null);
  const twice = targets.filter((t, i) => targets.indexOf(t) !== i);
  if (twice.length > 0) {
    return err(fileError(`More than one column goes to: ${[...new Set(twice)].join(", ")}.`, { headers: header }));
  }
  return { ok: true, columns };
}

/** The record's values at the versions the rows name: the base of each row's three-way merge. */
async function baseSnapshots(db: DbOrTx, pairs: { id: string; version: number }[]): Promise<Map<string, RecordData>> {
  const map = new Map<string, RecordData>();
  for (let start = 0; start < pairs.length; start += 2_000) {
    const chunk = pairs.slice(start, start + 2_000);
    const ids = `{${chunk.map((p) => p.id).join(",")}}`;
    const versions = `{${chunk.map((p) => p.version).join(",")}}`;
    const rows = await db
      .select({ recordId: revisions.recordId, version: revisions.version, snapshot: revisions.snapshot })
      .from(revisions)
      .where(
        sql`(${revisions.recordId}, ${revisions.version}) in (select * from unnest(${ids}::uuid[], ${versions}::int[]))`,
      );
    for (const row of rows) map.set(`${row.recordId}@${row.version}`, row.snapshot);
  }
  return map;
}

const VERSION = /^\s*\d{1,9}\s*$/;

/**
 * `POST /api/collections/:slug/import`: each row without an id is created; a row with an id and
 * a version is a bulk update item that sets only the cells that differ from the record at that
 * version (so an unedited stale row is `unchanged`); an id without a version is that row's
 * `invalid`. A dry run runs the same engine and rolls back: it predicts exactly.
 */
export async function importCsv(
  db: Db,
  actor: Actor,
  input: {
    slug: string;
    bytes: Uint8Array;
    dryRun: boolean;
    mapping?: ColumnMapping | undefined;
    requestKey?: string | null;
  },
): Promise<Result<ImportOutcome, ImportError>> {
  const collection = await findBatchCollection(db, input.slug);
  if (!collection) return err({ code: "not_found", message: "No such collection." });
  const read = await readRows(input.bytes);
  if (!read.ok) return read;
  const mapped = mapColumns(collection.fields, read.header, input.mapping);
  if (!mapped.ok) return mapped;
  const { columns } = mapped;
  const idColumn = columns.findIndex((c) => c.field === "id");
  const versionColumn = columns.findIndex((c) => c.field === "version");
  const fieldColumns = columns
    .map((c, index) => ({ index, field: collection.fields.find((f) => f.key === c.field) }))
    .filter((c): c is { index: number; field: FieldDefinition } => c.field !== undefined);

  const seen = new Map<string, number>();
  for (const row of read.rows) {
    const id = idColumn >= 0 ? (row.cells[idColumn] ?? "").trim() : "";
    if (!id) continue;
    const first = seen.get(id.toLowerCase());
    if (first !== undefined) {
      return err(fileError(`The id ${id} is on line ${first} and again on line ${row.line}.`, { line: row.line }));
    }
    seen.set(id.toLowerCase(), row.line);
  }

  const pairs: { id: string; version: number }[] = [];
  for (const row of read.rows) {
    const id = idColumn >= 0 ? (row.cells[idColumn] ?? "").trim() : "";
    const version = versionColumn >= 0 ? (row.cells[versionColumn] ?? "") : "";
    if (id && isUuid(id) && VERSION.test(version)) pairs.push({ id, version: Number(version) });
  }
  const bases = await baseSnapshots(db, pairs);

  const items = read.rows.map((row): BatchItem => {
    if (row.cells.length !== columns.length) {
      return {
        op: "refuse",
        status: "invalid",
        fields: { _: `This row has ${row.cells.length} cells; the header has ${columns.length}` },
      };
    }
    const id = idColumn >= 0 ? (row.cells[idColumn] ?? "").trim() : "";
    if (!id) {
      const values: Record<string, unknown> = {};
      for (const { index, field } of fieldColumns) {
        const value = parseCell(field, row.cells[index] ?? "");
        if (value !== null) values[field.key] = value;
      }
      return { op: "create", values };
    }
    const versionText = versionColumn >= 0 ? (row.cells[versionColumn] ?? "").trim() : "";
    if (!versionText) {
      return {
        op: "refuse",
        id,
        status: "invalid",
        fields: { version: "A row with an id needs the version it was exported at" },
      };
    }
    if (!VERSION.test(versionText) || Number(versionText) < 1) {
      return { op: "refuse", id, status: "invalid", fields: { version: "Must be a whole number from 1" } };
    }
    const version = Number(versionText);
    if (!isUuid(id)) return { op: "refuse", id, status: "not_found" };
    // Three-way: the row sets only what differs from the version it names.
    const base = bases.get(`${id.toLowerCase()}@${version}`);
    const set: Record<string, unknown> = {};
    if (base) {
      for (const { index, field } of fieldColumns) {
        const value = parseCell(field, row.cells[index] ?? "");
        if (sameAsBase(collection.fields, field, value, base[field.key])) continue;
        set[field.key] = value;
      }
    }
    return { op: "update", id, version, set };
  });

  let outcome: BatchOutcome;
  try {
    outcome = await applyBatch(db, actor, {
      collection,
      kind: "import",
      items,
      lines: read.rows.map((r) => r.line),
      dryRun: input.dryRun,
      requestKey: input.requestKey ?? null,
      // The same key for another file, or the same file mapped otherwise, is another request.
      requestHash: input.requestKey ? requestHash(input.bytes, JSON.stringify(input.mapping ?? null)) : null,
    });
  } catch (error) {
    if (error instanceof IdempotencyMismatch) return err({ code: "idempotency_mismatch" });
    throw error;
  }
  return { ok: true, ...outcome, columns };
}

function sameAsBase(
  fields: readonly FieldDefinition[],
  field: FieldDefinition,
  value: unknown,
  base: unknown,
): boolean {
  if (JSON.stringify(value ?? null) === JSON.stringify(base ?? null)) return true;
  const valid = validateSet(fields, { [field.key]: value });
  return valid.ok && JSON.stringify(valid.set[field.key] ?? null) === JSON.stringify(base ?? null);
}
