"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import type { FieldDefinition } from "@/lib/fields";
import type { FilterOp } from "@/lib/records/filter";
import {
  type Choice,
  type Condition,
  choicesFor,
  defaultValue,
  describeCondition,
  type FilterModel,
  isListOp,
  jsonFromModel,
  modelFromJson,
  opChoices,
  parseFilterText,
  startOfToday,
} from "./filter-model";
import { type ListParams, listHref } from "./list-url";

type Person = { id: string; name: string };

/**
 * Conditions per field with the ops its type takes, ANDed, plus OR groups. "Apply filters"
 * puts the filter in the URL (the server answers it; back and forward work).
 */
export function FilterBar(props: {
  slug: string;
  fields: FieldDefinition[];
  people: Person[];
  params: ListParams;
  /** The filter in effect (the URL's, or the view's). */
  filterText: string;
}) {
  const router = useRouter();
  const choices = choicesFor(props.fields);
  const [model, setModel] = useState<FilterModel>(() => modelFromJson(parseFilterText(props.filterText)));
  const [editing, setEditing] = useState(false);
  const names = Object.fromEntries(props.people.map((p) => [p.id, p.name]));
  const applied = modelFromJson(parseFilterText(props.filterText));
  const appliedCount = applied.all.length + applied.groups.flat().length;

  const apply = (next: FilterModel) => {
    const json = jsonFromModel(next);
    const filter = Object.keys(json).length > 0 ? JSON.stringify(json) : "{}";
    router.push(listHref(props.slug, { ...props.params, filter, cursor: undefined }));
  };
  const newCondition = (): Condition => {
    const choice = choices[0] as Choice;
    const op = opChoices(choice.kind)[0]?.op ?? "_empty";
    return { key: choice.key, op, value: defaultValue(choice, op) };
  };
  const quick = (conditions: Condition[]) => {
    const next = {
      ...applied,
      all: [...applied.all.filter((c) => !conditions.some((q) => q.key === c.key)), ...conditions],
    };
    setModel(next);
    apply(next);
  };

  return (
    <section className="filter-bar" aria-label="Filters">
      <div className="row">
        <strong>Filters</strong>
        {appliedCount === 0 ? <span className="muted small">None: every record is listed.</span> : null}
        {applied.all.map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity but their place
          <span className="chip" key={`a${i}-${c.key}-${c.op}`}>
            {describeCondition(c, choices, names)}
          </span>
        ))}
        {applied.groups.map((group, gi) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: groups have no identity but their place
          <span className="chip" key={`g${gi}`}>
            {group.map((c) => describeCondition(c, choices, names)).join(" and ")}
            {gi < applied.groups.length - 1 ? " — or" : ""}
          </span>
        ))}
        <span className="spacer" />
        <button
          type="button"
          className="link"
          onClick={() => quick([{ key: "updatedAt", op: "_gte", value: startOfToday() }])}
        >
          Changed today
        </button>
        <button type="button" className="link" onClick={() => quick([{ key: "updatedBy", op: "_eq", value: "$me" }])}>
          Changed by me
        </button>
        <button type="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
          {editing ? "Close filter editor" : "Edit filters"}
        </button>
      </div>
      {editing ? (
        <form
          className="filter-editor stack"
          onSubmit={(event) => {
            event.preventDefault();
            apply(model);
          }}
        >
          <ConditionList
            title="All of these"
            conditions={model.all}
            choices={choices}
            people={props.people}
            onChange={(all) => setModel({ ...model, all })}
            onAdd={() => setModel({ ...model, all: [...model.all, newCondition()] })}
          />
          {model.groups.map((group, gi) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: groups have no identity but their place
            <div className="or-group" key={`group-${gi}`}>
              <ConditionList
                title={gi === 0 ? "And any one of these groups" : "or"}
                conditions={group}
                choices={choices}
                people={props.people}
                onChange={(conditions) =>
                  setModel({ ...model, groups: model.groups.map((g, i) => (i === gi ? conditions : g)) })
                }
                onAdd={() =>
                  setModel({ ...model, groups: model.groups.map((g, i) => (i === gi ? [...g, newCondition()] : g)) })
                }
              />
              <button
                type="button"
                className="link"
                onClick={() => setModel({ ...model, groups: model.groups.filter((_, i) => i !== gi) })}
              >
                Remove this OR group
              </button>
            </div>
          ))}
          <div className="row">
            <button type="button" onClick={() => setModel({ ...model, groups: [...model.groups, [newCondition()]] })}>
              Add OR group
            </button>
            <span className="spacer" />
            <button
              type="button"
              onClick={() => {
                const empty = { all: [], groups: [] };
                setModel(empty);
                apply(empty);
              }}
            >
              Clear filters
            </button>
            <button type="submit" className="primary">
              Apply filters
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}

function ConditionList(props: {
  title: string;
  conditions: Condition[];
  choices: Choice[];
  people: Person[];
  onChange: (conditions: Condition[]) => void;
  onAdd: () => void;
}) {
  return (
    <fieldset className="conditions">
      <legend>{props.title}</legend>
      {props.conditions.map((condition, i) => (
        <ConditionRow
          // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity but their place
          key={i}
          number={i + 1}
          condition={condition}
          choices={props.choices}
          people={props.people}
          onChange={(next) => props.onChange(props.conditions.map((c, j) => (j === i ? next : c)))}
          onRemove={() => props.onChange(props.conditions.filter((_, j) => j !== i))}
        />
      ))}
      <div>
        <button type="button" onClick={props.onAdd}>
          Add condition
        </button>
      </div>
    </fieldset>
  );
}

function ConditionRow(props: {
  number: number;
  condition: Condition;
  choices: Choice[];
  people: Person[];
  onChange: (condition: Condition) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const { condition } = props;
  const choice = props.choices.find((c) => c.key === condition.key) ?? (props.choices[0] as Choice);
  const ops = opChoices(choice.kind);
  return (
    <div className="row condition" data-testid="filter-condition">
      <label htmlFor={`${id}-field`} className="sr-only">
        Field of condition {props.number}
      </label>
      <select
        id={`${id}-field`}
        value={choice.key}
        onChange={(event) => {
          const next = props.choices.find((c) => c.key === event.target.value) ?? choice;
          const op = opChoices(next.kind)[0]?.op ?? "_empty";
          props.onChange({ key: next.key, op, value: defaultValue(next, op) });
        }}
      >
        {props.choices.map((c) => (
          <option key={c.key} value={c.key}>
            {c.label}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-op`} className="sr-only">
        Operator of condition {props.number}
      </label>
      <select
        id={`${id}-op`}
        value={condition.op}
        onChange={(event) => {
          const op = event.target.value as FilterOp;
          const keep =
            isListOp(op) === isListOp(condition.op) &&
            op !== "_empty" &&
            op !== "_nempty" &&
            condition.op !== "_empty" &&
            condition.op !== "_nempty";
          props.onChange({ ...condition, op, value: keep ? condition.value : defaultValue(choice, op) });
        }}
      >
        {ops.map((o) => (
          <option key={o.op} value={o.op}>
            {o.label}
          </option>
        ))}
      </select>
      <ValueEditor
        id={`${id}-value`}
        label={`Value of condition ${props.number}`}
        choice={choice}
        condition={condition}
        people={props.people}
        onChange={(value) => props.onChange({ ...condition, value })}
      />
      <button type="button" className="link" onClick={props.onRemove} aria-label={`Remove condition ${props.number}`}>
        Remove
      </button>
    </div>
  );
}

function toLocalInput(iso: unknown): string {
  if (typeof iso !== "string") return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function ValueEditor(props: {
  id: string;
  label: string;
  choice: Choice;
  condition: Condition;
  people: Person[];
  onChange: (value: unknown) => void;
}) {
  const { choice, condition, onChange } = props;
  const sr = (
    <label htmlFor={props.id} className="sr-only">
      {props.label}
    </label>
  );
  if (condition.op === "_empty" || condition.op === "_nempty") return null;
  const people = [{ id: "$me", name: "Me" }, ...props.people];
  if (isListOp(condition.op)) {
    const values = Array.isArray(condition.value) ? condition.value : [];
    const options =
      choice.kind === "select" || choice.kind === "multiselect"
        ? (choice.field?.options ?? []).map((o) => ({ value: o, label: o }))
        : choice.kind === "user" || choice.kind === "actor"
          ? people.map((p) => ({ value: p.id, label: p.name }))
          : null;
    if (options) {
      return (
        <fieldset className="option-set">
          <legend className="sr-only">{props.label}</legend>
          {options.map((o) => (
            <label key={o.value} className="option">
              <input
                type="checkbox"
                checked={values.includes(o.value)}
                onChange={(event) =>
                  onChange(event.target.checked ? [...values, o.value] : values.filter((v) => v !== o.value))
                }
              />{" "}
              {o.label}
            </label>
          ))}
        </fieldset>
      );
    }
    const numeric = choice.kind === "number" || choice.kind === "integer";
    return (
      <>
        {sr}
        <input
          id={props.id}
          type="text"
          placeholder="values, separated by commas"
          defaultValue={values.join(", ")}
          onChange={(event) => {
            const parts = event.target.value
              .split(",")
              .map((p) => p.trim())
              .filter((p) => p !== "");
            onChange(numeric ? parts.map(Number).filter((n) => Number.isFinite(n)) : parts);
          }}
        />
      </>
    );
  }
  switch (choice.kind) {
    case "select":
    case "multiselect":
      return (
        <>
          {sr}
          <select id={props.id} value={String(condition.value ?? "")} onChange={(e) => onChange(e.target.value)}>
            {(choice.field?.options ?? []).map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </>
      );
    case "boolean":
      return (
        <>
          {sr}
          <select
            id={props.id}
            value={condition.value === false ? "false" : "true"}
            onChange={(e) => onChange(e.target.value === "true")}
          >
            <option value="true">Yes</option>
            <option value="false">No</option>
          </select>
        </>
      );
    case "user":
    case "actor":
      return (
        <>
          {sr}
          <select id={props.id} value={String(condition.value ?? "$me")} onChange={(e) => onChange(e.target.value)}>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </>
      );
    case "number":
    case "integer":
      return (
        <>
          {sr}
          <input
            id={props.id}
            type="number"
            step={choice.kind === "integer" ? 1 : "any"}
            value={typeof condition.value === "number" ? condition.value : ""}
            onChange={(e) => onChange(e.target.value === "" ? 0 : Number(e.target.value))}
          />
        </>
      );
    case "date":
      return (
        <>
          {sr}
          <input
            id={props.id}
            type="date"
            value={String(condition.value ?? "")}
            onChange={(e) => onChange(e.target.value)}
          />
        </>
      );
    case "timestamp":
      return (
        <>
          {sr}
          <input
            id={props.id}
            type="datetime-local"
            value={toLocalInput(condition.value)}
            onChange={(e) => onChange(e.target.value ? new Date(e.target.value).toISOString() : startOfToday())}
          />
        </>
      );
    default:
      return (
        <>
          {sr}
          <input
            id={props.id}
            type="text"
            value={String(condition.value ?? "")}
            onChange={(e) => onChange(e.target.value)}
          />
        </>
      );
  }
}
