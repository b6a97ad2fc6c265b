"use client";

import { ConditionList } from "./condition-list";
import type { Choice, Condition } from "./filter-model";

type Person = { id: string; name: string };

/** One OR group: its conditions and "Remove this OR group". */
export function OrGroup(props: {
  index: number;
  conditions: Condition[];
  choices: Choice[];
  people: Person[];
  onChange: (conditions: Condition[]) => void;
  onAdd: () => void;
  onRemove: () => void;
}) {
  return (
    <div className="or-group">
      <ConditionList
        title={props.index === 0 ? "And any one of these groups" : "or"}
        conditions={props.conditions}
        choices={props.choices}
        people={props.people}
        onChange={props.onChange}
        onAdd={props.onAdd}
      />
      <button type="button" className="link" onClick={props.onRemove}>
        Remove this OR group
      </button>
    </div>
  );
}
