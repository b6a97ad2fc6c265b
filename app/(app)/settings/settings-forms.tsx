"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { OutcomeMessage, useSubmit } from "@/app/_lib/use-submit";
import { CopyLink } from "@/app/(app)/admin/users/copy-link";
import { Field, NewPasswordField } from "@/components/form-field";
import type { TokenScope } from "@/db/schema";
import { changeMyPasswordAction, createTokenAction, signOutEverywhereAction, updateMyNameAction } from "./actions";

export function NameForm({ initialName }: { initialName: string }) {
  const router = useRouter();
  const [name, setName] = useState(initialName);
  const [password, setPassword] = useState("");
  const { busy, outcome, submit } = useSubmit();
  return (
    <form
      className="stack"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void submit(
          () => updateMyNameAction({ name, currentPassword: password }),
          () => "Your name is saved.",
        ).then((result) => {
          if (result?.ok) {
            setPassword("");
            router.refresh();
          }
        });
      }}
    >
      <div className="form-grid">
        <Field
          id="my-name"
          label="Name"
          type="text"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={100}
        />
        <Field
          id="name-current-password"
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Saving…" : "Save name"}
        </button>
      </div>
      <OutcomeMessage outcome={outcome} />
    </form>
  );
}

export function PasswordForm() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const { busy, outcome, submit } = useSubmit();
  const mismatch = again !== "" && again !== next;
  return (
    <form
      className="stack"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        if (mismatch) return;
        void submit(
          () => changeMyPasswordAction({ currentPassword: current, password: next }),
          () => "Your password is changed. Your other sessions have been signed out.",
        ).then((result) => {
          if (result?.ok) {
            setCurrent("");
            setNext("");
            setAgain("");
          }
        });
      }}
    >
      <div className="form-grid">
        <Field
          id="current-password"
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          required
        />
        <NewPasswordField
          id="new-password"
          label="New password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
        <Field
          id="new-password-again"
          label="New password again"
          type="password"
          autoComplete="new-password"
          value={again}
          onChange={(e) => setAgain(e.target.value)}
          required
          aria-invalid={mismatch}
          after={mismatch ? <span className="field-error">The two new passwords differ.</span> : null}
        />
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={busy || mismatch}>
          {busy ? "Changing…" : "Change password"}
        </button>
      </div>
      <OutcomeMessage outcome={outcome} />
    </form>
  );
}

export function SignOutEverywhereButton() {
  const { busy, outcome, submit } = useSubmit();
  return (
    <div className="stack" style={{ gap: "0.4rem" }}>
      <div className="row">
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() => {
            if (!window.confirm("Sign out on every device, this one included? Your API tokens keep working.")) return;
            void submit(
              () => signOutEverywhereAction({}),
              () => "Signed out everywhere.",
            ).then((result) => {
              if (result?.ok) window.location.assign("/login");
            });
          }}
        >
          Sign out everywhere
        </button>
      </div>
      <OutcomeMessage outcome={outcome} />
    </div>
  );
}

export function CreateTokenForm() {
  const router = useRouter();
  const [name, setName] = useState("");
  const [scope, setScope] = useState<TokenScope>("read");
  const [days, setDays] = useState("90");
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const { busy, outcome, submit } = useSubmit();
  return (
    <div className="stack">
      <form
        className="row"
        style={{ alignItems: "flex-end" }}
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          setCreated(null);
          void submit(
            () => createTokenAction({ name, scope, expiresInDays: days === "" ? null : Number(days) }),
            () => "Token created.",
          ).then((result) => {
            if (result?.ok && "created" in result) {
              setCreated({ name: result.created.name, token: result.created.token });
              setName("");
              router.refresh();
            }
          });
        }}
      >
        <Field
          id="token-name"
          label="Token name"
          type="text"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={100}
        />
        <div className="field">
          <label htmlFor="token-scope">Scope</label>
          <select id="token-scope" value={scope} onChange={(e) => setScope(e.target.value as TokenScope)}>
            <option value="read">read (look only)</option>
            <option value="write">write (as you)</option>
          </select>
        </div>
        <Field
          id="token-days"
          label="Expires after (days; empty: never)"
          type="number"
          min={1}
          max={3650}
          step={1}
          value={days}
          onChange={(e) => setDays(e.target.value)}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Creating…" : "Create token"}
        </button>
      </form>
      <OutcomeMessage outcome={outcome} />
      {created ? (
        <CopyLink
          label={`Your new token "${created.name}": copy it now, it is not shown again`}
          url={created.token}
          hint="Send it as Authorization: Bearer <token>."
          copyLabel="Copy token"
        />
      ) : null}
    </div>
  );
}
