import "server-only";
import type { DbOrTx } from "@/db/client";
import type { CollectionView } from "@/lib/collections";
import { type ListError, listRecords, MAX_PAGE } from "@/lib/records/list-records";
import { err, type Result } from "@/lib/result";
import { MAX_BULK_ITEMS } from "./batches";

export type SelectedRecord = { id: string; version: number; title: string };

/** A record's title: its collection's first text field (what lists and reports name it by). */
export function recordTitle(collection: Pick<CollectionView, "fields">, data: Record<string, unknown>): string {
  const field = collection.fields.find((f) => f.type === "text") ?? collection.fields[0];
  const value = field ? data[field.key] : undefined;
  return value === undefined || value === null || value === "" ? "(untitled)" : String(value);
}

/**
 * "Select all N matching": every record the list shows for this query (across its pages), with
 * the version each is at now, up to the most one bulk edit takes. Read page by page with the
 * list's own keyset cursor, so it is the same set in the same order.
 */
export async function selectMatching(
  db: DbOrTx,
  collection: CollectionView,
  query: {
    q?: string | undefined;
    filter?: string | undefined;
    sort?: string | undefined;
    dir?: "asc" | "desc" | undefined;
  },
  actorId: string,
): Promise<Result<{ items: SelectedRecord[]; truncated: boolean }, ListError>> {
  const items: SelectedRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await listRecords(db, collection, { ...query, limit: MAX_PAGE, cursor }, actorId);
    if (!page.ok) return err(page.error);
    for (const record of page.items) {
      if (items.length === MAX_BULK_ITEMS) return { ok: true, items, truncated: true };
      items.push({ id: record.id, version: record.version, title: recordTitle(collection, record.data) });
    }
    if (!page.nextCursor) return { ok: true, items, truncated: false };
    cursor = page.nextCursor;
  }
}
