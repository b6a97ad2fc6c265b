"use client";

import { useId } from "react";
import type { FilterOp } from "@/lib/records/filter";
import { withField, withOp, withValue } from "./filter-bar-state";
import { type Choice, type Condition, opChoices } from "./filter-model";
import { ValueEditor } from "./value-editor";

type Person = { id: string; name: string };

/** One condition: its field, its operator, its value, and a way to remove it. */
export function ConditionRow(props: {
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
        onChange={(event) => props.onChange(withField(props.choices, choice, event.target.value))}
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
        onChange={(event) => props.onChange(withOp(choice, condition, event.target.value as FilterOp))}
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
        onChange={(value) => props.onChange(withValue(condition, value))}
      />
      <button type="button" className="link" onClick={props.onRemove} aria-label={`Remove condition ${props.number}`}>
        Remove
      </button>
    </div>
  );
}
