"use client";

import type { FieldDefinition } from "@/lib/fields";

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

/** The input for one field of a given type: text, long text, number, date, select, email or checkbox. */
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
        </select>
      );
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
