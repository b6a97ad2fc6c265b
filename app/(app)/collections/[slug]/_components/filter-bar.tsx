"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { FieldDefinition } from "@/lib/fields";
import { ConditionList } from "./condition-list";
import {
  addCondition,
  addGroup,
  conditionCount,
  EMPTY_MODEL,
  filterParam,
  removeGroup,
  setList,
  withQuick,
} from "./filter-bar-state";
import {
  type Condition,
  choicesFor,
  describeCondition,
  type FilterModel,
  modelFromJson,
  parseFilterText,
  startOfToday,
} from "./filter-model";
import { type ListParams, listHref } from "./list-url";
import { OrGroup } from "./or-group";

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
  const appliedCount = conditionCount(applied);

  const apply = (next: FilterModel) => {
    router.push(listHref(props.slug, { ...props.params, filter: filterParam(next), cursor: undefined }));
  };
  const quick = (conditions: Condition[]) => {
    const next = withQuick(applied, conditions);
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
            onChange={(all) => setModel(setList(model, "all", all))}
            onAdd={() => setModel(addCondition(model, "all", choices))}
          />
          {model.groups.map((group, gi) => (
            <OrGroup
              // biome-ignore lint/suspicious/noArrayIndexKey: groups have no identity but their place
              key={`group-${gi}`}
              index={gi}
              conditions={group}
              choices={choices}
              people={props.people}
              onChange={(conditions) => setModel(setList(model, gi, conditions))}
              onAdd={() => setModel(addCondition(model, gi, choices))}
              onRemove={() => setModel(removeGroup(model, gi))}
            />
          ))}
          <div className="row">
            <button type="button" onClick={() => setModel(addGroup(model, choices))}>
              Add OR group
            </button>
            <span className="spacer" />
            <button
              type="button"
              onClick={() => {
                setModel(EMPTY_MODEL);
                apply(EMPTY_MODEL);
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
