"use client";

import type { FieldDefinition } from "@/lib/fields";
import type { FormValues } from "@/lib/form-values";

type Props = {
  fields: readonly FieldDefinition[];
  values: FormValues;
  errors: Record<string, string>;
  disabled?: boolean;
  onChange: (key: string, value: string | boolean) => void;
};

/** One labelled input per field, built from the collection's definitions, errors beside each. */
export function RecordFields({ fields, values, errors, disabled, onChange }: Props) {
  return (
    <div className="form-grid">
      {fields.map((field) => {
        const id = `field-${field.key}`;
        const error = errors[field.key];
        const described = error ? { "aria-invalid": true, "aria-describedby": `${id}-error` } : {};
        const label = (
          <label htmlFor={id}>
            {field.label}
            {field.required ? <span aria-hidden="true"> *</span> : null}
          </label>
        );
        const value = values[field.key];
        const text = typeof value === "string" ? value : "";
        let input: React.ReactNode;
        switch (field.type) {
          case "boolean":
            return (
              <div key={field.key} className="field checkbox">
                <input
                  id={id}
                  type="checkbox"
                  checked={value === true}
                  disabled={disabled}
                  onChange={(e) => onChange(field.key, e.target.checked)}
                  {...described}
                />
                {label}
                {error ? (
                  <span id={`${id}-error`} className="field-error">
                    {error}
                  </span>
                ) : null}
              </div>
            );
          case "longtext":
            input = (
              <textarea
                id={id}
                value={text}
                disabled={disabled}
                onChange={(e) => onChange(field.key, e.target.value)}
                {...described}
              />
            );
            break;
          case "select":
            input = (
              <select
                id={id}
                value={text}
                disabled={disabled}
                onChange={(e) => onChange(field.key, e.target.value)}
                {...described}
              >
                <option value="">—</option>
                {(field.options ?? []).map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            );
            break;
          default:
            input = (
              <input
                id={id}
                type={
                  field.type === "integer" || field.type === "number"
                    ? "number"
                    : field.type === "text"
                      ? "text"
                      : field.type
                }
                step={field.type === "integer" ? 1 : field.type === "number" ? "any" : undefined}
                value={text}
                disabled={disabled}
                required={field.required}
                onChange={(e) => onChange(field.key, e.target.value)}
                {...described}
              />
            );
        }
        return (
          <div key={field.key} className={`field${field.type === "longtext" ? " wide" : ""}`}>
            {label}
            {input}
            {error ? (
              <span id={`${id}-error`} className="field-error">
                {error}
              </span>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
