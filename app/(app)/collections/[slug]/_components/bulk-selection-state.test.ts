import { describe, expect, it } from "vitest";
import {
  applyBatchData,
  bulkItems,
  clickRange,
  confirmTitle,
  createSelectionStore,
  nextSetting,
  pageAllSelected,
  type SelectableRow,
  type SelectionStorage,
  selectionStorageKey,
  selectMatchingNotice,
} from "./bulk-selection-state";

const rows: SelectableRow[] = ["a", "b", "c", "d", "e"].map((id, i) => ({ id, version: i + 1, title: `T${id}` }));

function memoryStorage(initial: Record<string, string> = {}): SelectionStorage & { data: Record<string, string> } {
  const data = { ...initial };
  return {
    data,
    getItem: (k) => data[k] ?? null,
    setItem: (k, v) => {
      data[k] = v;
    },
  };
}

describe("selection store", () => {
  it("selects and clears rows, saves them and notifies", () => {
    const storage = memoryStorage();
    const store = createSelectionStore("tasks", storage);
    let calls = 0;
    store.subscribe(() => calls++);
    store.select(rows.slice(0, 2), true);
    expect([...store.snapshot().selected.keys()]).toEqual(["a", "b"]);
    store.select([rows[0] as SelectableRow], false);
    expect([...store.snapshot().selected.keys()]).toEqual(["b"]);
    expect(calls).toBe(2);
    expect(JSON.parse(storage.data[selectionStorageKey("tasks")] ?? "[]")).toEqual([rows[1]]);
  });

  it("reads a saved selection back, and survives bad storage", () => {
    const storage = memoryStorage({ [selectionStorageKey("tasks")]: JSON.stringify([rows[2]]) });
    expect([...createSelectionStore("tasks", storage).snapshot().selected.keys()]).toEqual(["c"]);
    const broken = memoryStorage({ [selectionStorageKey("tasks")]: "{nope" });
    expect(createSelectionStore("tasks", broken).snapshot().selected.size).toBe(0);
    expect(createSelectionStore("tasks", null).snapshot().selected.size).toBe(0);
  });

  it("shift-click selects the range from the last one clicked", () => {
    const store = createSelectionStore("tasks");
    store.update({ rows });
    store.click(rows[1] as SelectableRow, false, true);
    store.click(rows[3] as SelectableRow, true, true);
    expect([...store.snapshot().selected.keys()].sort()).toEqual(["b", "c", "d"]);
    expect(pageAllSelected(rows, store.snapshot().selected)).toBe(false);
    store.replace(rows);
    expect(pageAllSelected(rows, store.snapshot().selected)).toBe(true);
    store.replace([]);
    expect(store.snapshot().selected.size).toBe(0);
  });

  it("a row off the page selects only itself and forgets the anchor", () => {
    const off = { id: "z", version: 9, title: "Tz" };
    expect(clickRange(rows, 0, off, true)).toEqual({ range: [off], last: null });
    expect(clickRange(rows, 4, rows[2] as SelectableRow, true).range.map((r) => r.id)).toEqual(["c", "d", "e"]);
    expect(pageAllSelected([], new Map())).toBe(false);
  });
});

describe("confirmation and result", () => {
  it("words the notice and the confirmation", () => {
    expect(selectMatchingNotice(1, false)).toBe("All 1 record matching are selected.");
    expect(selectMatchingNotice(500, true)).toBe(
      "The first 500 records matching are selected (the most one bulk edit takes).",
    );
    expect(confirmTitle("delete", [], 2)).toBe("Delete 2 records?");
    expect(confirmTitle("update", ["Status", "Owner"], 1)).toBe("Set Status, Owner on 1 record?");
  });

  it("builds items, the next setting and a conflict's mine", () => {
    expect(bulkItems("delete", rows.slice(0, 1), { x: 1 })).toEqual([{ id: "a", version: 1 }]);
    expect(bulkItems("update", rows.slice(0, 1), { x: 1 })).toEqual([{ id: "a", version: 1, data: { x: 1 } }]);
    const settable = [
      { key: "done", type: "boolean" },
      { key: "status", type: "select" },
    ];
    expect(nextSetting([], settable)).toEqual({ key: "done", value: false });
    expect(nextSetting([{ key: "done", value: true }], settable)).toEqual({ key: "status", value: "" });
    expect(
      nextSetting(
        [
          { key: "done", value: true },
          { key: "status", value: "x" },
        ],
        settable,
      ),
    ).toBeNull();
    expect(applyBatchData({ a: 1, b: 2 }, { a: null, c: 3 })).toEqual({ b: 2, c: 3 });
  });
});
