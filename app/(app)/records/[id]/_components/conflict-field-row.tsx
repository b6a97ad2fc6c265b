"use client";

import { useId, useState } from "react";
import { FieldInput } from "@/components/field-input";
import { RelativeTime } from "@/components/relative-time";
import { displayValue, type FieldDefinition, type RecordValues } from "@/lib/fields";
import { fromFormValues, toFormValues } from "@/lib/form-values";
import { type Attribution, type Decision, type FieldMerge, resolveField, type Value } from "@/lib/records/merge";
import { WordDiff } from "./word-diff";

/** One field of the conflict dialog: what you started from, theirs (who, when), mine, and the choice. */

export function names(items: readonly { user: { name: string } }[] | undefined): string {
  const unique = [...new Set((items ?? []).map((a) => a.user.name))];
  if (unique.length <= 1) return unique[0] ?? "they";
  return `${unique.slice(0, -1).join(", ")} and ${unique.at(-1)}`;
}

const STATUS_TEXT: Record<FieldMerge["status"], (who: string) => string> = {
  mine: () => "Only you changed this — yours is kept",
  theirs: (who) => `Only ${who} changed this — theirs is taken`,
  same: () => "You both made the same change",
  merged: () => "You both edited different parts — merged automatically",
  conflict: () => "You both changed this — choose the result",
};

export function asText(field: FieldDefinition | undefined, value: unknown): string {
  return value === null || value === undefined ? "" : displayValue(field, value);
}

/** A value, with the words that differ from base highlighted; long values folded. */
function ShownValue({ field, value, base }: { field: FieldDefinition; value: Value; base?: Value }) {
  const [open, setOpen] = useState(false);
  const text = asText(field, value);
  const long = text.length > 180 || text.split("\n").length > 4;
  const content =
    value === null ? (
      <span className="muted">(empty)</span>
    ) : base !== undefined && typeof value === "string" && (typeof base === "string" || base === null) ? (
      <WordDiff from={asText(field, base)} to={text} />
    ) : (
      text
    );
  return (
    <div className={`value${long && !open ? " folded" : ""}`}>
      <div className="value-text">{content}</div>
      {long ? (
        <button type="button" className="link small" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
          {open ? "Show less" : "Show all"}
        </button>
      ) : null}
    </div>
  );
}

function TextRegions({ merge }: { merge: FieldMerge }) {
  if (!merge.regions?.some((r) => "conflict" in r)) return null;
  return (
    <fieldset className="regions">
      <legend className="small muted">Line by line</legend>
      {merge.regions.map((region, i) =>
        "ok" in region ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: regions are positional
          <pre key={i} className="region ok">
            {region.ok.join("\n")}
          </pre>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: regions are positional
          <div key={i} className="region clash">
            <div>
              <span className="small muted">Mine</span>
              <pre className="mine">{region.conflict.mine.join("\n") || "(removed)"}</pre>
            </div>
            <div>
              <span className="small muted">Theirs</span>
              <pre className="theirs">{region.conflict.theirs.join("\n") || "(removed)"}</pre>
            </div>
          </div>
        ),
      )}
    </fieldset>
  );
}

export function FieldRow({
  field,
  merge,
  attributions,
  decision,
  onDecide,
}: {
  field: FieldDefinition;
  merge: FieldMerge;
  attributions: Attribution[] | undefined;
  decision: Decision | undefined;
  onDecide: (decision: Decision) => void;
}) {
  const group = useId();
  const selected = resolveField(merge, decision) ? (decision?.source ?? merge.proposal?.source ?? null) : null;
  const who = names(attributions);
  const [draft, setDraft] = useState(() => toFormValues([field], { [field.key]: merge.mine ?? "" } as RecordValues));
  const editedValue = (values: typeof draft) =>
    (fromFormValues([field], values)[field.key] as Value | undefined) ?? null;
  const choose = (source: Decision["source"]) =>
    onDecide(source === "edited" ? { source, value: editedValue(draft) } : { source });
  const options: [Decision["source"], string][] = [
    ["mine", "Keep mine"],
    ["theirs", "Take theirs"],
    ...(merge.status === "merged" ? ([["merged", "Use the merged text"]] as [Decision["source"], string][]) : []),
    ["edited", "Edit"],
  ];
  const undecided = !resolveField(merge, decision);
  return (
    <section
      className={`merge-row ${merge.status}${undecided ? " undecided" : ""}`}
      aria-labelledby={`${group}-label`}
      data-testid={`merge-${field.key}`}
    >
      <div className="row">
        <h3 id={`${group}-label`} style={{ margin: 0 }}>
          {field.label}
        </h3>
        <span className={`chip ${merge.status}`}>{STATUS_TEXT[merge.status](who)}</span>
      </div>
      <div className="three">
        <div className="col">
          <div className="col-title">You started from</div>
          <ShownValue field={field} value={merge.base} />
        </div>
        <div className="col theirs">
          <div className="col-title">
            Theirs
            {(attributions ?? []).map((a) => (
              <span key={a.version} className="who">
                {" "}
                · {a.user.name}, <RelativeTime iso={a.at} />
              </span>
            ))}
          </div>
          <ShownValue field={field} value={merge.theirs} base={merge.base} />
        </div>
        <div className="col mine">
          <div className="col-title">Mine</div>
          <ShownValue field={field} value={merge.mine} base={merge.base} />
        </div>
      </div>
      {merge.status === "conflict" && field.type === "longtext" ? <TextRegions merge={merge} /> : null}
      {merge.status === "merged" && merge.proposal ? (
        <div className="col">
          <div className="col-title">Merged</div>
          <ShownValue field={field} value={merge.proposal.value} base={merge.base} />
        </div>
      ) : null}
      <fieldset className="choice">
        <legend>Result for {field.label}</legend>
        {options.map(([source, label]) => (
          <label key={source} className="radio">
            <input
              type="radio"
              name={group}
              value={source}
              checked={selected === source}
              onChange={() => choose(source)}
            />
            {label}
          </label>
        ))}
        {undecided ? <span className="field-error">Needs your decision</span> : null}
      </fieldset>
      {selected === "edited" ? (
        <div className="field">
          <label htmlFor={`${group}-edit`}>Your result for {field.label}</label>
          <FieldInput
            field={field}
            id={`${group}-edit`}
            value={draft[field.key]}
            onChange={(value) => {
              const next = { [field.key]: value };
              setDraft(next);
              onDecide({
                source: "edited",
                value: (fromFormValues([field], next)[field.key] as Value | undefined) ?? null,
              });
            }}
          />
        </div>
      ) : null}
    </section>
  );
}
