/**
 * The bulk selection's state, without React: the selection per collection (id and the version
 * each record was read at, kept in session storage), shift-click ranges, "select this page" /
 * "select all matching", and the small pure pieces of the confirmation and the result.
 */

export type SelectableRow = { id: string; version: number; title: string };
export type Snapshot = { selected: ReadonlyMap<string, SelectableRow>; rows: readonly SelectableRow[] };
export type Setting = { key: string; value: string | boolean };

/** Where a selection is kept between pages (`sessionStorage` in the browser). */
export type SelectionStorage = Pick<Storage, "getItem" | "setItem">;

export const EMPTY_SNAPSHOT: Snapshot = { selected: new Map(), rows: [] };

export const selectionStorageKey = (slug: string) => `tandem:selection:${slug}`;

/** The selection with `rows` added (`checked`) or removed. */
export function selectRows(
  selected: ReadonlyMap<string, SelectableRow>,
  rows: readonly SelectableRow[],
  checked: boolean,
): Map<string, SelectableRow> {
  const next = new Map(selected);
  for (const r of rows) {
    if (checked) next.set(r.id, r);
    else next.delete(r.id);
  }
  return next;
}

/** Whether every row of the page is selected (the header checkbox). */
export function pageAllSelected(rows: readonly SelectableRow[], selected: ReadonlyMap<string, SelectableRow>): boolean {
  return rows.length > 0 && rows.every((r) => selected.has(r.id));
}

/**
 * The rows a click on `row` selects or clears: the range from the last one clicked on a
 * shift-click, else the row alone; and the index to remember as the last one clicked.
 */
export function clickRange(
  rows: readonly SelectableRow[],
  last: number | null,
  row: SelectableRow,
  shiftKey: boolean,
): { range: SelectableRow[]; last: number | null } {
  const index = rows.findIndex((r) => r.id === row.id);
  const range =
    shiftKey && last !== null && index >= 0
      ? rows.slice(Math.min(last, index), Math.max(last, index) + 1)
      : [{ id: row.id, version: row.version, title: row.title }];
  return { range, last: index >= 0 ? index : null };
}

export type SelectionStore = {
  snapshot: () => Snapshot;
  subscribe: (listener: () => void) => () => void;
  update: (change: Partial<Snapshot>) => void;
  select: (rows: readonly SelectableRow[], checked: boolean) => void;
  /** Replaces the selection (select all matching, clear). */
  replace: (items: readonly SelectableRow[]) => void;
  /** A row's checkbox clicked. */
  click: (row: SelectableRow, shiftKey: boolean, checked: boolean) => void;
};

/** One collection's selection, read from and saved to `storage` when there is one. */
export function createSelectionStore(slug: string, storage?: SelectionStorage | null): SelectionStore {
  let selected = new Map<string, SelectableRow>();
  try {
    const saved = JSON.parse(storage?.getItem(selectionStorageKey(slug)) ?? "[]") as SelectableRow[];
    if (Array.isArray(saved)) selected = new Map(saved.map((r) => [r.id, r]));
  } catch {
    // nothing saved
  }
  let snapshot: Snapshot = { selected, rows: [] };
  let last: number | null = null;
  const listeners = new Set<() => void>();
  const update = (change: Partial<Snapshot>) => {
    snapshot = { ...snapshot, ...change };
    if (change.selected) {
      try {
        storage?.setItem(selectionStorageKey(slug), JSON.stringify([...change.selected.values()]));
      } catch {
        // storage full or off: the selection still works on this page
      }
    }
    for (const listener of listeners) listener();
  };
  const select = (rows: readonly SelectableRow[], checked: boolean) =>
    update({ selected: selectRows(snapshot.selected, rows, checked) });
  return {
    snapshot: () => snapshot,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    update,
    select,
    replace: (items) => update({ selected: new Map(items.map((r) => [r.id, r])) }),
    click: (row, shiftKey, checked) => {
      const next = clickRange(snapshot.rows, last, row, shiftKey);
      last = next.last;
      select(next.range, checked);
    },
  };
}

export const plural = (n: number) => `${n.toLocaleString()} ${n === 1 ? "record" : "records"}`;

/** The note after "select all matching". */
export function selectMatchingNotice(count: number, truncated: boolean): string {
  return truncated
    ? `The first ${plural(count)} matching are selected (the most one bulk edit takes).`
    : `All ${plural(count)} matching are selected.`;
}

/** The settings whose field can still be set, with that field. */
export function chosenSettings<F extends { key: string }>(
  settings: readonly Setting[],
  settable: readonly F[],
): (Setting & { field: F })[] {
  return settings
    .map((s) => ({ ...s, field: settable.find((f) => f.key === s.key) }))
    .filter((s): s is Setting & { field: F } => s.field !== undefined);
}

/** The next setting "Set another field" adds: the first settable field not set yet. */
export function nextSetting<F extends { key: string; type: string }>(
  settings: readonly Setting[],
  settable: readonly F[],
): Setting | null {
  const next = settable.find((f) => !settings.some((s) => s.key === f.key));
  return next ? { key: next.key, value: next.type === "boolean" ? false : "" } : null;
}

/** The confirmation dialog's title. */
export function confirmTitle(pending: "update" | "delete" | null, labels: readonly string[], count: number): string {
  return pending === "delete" ? `Delete ${plural(count)}?` : `Set ${labels.join(", ")} on ${plural(count)}?`;
}

/** The request a confirmed bulk edit sends. */
export function bulkItems(
  op: "update" | "delete",
  rows: readonly SelectableRow[],
  data: Record<string, unknown>,
): { id: string; version: number; data?: Record<string, unknown> }[] {
  return op === "update"
    ? rows.map((r) => ({ id: r.id, version: r.version, data }))
    : rows.map((r) => ({ id: r.id, version: r.version }));
}

/** A conflicted record's "mine": the version the batch read, with what the batch set (null clears). */
export function applyBatchData<T>(base: Record<string, T>, data: Record<string, unknown>): Record<string, T> {
  const mine: Record<string, T> = { ...base };
  for (const [key, value] of Object.entries(data)) {
    if (value === null) delete mine[key];
    else mine[key] = value as T;
  }
  return mine;
}
