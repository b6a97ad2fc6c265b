"use client";

import { useActionState } from "react";
import { Field, NewPasswordField } from "@/components/form-field";
import { acceptInviteAction, type InviteState } from "./actions";

/** Choose a password (and confirm the name): the link signs you in. */
export function InviteForm({ token, name }: { token: string; name: string }) {
  const [state, formAction, pending] = useActionState<InviteState, FormData>(acceptInviteAction, {});
  return (
    <form action={formAction} className="stack">
      <input type="hidden" name="token" value={token} />
      <Field id="invite-name" label="Your name" name="name" type="text" defaultValue={name} required maxLength={100} />
      <NewPasswordField id="invite-password" label="New password" name="password" />
      <Field
        id="invite-again"
        label="New password again"
        name="again"
        type="password"
        autoComplete="new-password"
        required
        maxLength={1000}
      />
      {state.error ? (
        <p role="alert" className="field-error">
          {state.error}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={pending || state.gone}>
        {pending ? "Setting password…" : "Set password and sign in"}
      </button>
    </form>
  );
}
