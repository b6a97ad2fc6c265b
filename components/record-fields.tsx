"use client";

import type { FieldDefinition } from "@/lib/fields";
import type { FormValues } from "@/lib/form-values";
import { FieldInput } from "./field-input";

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
      {fields.map((field) => (
        <LabelledField
          key={field.key}
          field={field}
          value={values[field.key]}
          error={errors[field.key]}
          disabled={disabled}
          onChange={(value) => onChange(field.key, value)}
        />
      ))}
    </div>
  );
}

function LabelledField({
  field,
  value,
  error,
  disabled,
  onChange,
}: {
  field: FieldDefinition;
  value: string | boolean | undefined;
  error: string | undefined;
  disabled: boolean | undefined;
  onChange: (value: string | boolean) => void;
}) {
  const id = `field-${field.key}`;
  const label = (
    <label htmlFor={id}>
      {field.label}
      {field.required ? <span aria-hidden="true"> *</span> : null}
    </label>
  );
  const input = (
    <FieldInput
      field={field}
      id={id}
      value={value}
      disabled={disabled}
      invalid={Boolean(error)}
      describedBy={error ? `${id}-error` : undefined}
      onChange={onChange}
    />
  );
  const message = error ? (
    <span id={`${id}-error`} className="field-error">
      {error}
    </span>
  ) : null;
  if (field.type === "multiselect") {
    // A group of checkboxes: its legend is the label.
    return (
      <div className="field">
        {input}
        {message}
      </div>
    );
  }
  if (field.type === "boolean") {
    return (
      <div className="field checkbox">
        {input}
        {label}
        {message}
      </div>
    );
  }
  return (
    <div className={`field${field.type === "longtext" ? " wide" : ""}`}>
      {label}
      {input}
      {message}
    </div>
  );
}
