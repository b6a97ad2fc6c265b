"use client";

import { useSyncExternalStore } from "react";
import {
  createSelectionStore,
  EMPTY_SNAPSHOT,
  pageAllSelected,
  type SelectionStore,
  type Snapshot,
} from "./bulk-selection-state";

/** The selection store per collection, shared by the checkbox cells and the bar, and the cells. */

const stores = new Map<string, SelectionStore>();

export function storeFor(slug: string): SelectionStore {
  let store = stores.get(slug);
  if (!store) {
    store = createSelectionStore(slug, typeof sessionStorage === "undefined" ? null : sessionStorage);
    stores.set(slug, store);
  }
  return store;
}

export function useSelection(slug: string): Snapshot {
  return useSyncExternalStore(
    (listener) => storeFor(slug).subscribe(listener),
    () => storeFor(slug).snapshot(),
    () => EMPTY_SNAPSHOT,
  );
}

/** The header cell: select or clear every row of this page. Nothing for viewers. */
export function BulkSelectAllCell({ slug, enabled }: { slug: string; enabled: boolean }) {
  const { rows, selected } = useSelection(slug);
  if (!enabled) return null;
  return (
    <th scope="col" className="select-cell">
      <input
        type="checkbox"
        aria-label="Select all records on this page"
        checked={pageAllSelected(rows, selected)}
        onChange={(e) => storeFor(slug).select(rows, e.target.checked)}
      />
    </th>
  );
}

/** A row's checkbox cell (shift-click selects the range from the last one clicked). */
export function BulkRowCell({
  slug,
  enabled,
  id,
  version,
  title,
}: {
  slug: string;
  enabled: boolean;
  id: string;
  version: number;
  title: string;
}) {
  const { selected } = useSelection(slug);
  if (!enabled) return null;
  return (
    <td className="select-cell">
      <input
        type="checkbox"
        aria-label={`Select ${title}`}
        checked={selected.has(id)}
        onChange={() => {}}
        onClick={(e) => storeFor(slug).click({ id, version, title }, e.shiftKey, e.currentTarget.checked)}
      />
    </td>
  );
}
