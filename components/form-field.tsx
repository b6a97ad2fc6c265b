"use client";

import type { InputHTMLAttributes, ReactNode } from "react";

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "id"> & { id: string };

/** A labelled input in a `.field`; a hint below it describes the input, `after` follows it (e.g. an error). */
export function Field({
  label,
  hint,
  after,
  ...input
}: InputProps & { label: string; hint?: ReactNode; after?: ReactNode }) {
  const hintId = `${input.id}-hint`;
  return (
    <div className="field">
      <label htmlFor={input.id}>{label}</label>
      <input {...input} aria-describedby={hint ? hintId : input["aria-describedby"]} />
      {hint ? (
        <span id={hintId} className="small muted">
          {hint}
        </span>
      ) : null}
      {after}
    </div>
  );
}

/** A new password: the bounds and the hint the server's password rules enforce. */
export function NewPasswordField(props: InputProps & { label: string }) {
  return (
    <Field
      type="password"
      autoComplete="new-password"
      required
      minLength={10}
      maxLength={1000}
      hint="At least 10 characters, and not a common password. A few unrelated words work well."
      {...props}
    />
  );
}
