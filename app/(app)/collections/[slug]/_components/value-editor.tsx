"use client";

import { type Choice, type Condition, isListOp, startOfToday } from "./filter-model";

type Person = { id: string; name: string };

function toLocalInput(iso: unknown): string {
  if (typeof iso !== "string") return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

type ValueEditorProps = {
  id: string;
  label: string;
  choice: Choice;
  condition: Condition;
  people: Person[];
  onChange: (value: unknown) => void;
};

/** The value input for a condition, by op (none, a list) and the field's kind. */
export function ValueEditor(props: ValueEditorProps) {
  const { condition } = props;
  if (condition.op === "_empty" || condition.op === "_nempty") return null;
  if (isListOp(condition.op)) return <ListValueEditor {...props} />;
  return <SingleValueEditor {...props} />;
}

function ListValueEditor(props: ValueEditorProps) {
  const { choice, condition, onChange } = props;
  const people = [{ id: "$me", name: "Me" }, ...props.people];
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
      <label htmlFor={props.id} className="sr-only">
        {props.label}
      </label>
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

function SingleValueEditor(props: ValueEditorProps) {
  return (
    <>
      <label htmlFor={props.id} className="sr-only">
        {props.label}
      </label>
      <SingleValueInput {...props} />
    </>
  );
}

function SingleValueInput(props: ValueEditorProps) {
  const { choice, condition, onChange } = props;
  switch (choice.kind) {
    case "select":
    case "multiselect":
      return (
        <select id={props.id} value={String(condition.value ?? "")} onChange={(e) => onChange(e.target.value)}>
          {(choice.field?.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    case "boolean":
      return (
        <select
          id={props.id}
          value={condition.value === false ? "false" : "true"}
          onChange={(e) => onChange(e.target.value === "true")}
        >
          <option value="true">Yes</option>
          <option value="false">No</option>
        </select>
      );
    case "user":
    case "actor":
      return (
        <select id={props.id} value={String(condition.value ?? "$me")} onChange={(e) => onChange(e.target.value)}>
          {[{ id: "$me", name: "Me" }, ...props.people].map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      );
    case "number":
    case "integer":
      return (
        <input
          id={props.id}
          type="number"
          step={choice.kind === "integer" ? 1 : "any"}
          value={typeof condition.value === "number" ? condition.value : ""}
          onChange={(e) => onChange(e.target.value === "" ? 0 : Number(e.target.value))}
        />
      );
    case "date":
      return (
        <input
          id={props.id}
          type="date"
          value={String(condition.value ?? "")}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case "timestamp":
      return (
        <input
          id={props.id}
          type="datetime-local"
          value={toLocalInput(condition.value)}
          onChange={(e) => onChange(e.target.value ? new Date(e.target.value).toISOString() : startOfToday())}
        />
      );
    default:
      return (
        <input
          id={props.id}
          type="text"
          value={String(condition.value ?? "")}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}
