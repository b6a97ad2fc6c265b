import "server-only";
import type { DbOrTx } from "@/db/client";
import type { CollectionView } from "@/lib/collections";
import { type ListError, type ListQuery, listRecords, MAX_PAGE } from "@/lib/records/list-records";
import type { RecordView } from "@/lib/records/record-view";
import { err, type Result } from "@/lib/result";
import { csvLine } from "./csv-cells";

export type ExportFormat = "csv" | "json";

export type ExportQuery = {
  format: ExportFormat;
  q?: string | undefined;
  /** The list's `filter` (JSON text, lib/records/filter.ts): the export follows the current view. */
  filter?: string | undefined;
  /** Who exports: `$me` in the filter means them. */
  actorId: string;
  sort?: string | undefined;
  dir?: "asc" | "desc" | undefined;
  /** Start the CSV with a UTF-8 byte order mark (what spreadsheet programs need to read it as UTF-8). */
  bom?: boolean;
};

const BOM = "\uFEFF";

/** One page of the export, exactly as the list shows it (search, filter, sort). */
function pageOf(db: DbOrTx, collection: CollectionView, query: ExportQuery, cursor: string | undefined) {
  const list: ListQuery = {
    q: query.q,
    filter: query.filter,
    sort: query.sort,
    dir: query.dir,
    limit: MAX_PAGE,
    cursor,
  };
  return listRecords(db, collection, list, query.actorId);
}

/**
 * The collection's records as a stream of CSV or JSON, read page by page with the list's keyset
 * cursor: any size, never the whole table in memory. The first page is read before answering,
 * so a bad query is a 400 and not a broken download. Deleted records are never exported.
 */
export async function exportRecords(
  db: DbOrTx,
  collection: CollectionView,
  query: ExportQuery,
): Promise<Result<{ stream: ReadableStream<Uint8Array> }, ListError>> {
  const first = await pageOf(db, collection, query, undefined);
  if (!first.ok) return err(first.error);
  const keys = collection.fields.map((f) => f.key);
  const encoder = new TextEncoder();
  const header = query.format === "csv" ? `${query.bom ? BOM : ""}${csvLine(["id", "version", ...keys])}` : "[\n";
  const line = (record: RecordView, index: number): string =>
    query.format === "csv"
      ? csvLine([record.id, record.version, ...keys.map((k) => record.data[k])])
      : `${index === 0 ? "" : ",\n"}${JSON.stringify(record)}`;

  let page: { items: RecordView[]; nextCursor: string | null } | null = first;
  let written = 0;
  let started = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(header));
      }
      if (!page) {
        controller.close();
        return;
      }
      const chunk = page.items.map((record) => line(record, written++)).join("");
      if (chunk) controller.enqueue(encoder.encode(chunk));
      if (!page.nextCursor) {
        if (query.format === "json") controller.enqueue(encoder.encode("\n]\n"));
        page = null;
        return;
      }
      const next = await pageOf(db, collection, query, page.nextCursor);
      if (!next.ok) throw new Error(`export page failed: ${next.error.message}`);
      page = next;
    },
  });
  return { ok: true, stream };
}
