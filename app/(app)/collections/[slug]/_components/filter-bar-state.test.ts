import { describe, expect, it } from "vitest";
import type { FieldDefinition } from "@/lib/fields";
import {
  addCondition,
  addGroup,
  conditionCount,
  EMPTY_MODEL,
  filterParam,
  newCondition,
  removeAt,
  removeGroup,
  replaceAt,
  setList,
  withField,
  withOp,
  withQuick,
} from "./filter-bar-state";
import { type Choice, choicesFor, type FilterModel } from "./filter-model";

const fields = [
  { key: "title", label: "Title", type: "text" },
  { key: "status", label: "Status", type: "select", options: ["Open", "Done"] },
  { key: "points", label: "Points", type: "number" },
] as FieldDefinition[];
const choices = choicesFor(fields);
const choice = (key: string) => choices.find((c) => c.key === key) as Choice;

describe("filter bar state", () => {
  it("adds, changes and removes conditions in the ANDed list and in OR groups", () => {
    let model: FilterModel = addCondition(EMPTY_MODEL, "all", choices);
    expect(model.all).toEqual([newCondition(choices)]);
    expect(model.all[0]?.key).toBe("title");
    model = addGroup(model, choices);
    model = addCondition(model, 0, choices);
    expect(model.groups[0]).toHaveLength(2);
    model = setList(model, 0, replaceAt(model.groups[0] ?? [], 1, { key: "points", op: "_gt", value: 3 }));
    expect(model.groups[0]?.[1]).toEqual({ key: "points", op: "_gt", value: 3 });
    model = setList(model, 0, removeAt(model.groups[0] ?? [], 0));
    expect(model.groups[0]).toEqual([{ key: "points", op: "_gt", value: 3 }]);
    expect(conditionCount(model)).toBe(2);
    expect(removeGroup(model, 0).groups).toEqual([]);
    expect(EMPTY_MODEL).toEqual({ all: [], groups: [] });
  });

  it("changing the field resets op and value; changing the op keeps a value that still fits", () => {
    const status = withField(choices, choice("title"), "status");
    expect(status).toEqual({ key: "status", op: "_eq", value: "Open" });
    const points = { key: "points", op: "_gt" as const, value: 5 };
    expect(withOp(choice("points"), points, "_lt")).toEqual({ ...points, op: "_lt" });
    expect(withOp(choice("points"), points, "_in")).toEqual({ ...points, op: "_in", value: [] });
    expect(withOp(choice("points"), points, "_empty")).toEqual({ ...points, op: "_empty", value: true });
  });

  it("builds the URL filter, and quick filters replace conditions on the same field", () => {
    expect(filterParam(EMPTY_MODEL)).toBe("{}");
    const applied: FilterModel = {
      all: [
        { key: "updatedBy", op: "_eq", value: "u1" },
        { key: "title", op: "_contains", value: "x" },
      ],
      groups: [[{ key: "points", op: "_gt", value: 1 }], []],
    };
    const next = withQuick(applied, [{ key: "updatedBy", op: "_eq", value: "$me" }]);
    expect(next.all).toEqual([
      { key: "title", op: "_contains", value: "x" },
      { key: "updatedBy", op: "_eq", value: "$me" },
    ]);
    expect(JSON.parse(filterParam(next))).toEqual({
      title: { _contains: "x" },
      updatedBy: { _eq: "$me" },
      _or: [{ points: { _gt: 1 } }],
    });
  });
});
