import type { FilterOp } from "@/lib/records/filter";
import {
  type Choice,
  type Condition,
  defaultValue,
  type FilterModel,
  isListOp,
  jsonFromModel,
  opChoices,
} from "./filter-model";

/**
 * The filter bar's transitions on its draft model (no React): which list a change is for is
 * "all" (the ANDed conditions) or an OR group's index.
 */

export type ListTarget = "all" | number;

export const EMPTY_MODEL: FilterModel = { all: [], groups: [] };

/** A fresh condition: the first field, its first op, a valid value. */
export function newCondition(choices: Choice[]): Condition {
  const choice = choices[0] as Choice;
  const op = opChoices(choice.kind)[0]?.op ?? "_empty";
  return { key: choice.key, op, value: defaultValue(choice, op) };
}

/** The condition for another field: its first op and a starting value. */
export function withField(choices: Choice[], current: Choice, key: string): Condition {
  const next = choices.find((c) => c.key === key) ?? current;
  const op = opChoices(next.kind)[0]?.op ?? "_empty";
  return { key: next.key, op, value: defaultValue(next, op) };
}

/** The condition with another op; the value stays when it still fits (list vs single, not empty). */
export function withOp(choice: Choice, condition: Condition, op: FilterOp): Condition {
  const keep =
    isListOp(op) === isListOp(condition.op) &&
    op !== "_empty" &&
    op !== "_nempty" &&
    condition.op !== "_empty" &&
    condition.op !== "_nempty";
  return { ...condition, op, value: keep ? condition.value : defaultValue(choice, op) };
}

export function withValue(condition: Condition, value: unknown): Condition {
  return { ...condition, value };
}

export function replaceAt(conditions: Condition[], index: number, next: Condition): Condition[] {
  return conditions.map((c, j) => (j === index ? next : c));
}

export function removeAt(conditions: Condition[], index: number): Condition[] {
  return conditions.filter((_, j) => j !== index);
}

/** The model with one list (the ANDed one or an OR group) replaced. */
export function setList(model: FilterModel, target: ListTarget, conditions: Condition[]): FilterModel {
  if (target === "all") return { ...model, all: conditions };
  return { ...model, groups: model.groups.map((g, i) => (i === target ? conditions : g)) };
}

export function addCondition(model: FilterModel, target: ListTarget, choices: Choice[]): FilterModel {
  const list = target === "all" ? model.all : (model.groups[target] ?? []);
  return setList(model, target, [...list, newCondition(choices)]);
}

export function addGroup(model: FilterModel, choices: Choice[]): FilterModel {
  return { ...model, groups: [...model.groups, [newCondition(choices)]] };
}

export function removeGroup(model: FilterModel, index: number): FilterModel {
  return { ...model, groups: model.groups.filter((_, i) => i !== index) };
}

/** A quick filter on the applied model: its conditions replace any on the same fields. */
export function withQuick(applied: FilterModel, conditions: Condition[]): FilterModel {
  return {
    ...applied,
    all: [...applied.all.filter((c) => !conditions.some((q) => q.key === c.key)), ...conditions],
  };
}

export function conditionCount(model: FilterModel): number {
  return model.all.length + model.groups.flat().length;
}

/** The URL's `filter` parameter for a model ("{}" when there is nothing to filter by). */
export function filterParam(model: FilterModel): string {
  const json = jsonFromModel(model);
  return Object.keys(json).length > 0 ? JSON.stringify(json) : "{}";
}
