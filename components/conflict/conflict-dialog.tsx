"use client";

import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { FieldInput } from "@/components/field-input";
import { RelativeTime } from "@/components/relative-time";
import { displayValue, type FieldDefinition, type RecordValues } from "@/lib/fields";
import { fromFormValues, toFormValues } from "@/lib/form-values";
import {
  type Attribution,
  attributeChanges,
  type Decision,
  type FieldMerge,
  mergedValues,
  resolveField,
  revertedByOverwrite,
  type Value,
} from "@/lib/records/merge";
import type { RecordView, RevisionView } from "@/lib/records/record-view";
import { WordDiff } from "./word-diff";

/** A modal on the native <dialog>: focus stays inside, Esc closes it (and loses nothing). */
export function Modal({
  title,
  description,
  onClose,
  children,
  footer,
  testId,
}: {
  title: ReactNode;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer: ReactNode;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <header>
        <h2 id={titleId}>{title}</h2>
        {description ? (
          <p id={descriptionId} className="muted" style={{ margin: 0 }}>
            {description}
          </p>
        ) : null}
      </header>
      <div className="body">{children}</div>
      <footer>{footer}</footer>
    </dialog>
  );
}

function names(items: readonly { user: { name: string } }[] | undefined): string {
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

function asText(field: FieldDefinition | undefined, value: unknown): string {
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

function FieldRow({
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

export type ConflictDialogProps = {
  fields: readonly FieldDefinition[];
  baseVersion: number;
  current: RecordView;
  /** Every revision since the user's base, oldest first. */
  changes: RevisionView[];
  merges: FieldMerge[];
  decisions: Record<string, Decision>;
  busy: boolean;
  onDecide: (key: string, decision: Decision) => void;
  onMerge: (values: Record<string, Value>) => void;
  onOverwrite: () => void;
  onDiscard: () => void;
  onClose: () => void;
};

/** Base, theirs (who changed what, when) and mine, field by field; Merge, Overwrite or Discard mine. */
export function ConflictDialog(props: ConflictDialogProps) {
  const { fields, current, changes, merges, decisions, busy } = props;
  const attributions = attributeChanges(changes);
  const people = names(changes);
  const open = merges.filter((m) => !resolveField(m, decisions[m.key])).length;
  const merged = mergedValues(current.data, merges, decisions);
  const reverted = revertedByOverwrite(merges);
  const label = (key: string) => fields.find((f) => f.key === key)?.label ?? key;
  return (
    <Modal
      testId="conflict-dialog"
      title={`${people === "they" ? current.updatedBy.name : people} changed this record while you were editing`}
      description={
        <>
          It is now at version {current.version}; you started from version {props.baseVersion}. Your edits are safe:{" "}
          {open > 0
            ? `${open} ${open === 1 ? "field needs" : "fields need"} your decision.`
            : "everything can be merged — check and save."}
        </>
      }
      onClose={props.onClose}
      footer={
        <>
          <button
            type="button"
            className="primary"
            disabled={busy || merged === null}
            onClick={() => merged && props.onMerge(merged)}
          >
            Merge
          </button>
          <button type="button" disabled={busy} onClick={props.onOverwrite}>
            Overwrite
          </button>
          <button type="button" disabled={busy} onClick={props.onDiscard}>
            Discard mine
          </button>
          <span className="spacer" />
          <button type="button" onClick={props.onClose}>
            Keep editing
          </button>
        </>
      }
    >
      <div className="stack">
        {merges.length === 0 ? (
          <p>Their changes touch none of the fields you edited and no field differs — merging keeps everything.</p>
        ) : null}
        {merges.map((merge) => {
          const field = fields.find((f) => f.key === merge.key);
          return field ? (
            <FieldRow
              key={merge.key}
              field={field}
              merge={merge}
              attributions={attributions[merge.key]}
              decision={decisions[merge.key]}
              onDecide={(decision) => props.onDecide(merge.key, decision)}
            />
          ) : null;
        })}
        <div className="notice small" data-testid="overwrite-reverts">
          {reverted.length > 0 ? (
            <>
              <strong>Overwrite</strong> saves your form exactly as it is and reverts their changes to{" "}
              {reverted
                .map(
                  (m) =>
                    `${label(m.key)} (${names(attributions[m.key])}: ${
                      asText(
                        fields.find((f) => f.key === m.key),
                        m.theirs,
                      ) || "empty"
                    })`,
                )
                .join(", ")}
              .
            </>
          ) : (
            <>
              <strong>Overwrite</strong> saves your form exactly as it is; it reverts none of their changes.
            </>
          )}{" "}
          <strong>Discard mine</strong> takes their version; your edits stay in your local draft.
        </div>
      </div>
    </Modal>
  );
}
