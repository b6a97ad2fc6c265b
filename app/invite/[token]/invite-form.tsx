"use client";

import { useActionState } from "react";
import { acceptInviteAction, type InviteState } from "./actions";

/** Choose a password (and confirm the name): the link signs you in. */
export function InviteForm({ token, name }: { token: string; name: string }) {
  const [state, formAction, pending] = useActionState<InviteState, FormData>(acceptInviteAction, {});
  return (
    <form action={formAction} className="stack">
      <input type="hidden" name="token" value={token} />
      <div className="field">
        <label htmlFor="invite-name">Your name</label>
        <input id="invite-name" name="name" type="text" defaultValue={name} required maxLength={100} />
      </div>
      <div className="field">
        <label htmlFor="invite-password">New password</label>
        <input
          id="invite-password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          maxLength={1000}
          aria-describedby="invite-password-hint"
        />
        <span id="invite-password-hint" className="small muted">
          At least 10 characters, and not a common password. A few unrelated words work well.
        </span>
      </div>
      <div className="field">
        <label htmlFor="invite-again">New password again</label>
        <input id="invite-again" name="again" type="password" autoComplete="new-password" required maxLength={1000} />
      </div>
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
