import { diff3Merge } from "node-diff3";
import type { FieldDefinition, FieldValue, RecordValues } from "@/lib/fields";
import type { RevisionView, UserRef } from "./record-view";

/**
 * The three-way merge behind the conflict dialog (and available to API clients: a 412's
 * `current` and `changes` are all it needs). For each field, b = base (what I started
 * from), m = mine, t = theirs (the current record):
 * - nobody changed it: not listed;
 * - only I changed it → mine; only they did → theirs; both to the same value → fine;
 * - both changed it differently → a real conflict, except long text whose line-level
 *   three-way merge is clean: that merge is proposed.
 */

export type Value = FieldValue | null;

export type FieldStatus = "mine" | "theirs" | "same" | "merged" | "conflict";

/** How a line-level merge of long text went: regions alternate between clean and conflicting. */
export type TextRegion = { ok: string[] } | { conflict: { mine: string[]; base: string[]; theirs: string[] } };

export type FieldMerge = {
  key: string;
  base: Value;
  mine: Value;
  theirs: Value;
  status: FieldStatus;
  /** What the field becomes unless the user decides otherwise; null for an undecided conflict. */
  proposal: { value: Value; source: "mine" | "theirs" | "merged" } | null;
  /** Long text only: the line-level three-way merge. */
  regions?: TextRegion[];
};

export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = Array.isArray(a) ? a : a == null ? [] : [a];
    const y = Array.isArray(b) ? b : b == null ? [] : [b];
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  return (a ?? null) === (b ?? null);
}

const asSet = (value: Value): string[] =>
  Array.isArray(value) ? value : typeof value === "string" && value !== "" ? [value] : [];

/**
 * Three-way merge of a set (a multi-select): what either side added is in, what either side
 * removed is out. Two people adding different tags never conflict. Kept in the field's option
 * order (then first-seen order for values that are not options any more).
 */
export function mergeSet(field: FieldDefinition, base: Value, mine: Value, theirs: Value): string[] {
  const b = new Set(asSet(base));
  const m = new Set(asSet(mine));
  const t = new Set(asSet(theirs));
  const removed = new Set([...b].filter((v) => !m.has(v) || !t.has(v)));
  const result = new Set([...b, ...m, ...t].filter((v) => !removed.has(v)));
  const options = field.options ?? [];
  const rank = (v: string) => {
    const i = options.indexOf(v);
    return i === -1 ? options.length : i;
  };
  return [...result].sort((x, y) => rank(x) - rank(y));
}

function lines(value: Value): string[] {
  return typeof value === "string" && value !== "" ? value.split("\n") : [];
}

function words(value: Value): string[] {
  return typeof value === "string" && value !== "" ? value.split(/(\s+)/).filter((w) => w !== "") : [];
}

/**
 * Three-way merge of long text: line by line (diff3), and where lines clash, word by word,
 * so that edits to neighbouring lines or different words of one line still merge cleanly.
 * `regions` are the line-level ones, for showing the clashes; `merged` is set when clean.
 */
export function mergeText(base: Value, mine: Value, theirs: Value): { regions: TextRegion[]; merged: string | null } {
  const regions: TextRegion[] = diff3Merge(lines(mine), lines(base), lines(theirs), {
    excludeFalseConflicts: true,
  }).map((region) =>
    region.conflict
      ? { conflict: { mine: region.conflict.a, base: region.conflict.o, theirs: region.conflict.b } }
      : { ok: region.ok ?? [] },
  );
  if (regions.every((r) => "ok" in r)) {
    return { regions, merged: regions.flatMap((r) => ("ok" in r ? r.ok : [])).join("\n") };
  }
  const byWord = diff3Merge(words(mine), words(base), words(theirs), { excludeFalseConflicts: true });
  const clean = byWord.every((r) => !r.conflict);
  return { regions, merged: clean ? byWord.flatMap((r) => r.ok ?? []).join("") : null };
}

export function mergeField(field: FieldDefinition, base: Value, mine: Value, theirs: Value): FieldMerge | null {
  const mineChanged = !sameValue(mine, base);
  const theirsChanged = !sameValue(theirs, base);
  const entry = { key: field.key, base: base ?? null, mine: mine ?? null, theirs: theirs ?? null };
  if (!mineChanged && !theirsChanged) return null;
  if (mineChanged && !theirsChanged)
    return { ...entry, status: "mine", proposal: { value: entry.mine, source: "mine" } };
  if (!mineChanged && theirsChanged) {
    return { ...entry, status: "theirs", proposal: { value: entry.theirs, source: "theirs" } };
  }
  if (sameValue(mine, theirs)) return { ...entry, status: "same", proposal: { value: entry.mine, source: "mine" } };
  if (field.type === "multiselect") {
    const merged = mergeSet(field, entry.base, entry.mine, entry.theirs);
    return {
      ...entry,
      status: "merged",
      proposal: { value: merged.length === 0 ? null : merged, source: "merged" },
    };
  }
  if (field.type === "longtext") {
    const { regions, merged } = mergeText(entry.base, entry.mine, entry.theirs);
    if (merged !== null) {
      return {
        ...entry,
        status: "merged",
        regions,
        proposal: { value: merged === "" ? null : merged, source: "merged" },
      };
    }
    return { ...entry, status: "conflict", regions, proposal: null };
  }
  return { ...entry, status: "conflict", proposal: null };
}

/** Every field that anyone changed, in the collection's field order. */
export function threeWayMerge(
  fields: readonly FieldDefinition[],
  base: RecordValues,
  mine: Record<string, unknown>,
  theirs: RecordValues,
): FieldMerge[] {
  return fields.flatMap((field) => {
    const merged = mergeField(
      field,
      base[field.key] ?? null,
      (mine[field.key] as Value | undefined) ?? null,
      theirs[field.key] ?? null,
    );
    return merged ? [merged] : [];
  });
}

export type Attribution = { user: UserRef; at: string; version: number; from: unknown; to: unknown; action: string };

/** Who changed each field, and when, in the revisions between base and theirs (oldest first). */
export function attributeChanges(revisions: readonly RevisionView[]): Record<string, Attribution[]> {
  const byField: Record<string, Attribution[]> = {};
  for (const revision of revisions) {
    for (const [key, change] of Object.entries(revision.changes)) {
      const list = byField[key] ?? [];
      byField[key] = list;
      list.push({
        user: revision.user,
        at: revision.at,
        version: revision.version,
        from: change.from,
        to: change.to,
        action: revision.action,
      });
    }
  }
  return byField;
}

/**
 * The user's choice for a field. Mine, theirs and merged name a source, resolved against the
 * values at the moment of merging (so typing after a decision is never replaced by a stale
 * copy); an edited result carries its own value.
 */
export type Decision =
  | { source: "mine" }
  | { source: "theirs" }
  | { source: "merged" }
  | { source: "edited"; value: Value };

/** The value a field gets from a decision, or null when it has none that applies. */
export function resolveField(merge: FieldMerge, decision: Decision | undefined): { value: Value } | null {
  switch (decision?.source) {
    case "mine":
      return { value: merge.mine };
    case "theirs":
      return { value: merge.theirs };
    case "merged":
      return merge.status === "merged" && merge.proposal ? { value: merge.proposal.value } : null;
    case "edited":
      return { value: decision.value };
    default:
      return merge.proposal ? { value: merge.proposal.value } : null;
  }
}

/**
 * The values a Merge saves: theirs, with each listed field set to the user's decision (or
 * the proposal where they made none). Null when a real conflict is still undecided.
 */
export function mergedValues(
  theirs: RecordValues,
  merges: readonly FieldMerge[],
  decisions: Readonly<Record<string, Decision>>,
): Record<string, Value> | null {
  const result: Record<string, Value> = { ...theirs };
  for (const merge of merges) {
    const resolved = resolveField(merge, decisions[merge.key]);
    if (!resolved) return null;
    result[merge.key] = resolved.value;
  }
  return result;
}

/**
 * Decisions that still apply after a newer conflict: kept for fields whose theirs is what it
 * was when the user decided; dropped where someone changed the field again.
 */
export function carryDecisions(
  previous: readonly FieldMerge[],
  next: readonly FieldMerge[],
  decisions: Readonly<Record<string, Decision>>,
): Record<string, Decision> {
  const kept: Record<string, Decision> = {};
  for (const merge of next) {
    const before = previous.find((p) => p.key === merge.key);
    const decision = decisions[merge.key];
    if (before && decision && sameValue(before.theirs, merge.theirs)) kept[merge.key] = decision;
  }
  return kept;
}

/** Their changes that saving my form unchanged would undo: what Overwrite must list first. */
export function revertedByOverwrite(merges: readonly FieldMerge[]): FieldMerge[] {
  return merges.filter((m) => !sameValue(m.theirs, m.base) && !sameValue(m.mine, m.theirs));
}
