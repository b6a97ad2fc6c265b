"use client";

import { useState } from "react";
import type { FieldDefinition } from "@/lib/fields";
import { MULTI_SEPARATOR } from "@/lib/form-values";
import { useReferenceOptions } from "./reference-options";

type Props = {
  field: FieldDefinition;
  id: string;
  value: string | boolean | undefined;
  disabled?: boolean | undefined;
  invalid?: boolean | undefined;
  describedBy?: string | undefined;
  /** An accessible name when there is no visible <label for>. */
  ariaLabel?: string | undefined;
  onChange: (value: string | boolean) => void;
};

/**
 * The input for one field of a given type: text, long text, number, date, select, email,
 * checkbox, a group of checkboxes (multi-select), a person (user) or a searchable record (link).
 */
export function FieldInput({ field, id, value, disabled, invalid, describedBy, ariaLabel, onChange }: Props) {
  const common = {
    id,
    disabled,
    "aria-invalid": invalid || undefined,
    "aria-describedby": describedBy,
    "aria-label": ariaLabel,
  };
  const text = typeof value === "string" ? value : "";
  switch (field.type) {
    case "boolean":
      return (
        <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
      );
    case "longtext":
      return <textarea {...common} value={text} onChange={(e) => onChange(e.target.value)} />;
    case "select":
      return (
        <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
          <option value="">—</option>
          {(field.options ?? []).map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
          {text !== "" && !(field.options ?? []).includes(text) ? (
            <option value={text}>{text} (no longer an option)</option>
          ) : null}
        </select>
      );
    case "multiselect":
      return <MultiSelectInput {...{ field, id, text, disabled, invalid, describedBy, ariaLabel, onChange }} />;
    case "user":
      return <UserInput common={common} text={text} onChange={onChange} />;
    case "link":
      return <LinkInput field={field} common={common} text={text} onChange={onChange} />;
    case "number":
    case "integer":
      return (
        <input
          {...common}
          type="number"
          step={field.type === "integer" ? 1 : "any"}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    default:
      return (
        <input
          {...common}
          type={field.type === "text" ? "text" : field.type}
          value={text}
          required={field.required}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}

/** A group of checkboxes with the field's label as its legend; the value is the chosen options, one per line. */
function MultiSelectInput(props: {
  field: FieldDefinition;
  id: string;
  text: string;
  disabled: boolean | undefined;
  invalid: boolean | undefined;
  describedBy: string | undefined;
  ariaLabel: string | undefined;
  onChange: (value: string) => void;
}) {
  const { field, id, text, disabled, invalid, describedBy, ariaLabel, onChange } = props;
  const chosen = text === "" ? [] : text.split(MULTI_SEPARATOR);
  const options = [...(field.options ?? []), ...chosen.filter((c) => !(field.options ?? []).includes(c))];
  const toggle = (option: string, on: boolean) => {
    const next = options.filter((o) => (o === option ? on : chosen.includes(o)));
    onChange(next.join(MULTI_SEPARATOR));
  };
  return (
    <fieldset
      id={id}
      className="checkbox-group"
      disabled={disabled}
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
    >
      <legend>
        {ariaLabel ?? field.label}
        {field.required ? <span aria-hidden="true"> *</span> : null}
      </legend>
      {options.map((option, i) => (
        <label key={option} htmlFor={`${id}-${i}`} className="checkbox-option">
          <input
            id={`${id}-${i}`}
            type="checkbox"
            checked={chosen.includes(option)}
            onChange={(e) => toggle(option, e.target.checked)}
          />{" "}
          {option}
          {(field.options ?? []).includes(option) ? null : " (no longer an option)"}
        </label>
      ))}
    </fieldset>
  );
}

type Common = {
  id: string;
  disabled: boolean | undefined;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
  "aria-label": string | undefined;
};

/** A select of the people in Tandem, by name. */
function UserInput({ common, text, onChange }: { common: Common; text: string; onChange: (value: string) => void }) {
  const { people } = useReferenceOptions();
  return (
    <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
      <option value="">—</option>
      {people.map((p) => (
        <option key={p.id} value={p.id}>
          {p.label}
        </option>
      ))}
      {text !== "" && !people.some((p) => p.id === text) ? <option value={text}>Unknown person</option> : null}
    </select>
  );
}

/** A select of the linked collection's records by title, narrowed by a search box above it. */
function LinkInput({
  field,
  common,
  text,
  onChange,
}: {
  field: FieldDefinition;
  common: Common;
  text: string;
  onChange: (value: string) => void;
}) {
  const records = useReferenceOptions().links[field.collection ?? ""] ?? [];
  const [query, setQuery] = useState("");
  const needle = query.trim().toLowerCase();
  const shown = records.filter((r) => r.id === text || needle === "" || r.label.toLowerCase().includes(needle));
  return (
    <span className="link-input">
      <input
        type="search"
        aria-label={`Search ${field.label}`}
        placeholder="Search…"
        value={query}
        disabled={common.disabled}
        onChange={(e) => setQuery(e.target.value)}
      />
      <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
        <option value="">—</option>
        {shown.map((r) => (
          <option key={r.id} value={r.id}>
            {r.label}
          </option>
        ))}
        {text !== "" && !records.some((r) => r.id === text) ? <option value={text}>Unknown record</option> : null}
      </select>
    </span>
  );
}
