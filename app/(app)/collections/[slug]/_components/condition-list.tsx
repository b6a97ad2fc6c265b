"use client";

import { ConditionRow } from "./condition-row";
import { removeAt, replaceAt } from "./filter-bar-state";
import type { Choice, Condition } from "./filter-model";

type Person = { id: string; name: string };

/** A titled set of ANDed conditions with "Add condition". */
export function ConditionList(props: {
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
          onChange={(next) => props.onChange(replaceAt(props.conditions, i, next))}
          onRemove={() => props.onChange(removeAt(props.conditions, i))}
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
