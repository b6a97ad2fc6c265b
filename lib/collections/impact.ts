import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { entityRevisions, records } from "@/db/schema";
import { type FieldDefinition, fitValue } from "@/lib/fields";
import { sameDefinition } from "./schema-diff";

/**
 * What a schema change does to the records already there (guarantee 11): for each field, the
 * records whose value fits the field as it is now but would not fit it after the change. Such
 * a change is announced before it applies; applied anyway, the values are kept and flagged.
 */

export const IMPACT_PROBLEMS = ["type", "option_removed", "required", "limit"] as const;
export type ImpactProblem = (typeof IMPACT_PROBLEMS)[number];

export type ImpactItem = {
  field: string;
  problem: ImpactProblem;
  /** How many (non-deleted) records are affected. */
  records: number;
  /** Up to five of them, with the value each holds now. */
  examples: { id: string; value: unknown }[];
  /** What it means, in words. */
  message: string;
};

const EXAMPLES = 5;

const isEmpty = (v: unknown) =>
  v === undefined || v === null || (typeof v === "string" && v.trim() === "") || (Array.isArray(v) && v.length === 0);

function fits(field: FieldDefinition, value: unknown): boolean {
  if (isEmpty(value)) return !field.required;
  return fitValue(field, value).ok;
}

/** Only what decides whether a value fits (not the label, not `listed`). */
function rules(field: FieldDefinition): unknown {
  const { label: _label, listed: _listed, ...rest } = field;
  return rest;
}

function problemOf(before: FieldDefinition | null, after: FieldDefinition, value: unknown): ImpactProblem {
  if (isEmpty(value)) return "required";
  if (before && before.type !== after.type) return "type";
  if (after.type === "select" || after.type === "multiselect") {
    const options = after.options ?? [];
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === "string" && !options.includes(v))) return "option_removed";
  }
  if (!before || before.collection !== after.collection) return "type";
  return "limit";
}

const WORDS: Record<ImpactProblem, string> = {
  type: "hold values that do not convert to the new type",
  option_removed: "use an option that would no longer exist",
  required: "have no value for a field that would be required",
  limit: "hold values outside the new limits",
};

/**
 * The impact of replacing `before` (the current fields, plus removed ones a re-added key brings
 * back) by `after`, counted over the collection's records now.
 */
export async function schemaImpact(
  db: DbOrTx,
  collectionId: string,
  before: { fields: readonly FieldDefinition[]; removedFields: readonly FieldDefinition[] },
  after: readonly FieldDefinition[],
): Promise<ImpactItem[]> {
  const touched = after.flatMap((field) => {
    const previous =
      before.fields.find((f) => f.key === field.key) ?? before.removedFields.find((f) => f.key === field.key) ?? null;
    if (previous && sameDefinition(rules(previous) as FieldDefinition, rules(field) as FieldDefinition)) return [];
    // A brand-new optional field has no values to misfit.
    if (!previous && !field.required) return [];
    return [{ previous, field }];
  });
  if (touched.length === 0) return [];
  const rows = await db
    .select({ id: records.id, data: records.data })
    .from(records)
    .where(and(eq(records.collectionId, collectionId), isNull(records.deletedAt)))
    .orderBy(records.createdAt, records.id);
  const groups = new Map<string, ImpactItem>();
  for (const { previous, field } of touched) {
    for (const row of rows) {
      const value = row.data[field.key];
      const fitsNow = previous ? fits(previous, value) : true;
      if (!fitsNow || fits(field, value)) continue;
      const problem = problemOf(previous, field, value);
      const id = `${field.key}\u0000${problem}`;
      let item = groups.get(id);
      if (!item) {
        item = { field: field.key, problem, records: 0, examples: [], message: "" };
        groups.set(id, item);
      }
      item.records += 1;
      if (item.examples.length < EXAMPLES) item.examples.push({ id: row.id, value: value ?? null });
    }
  }
  return [...groups.values()].map((item) => ({
    ...item,
    message: `${item.records} ${item.records === 1 ? "record would" : "records would"} ${WORDS[item.problem]} in “${
      after.find((f) => f.key === item.field)?.label ?? item.field
    }”. Their values are kept and flagged as no longer fitting, and each still saves when other fields change.`,
  }));
}

/**
 * A form opened before an admin removed an option sends it back: say so ("'X' is no longer an
 * option") instead of listing the options, when an earlier version of the schema had it.
 */
export async function explainRemovedOptions(
  db: DbOrTx,
  collectionId: string,
  fields: readonly FieldDefinition[],
  proposed: Readonly<Record<string, unknown>>,
  errors: Record<string, string>,
): Promise<Record<string, string>> {
  const explained = { ...errors };
  for (const field of fields) {
    if (!errors[field.key] || (field.type !== "select" && field.type !== "multiselect")) continue;
    const raw = proposed[field.key];
    const values = (Array.isArray(raw) ? raw : [raw]).filter(
      (v): v is string => typeof v === "string" && !(field.options ?? []).includes(v.trim()),
    );
    const gone: string[] = [];
    for (const value of values) {
      const pattern = JSON.stringify({ fields: [{ key: field.key, options: [value.trim()] }] });
      const rows = await db
        .select({ version: entityRevisions.version })
        .from(entityRevisions)
        .where(
          and(
            eq(entityRevisions.kind, "collection"),
            eq(entityRevisions.entityId, collectionId),
            sql`${entityRevisions.snapshot} @> ${pattern}::jsonb`,
          ),
        )
        .limit(1);
      if (rows.length > 0) gone.push(value.trim());
    }
    if (gone.length > 0 && gone.length === values.length) {
      explained[field.key] =
        gone.length === 1
          ? `'${gone[0]}' is no longer an option`
          : `${gone.map((g) => `'${g}'`).join(", ")} are no longer options`;
    }
  }
  return explained;
}
