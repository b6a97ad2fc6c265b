import type { FieldDefinition } from "@/lib/fields";
import { type FilterOp, META_KEYS, opsFor, type ValueKind, valueKindOf } from "@/lib/records/filter";

/**
 * The filter bar's model of the `filter` JSON (lib/records/filter.ts): conditions ANDed, and
 * OR groups (each group's conditions ANDed). Pure, so the bar and the page agree.
 */

export type Condition = { key: string; op: FilterOp; value: unknown };
export type FilterModel = { all: Condition[]; groups: Condition[][] };

export type Choice = { key: string; label: string; kind: ValueKind; field?: FieldDefinition };

export const META_LABELS: Record<(typeof META_KEYS)[number], string> = {
  createdAt: "Created",
  updatedAt: "Updated",
  createdBy: "Created by",
  updatedBy: "Updated by",
};

export function choicesFor(fields: readonly FieldDefinition[]): Choice[] {
  return [
    ...fields.map((field) => ({ key: field.key, label: field.label, kind: valueKindOf(field), field })),
    ...META_KEYS.map((key) => ({
      key,
      label: META_LABELS[key],
      kind: (key.endsWith("At") ? "timestamp" : "actor") as ValueKind,
    })),
  ];
}

const LABELS: Partial<Record<ValueKind, Partial<Record<FilterOp, string>>>> = {
  text: {
    _contains: "contains",
    _ncontains: "does not contain",
    _eq: "is",
    _neq: "is not",
    _in: "is any of",
    _nin: "is none of",
  },
  select: { _in: "is any of", _nin: "is none of", _eq: "is", _neq: "is not" },
  multiselect: { _in: "has any of", _nin: "has none of", _contains: "has", _ncontains: "does not have" },
  number: { _eq: "=", _neq: "≠", _lt: "<", _lte: "≤", _gt: ">", _gte: "≥", _in: "is any of", _nin: "is none of" },
  integer: { _eq: "=", _neq: "≠", _lt: "<", _lte: "≤", _gt: ">", _gte: "≥", _in: "is any of", _nin: "is none of" },
  date: { _eq: "is", _neq: "is not", _lt: "before", _lte: "on or before", _gt: "after", _gte: "on or after" },
  boolean: { _eq: "is", _neq: "is not" },
  user: { _eq: "is", _neq: "is not", _in: "is any of", _nin: "is none of" },
  link: { _eq: "is", _neq: "is not" },
  timestamp: { _gte: "since", _lt: "before", _gt: "after", _lte: "up to" },
  actor: { _eq: "is", _neq: "is not", _in: "is any of", _nin: "is none of" },
};

/** The ops the bar offers for a kind, with their words. */
export function opChoices(kind: ValueKind): { op: FilterOp; label: string }[] {
  const labels = LABELS[kind] ?? {};
  return opsFor(kind)
    .filter((op) => op === "_empty" || op === "_nempty" || labels[op])
    .map((op) => ({
      op,
      label: op === "_empty" ? "is empty" : op === "_nempty" ? "is not empty" : (labels[op] ?? op),
    }));
}

export function isListOp(op: FilterOp): boolean {
  return op === "_in" || op === "_nin";
}

/** A starting value that is valid for the kind and op. */
export function defaultValue(choice: Choice, op: FilterOp): unknown {
  if (op === "_empty" || op === "_nempty") return true;
  if (isListOp(op)) return choice.kind === "user" || choice.kind === "actor" ? ["$me"] : [];
  switch (choice.kind) {
    case "number":
    case "integer":
      return 0;
    case "boolean":
      return true;
    case "date":
      return new Date().toISOString().slice(0, 10);
    case "timestamp":
      return startOfToday();
    case "user":
    case "actor":
      return "$me";
    case "select":
    case "multiselect":
      return choice.field?.options?.[0] ?? "";
    default:
      return "";
  }
}

export function startOfToday(): string {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function conditionsOf(object: Record<string, unknown>): Condition[] {
  const out: Condition[] = [];
  for (const [key, ops] of Object.entries(object)) {
    if (key === "_or" || !isRecord(ops)) continue;
    for (const [op, value] of Object.entries(ops)) out.push({ key, op: op as FilterOp, value });
  }
  return out;
}

export function modelFromJson(json: unknown): FilterModel {
  if (!isRecord(json)) return { all: [], groups: [] };
  const groups = Array.isArray(json._or) ? json._or.filter(isRecord).map(conditionsOf) : [];
  return { all: conditionsOf(json), groups };
}

function objectOf(conditions: Condition[]): Record<string, Record<string, unknown>> {
  const object: Record<string, Record<string, unknown>> = {};
  for (const c of conditions) {
    object[c.key] ??= {};
    (object[c.key] as Record<string, unknown>)[c.op] = c.value;
  }
  return object;
}

export function jsonFromModel(model: FilterModel): Record<string, unknown> {
  const json: Record<string, unknown> = objectOf(model.all);
  const groups = model.groups.filter((g) => g.length > 0).map(objectOf);
  if (groups.length > 0) json._or = groups;
  return json;
}

export function parseFilterText(text: string | undefined): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** How a condition reads ("Status is any of Open, Pending"), for chips and the view menu. */
export function describeCondition(condition: Condition, choices: Choice[], people: Record<string, string>): string {
  const choice = choices.find((c) => c.key === condition.key);
  const label = choice?.label ?? condition.key;
  const op = choice ? (opChoices(choice.kind).find((o) => o.op === condition.op)?.label ?? condition.op) : condition.op;
  if (condition.op === "_empty" || condition.op === "_nempty") {
    const empty = (condition.op === "_empty") === (condition.value === true);
    return `${label} ${empty ? "is empty" : "is not empty"}`;
  }
  const show = (v: unknown): string => {
    if (v === "$me") return "me";
    if (typeof v === "boolean") return v ? "Yes" : "No";
    if (typeof v === "string" && people[v]) return people[v] ?? v;
    if (choice?.kind === "timestamp" && typeof v === "string") return new Date(v).toLocaleString();
    return String(v);
  };
  const value = Array.isArray(condition.value) ? condition.value.map(show).join(", ") : show(condition.value);
  return `${label} ${op} ${value}`;
}
