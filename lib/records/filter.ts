import { type FieldDefinition, isIsoDate } from "@/lib/fields";
import { isUuid } from "@/lib/ids";
import { err, type Result } from "@/lib/result";
import { isStorableText } from "@/lib/storable-text";

/** Text PostgreSQL can store and compare (no NUL, no lone surrogate): one definition, re-exported. */
export { isStorableText };

/**
 * The list filter (DESIGN.md, "Lists, filters, views"): `{"<key>": {"<op>": value}, …}`, all
 * ANDed, with `{"_or": [{…}, {…}]}` one level deep. Parsing is pure: it checks every key, op and
 * value against the collection's fields (no coercion: "5" for an integer is refused) and
 * returns a typed tree that lib/records/filter-sql.ts compiles to SQL. Problems are answered as
 * `bad_query` naming the key and op, never reach SQL, and are bounded in size.
 */

export const FILTER_OPS = [
  "_eq",
  "_neq",
  "_in",
  "_nin",
  "_lt",
  "_lte",
  "_gt",
  "_gte",
  "_contains",
  "_ncontains",
  "_empty",
  "_nempty",
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export const META_KEYS = ["createdAt", "updatedAt", "createdBy", "updatedBy"] as const;
export type MetaKey = (typeof META_KEYS)[number];

/** The longest filter the API reads (as JSON text), and its other bounds. */
export const FILTER_LIMITS = { chars: 20_000, conditions: 100, orGroups: 20, listItems: 500, text: 500 } as const;

/** What a key's values are, which decides its ops and the type its values must have. */
export type ValueKind =
  | "text"
  | "select"
  | "multiselect"
  | "number"
  | "integer"
  | "date"
  | "boolean"
  | "user"
  | "link"
  | "timestamp"
  | "actor";

export type FilterTarget =
  | { kind: "field"; key: string; field: FieldDefinition; valueKind: ValueKind }
  | { kind: "meta"; key: MetaKey; valueKind: "timestamp" | "actor" };

export type FilterScalar = string | number | boolean;

export type FilterCondition =
  | { target: FilterTarget; op: "_empty" | "_nempty"; value: boolean }
  | { target: FilterTarget; op: "_in" | "_nin"; value: FilterScalar[] }
  | { target: FilterTarget; op: Exclude<FilterOp, "_empty" | "_nempty" | "_in" | "_nin">; value: FilterScalar };

/** Every condition of `all` holds, and (when `any` is not empty) every condition of at least one group. */
export type Filter = { all: FilterCondition[]; any: FilterCondition[][] };

export type FilterError = { code: "bad_query"; message: string };

const OPS_BY_KIND: Record<ValueKind, readonly FilterOp[]> = {
  text: ["_eq", "_neq", "_in", "_nin", "_contains", "_ncontains", "_empty", "_nempty"],
  select: ["_eq", "_neq", "_in", "_nin", "_empty", "_nempty"],
  multiselect: ["_contains", "_ncontains", "_in", "_nin", "_empty", "_nempty"],
  number: ["_eq", "_neq", "_in", "_nin", "_lt", "_lte", "_gt", "_gte", "_empty", "_nempty"],
  integer: ["_eq", "_neq", "_in", "_nin", "_lt", "_lte", "_gt", "_gte", "_empty", "_nempty"],
  date: ["_eq", "_neq", "_in", "_nin", "_lt", "_lte", "_gt", "_gte", "_empty", "_nempty"],
  boolean: ["_eq", "_neq", "_empty", "_nempty"],
  user: ["_eq", "_neq", "_in", "_nin", "_empty", "_nempty"],
  link: ["_eq", "_neq", "_in", "_nin", "_empty", "_nempty"],
  timestamp: ["_eq", "_neq", "_lt", "_lte", "_gt", "_gte"],
  actor: ["_eq", "_neq", "_in", "_nin"],
};

/** The ops a key of this kind takes (the UI offers the same ones). */
export function opsFor(kind: ValueKind): readonly FilterOp[] {
  return OPS_BY_KIND[kind];
}

export function valueKindOf(field: FieldDefinition): ValueKind {
  switch (field.type) {
    case "text":
    case "longtext":
    case "email":
      return "text";
    default:
      return field.type;
  }
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2})(?::(\d{2}))?(?::(\d{2}))?)$/;

/** An ISO timestamp with every field in range (PostgreSQL rejects 2026-02-30, a 500 if it reached SQL). */
export function isTimestamp(value: unknown): value is string {
  const match = typeof value === "string" ? TIMESTAMP.exec(value) : null;
  if (!match) return false;
  const [
    year = 0,
    month = 0,
    day = 0,
    hour = 0,
    minute = 0,
    second = 0,
    offsetHours = 0,
    offsetMinutes = 0,
    offsetSeconds = 0,
  ] = match.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second &&
    offsetHours <= 15 &&
    offsetMinutes <= 59 &&
    offsetSeconds <= 59
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const describe = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

export type FilterContext = {
  fields: readonly FieldDefinition[];
  /** The signed-in person's id: what `"$me"` stands for. */
  me: string;
};

/** The type a value of this kind must have; returns the value to use, or a message. */
function checkScalar(
  kind: ValueKind,
  value: unknown,
  me: string,
): { ok: true; value: FilterScalar } | { ok: false; expected: string } {
  switch (kind) {
    case "text":
    case "select":
    case "multiselect":
      return typeof value === "string" && value.length <= FILTER_LIMITS.text && isStorableText(value)
        ? { ok: true, value }
        : { ok: false, expected: `text (at most ${FILTER_LIMITS.text} characters)` };
    case "number":
      return typeof value === "number" && Number.isFinite(value)
        ? { ok: true, value }
        : { ok: false, expected: "a number" };
    case "integer":
      return typeof value === "number" && Number.isSafeInteger(value)
        ? { ok: true, value }
        : { ok: false, expected: "a whole number" };
    case "date":
      return typeof value === "string" && isIsoDate(value)
        ? { ok: true, value }
        : { ok: false, expected: "a date (YYYY-MM-DD)" };
    case "boolean":
      return typeof value === "boolean" ? { ok: true, value } : { ok: false, expected: "true or false" };
    case "user":
    case "actor":
      if (value === "$me") return { ok: true, value: me.toLowerCase() };
      return typeof value === "string" && isUuid(value)
        ? { ok: true, value: value.toLowerCase() }
        : { ok: false, expected: 'a person\'s id or "$me"' };
    case "link":
      return typeof value === "string" && isUuid(value)
        ? { ok: true, value: value.toLowerCase() }
        : { ok: false, expected: "a record id" };
    case "timestamp":
      return isTimestamp(value)
        ? { ok: true, value }
        : { ok: false, expected: "an ISO timestamp (2026-01-31T09:00:00Z)" };
  }
}

function resolveTarget(key: string, context: FilterContext): FilterTarget | null {
  if ((META_KEYS as readonly string[]).includes(key)) {
    const meta = key as MetaKey;
    return { kind: "meta", key: meta, valueKind: meta.endsWith("At") ? "timestamp" : "actor" };
  }
  const field = context.fields.find((f) => f.key === key);
  return field ? { kind: "field", key, field, valueKind: valueKindOf(field) } : null;
}

type Counter = { conditions: number };

function parseConditions(
  object: Record<string, unknown>,
  context: FilterContext,
  counter: Counter,
  where: string,
): Result<{ conditions: FilterCondition[]; or: unknown }, FilterError> {
  const conditions: FilterCondition[] = [];
  let or: unknown;
  for (const [key, ops] of Object.entries(object)) {
    const at = `${where}${key}`;
    if (key === "_or") {
      or = ops;
      continue;
    }
    const target = resolveTarget(key, context);
    if (!target) {
      return err({
        code: "bad_query",
        message: `filter: unknown key "${at}" (use a field key or one of ${META_KEYS.join(", ")})`,
      });
    }
    if (!isPlainObject(ops) || Object.keys(ops).length === 0) {
      return err({
        code: "bad_query",
        message: `filter: "${at}" needs an op object like {"_eq": …}, not ${describe(ops)}`,
      });
    }
    const allowed = opsFor(target.valueKind);
    for (const [op, raw] of Object.entries(ops)) {
      if (!(FILTER_OPS as readonly string[]).includes(op)) {
        return err({
          code: "bad_query",
          message: `filter: unknown op "${op}" on "${at}" (ops: ${FILTER_OPS.join(" ")})`,
        });
      }
      if (!allowed.includes(op as FilterOp)) {
        return err({
          code: "bad_query",
          message: `filter: op "${op}" does not apply to "${at}" (${describeKind(target)}; it takes ${allowed.join(" ")})`,
        });
      }
      counter.conditions += 1;
      if (counter.conditions > FILTER_LIMITS.conditions) {
        return err({ code: "bad_query", message: `filter: more than ${FILTER_LIMITS.conditions} conditions` });
      }
      const wrong = (expected: string) =>
        err<FilterError>({
          code: "bad_query",
          message: `filter: "${at}" ${op} must be ${expected}, not ${describe(raw)}`,
        });
      if (op === "_empty" || op === "_nempty") {
        if (typeof raw !== "boolean") return wrong("true or false");
        conditions.push({ target, op, value: raw });
      } else if (op === "_in" || op === "_nin") {
        if (!Array.isArray(raw)) return wrong("a list");
        if (raw.length > FILTER_LIMITS.listItems) return wrong(`a list of at most ${FILTER_LIMITS.listItems} values`);
        const values: FilterScalar[] = [];
        for (const item of raw) {
          const checked = checkScalar(target.valueKind, item, context.me);
          if (!checked.ok) return wrong(`a list of ${checked.expected}`);
          values.push(checked.value);
        }
        conditions.push({ target, op, value: values });
      } else {
        const checked = checkScalar(target.valueKind, raw, context.me);
        if (!checked.ok) return wrong(checked.expected);
        conditions.push({
          target,
          op: op as Exclude<FilterOp, "_empty" | "_nempty" | "_in" | "_nin">,
          value: checked.value,
        });
      }
    }
  }
  return { ok: true, conditions, or };
}

function describeKind(target: FilterTarget): string {
  return target.kind === "meta"
    ? `a ${target.valueKind === "timestamp" ? "time" : "person"}`
    : `a ${target.field.type} field`;
}

/** Parses a filter object (already JSON-decoded) against the collection's fields. */
export function parseFilter(input: unknown, context: FilterContext): Result<{ filter: Filter }, FilterError> {
  if (!isPlainObject(input)) {
    return err({ code: "bad_query", message: `filter must be a JSON object, not ${describe(input)}` });
  }
  const counter: Counter = { conditions: 0 };
  const top = parseConditions(input, context, counter, "");
  if (!top.ok) return top;
  const any: FilterCondition[][] = [];
  if (top.or !== undefined) {
    if (!Array.isArray(top.or) || top.or.length === 0) {
      return err({ code: "bad_query", message: 'filter: "_or" must be a non-empty list of condition objects' });
    }
    if (top.or.length > FILTER_LIMITS.orGroups) {
      return err({ code: "bad_query", message: `filter: "_or" has more than ${FILTER_LIMITS.orGroups} groups` });
    }
    for (const [index, group] of top.or.entries()) {
      if (!isPlainObject(group) || Object.keys(group).length === 0) {
        return err({
          code: "bad_query",
          message: `filter: "_or.${index}" must be a non-empty object of conditions, not ${describe(group)}`,
        });
      }
      const parsed = parseConditions(group, context, counter, `_or.${index}.`);
      if (!parsed.ok) return parsed;
      if (parsed.or !== undefined) {
        return err({
          code: "bad_query",
          message: `filter: "_or" nested inside "_or.${index}": _or goes one level deep`,
        });
      }
      any.push(parsed.conditions);
    }
  }
  return { ok: true, filter: { all: top.conditions, any } };
}

/** Parses the `filter` query parameter (URL-decoded JSON text). */
export function parseFilterParam(text: string, context: FilterContext): Result<{ filter: Filter }, FilterError> {
  if (text.length > FILTER_LIMITS.chars) {
    return err({ code: "bad_query", message: `filter is longer than ${FILTER_LIMITS.chars} characters` });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err({ code: "bad_query", message: "filter is not valid JSON" });
  }
  return parseFilter(json, context);
}

export const EMPTY_FILTER: Filter = { all: [], any: [] };
