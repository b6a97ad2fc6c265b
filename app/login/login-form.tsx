"use client";

import { useActionState } from "react";
import { type LoginState, loginAction } from "./actions";

export function LoginForm({ next }: { next: string }) {
  const [state, submit, pending] = useActionState<LoginState, FormData>(loginAction, {});
  return (
    <form action={submit} noValidate>
      <input type="hidden" name="next" value={next} />
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required defaultValue={state.email} />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
      </div>
      {state.error ? (
        <p role="alert" className="notice error">
          {state.error}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
