"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { failureMessage } from "@/app/_lib/failure-message";
import { CopyLink } from "@/app/(app)/admin/users/copy-link";
import type { TokenScope } from "@/db/schema";
import { changeMyPasswordAction, createTokenAction, signOutEverywhereAction, updateMyNameAction } from "./actions";

type Outcome = { kind: "ok" | "error"; text: string } | null;

function Message({ outcome }: { outcome: Outcome }) {
  if (!outcome) return null;
  return (
    <p
      role={outcome.kind === "error" ? "alert" : "status"}
      className={outcome.kind === "error" ? "field-error" : "small"}
    >
      {outcome.text}
    </p>
  );
}

/** Runs an action, showing its outcome; a refused one says why. */
function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  async function submit<R extends { ok: boolean; error?: Parameters<typeof failureMessage>[0] }>(
    run: () => Promise<R>,
    done: (result: R) => string,
  ): Promise<R | null> {
    setBusy(true);
    setOutcome(null);
    try {
      const result = await run();
      if (result.ok) setOutcome({ kind: "ok", text: done(result) });
      else if (result.error) setOutcome({ kind: "error", text: failureMessage(result.error) });
      return result;
    } catch {
      setOutcome({ kind: "error", text: "The server could not be reached. Try again." });
      return null;
    } finally {
      setBusy(false);
    }
  }
  return { busy, outcome, submit };
}

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
        <div className="field">
          <label htmlFor="my-name">Name</label>
          <input
            id="my-name"
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={100}
          />
        </div>
        <div className="field">
          <label htmlFor="name-current-password">Current password</label>
          <input
            id="name-current-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </div>
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Saving…" : "Save name"}
        </button>
      </div>
      <Message outcome={outcome} />
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
        <div className="field">
          <label htmlFor="current-password">Current password</label>
          <input
            id="current-password"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
          />
        </div>
        <div className="field">
          <label htmlFor="new-password">New password</label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
            minLength={10}
            maxLength={1000}
            aria-describedby="new-password-hint"
          />
          <span id="new-password-hint" className="small muted">
            At least 10 characters, and not a common password. A few unrelated words work well.
          </span>
        </div>
        <div className="field">
          <label htmlFor="new-password-again">New password again</label>
          <input
            id="new-password-again"
            type="password"
            autoComplete="new-password"
            value={again}
            onChange={(e) => setAgain(e.target.value)}
            required
            aria-invalid={mismatch}
          />
          {mismatch ? <span className="field-error">The two new passwords differ.</span> : null}
        </div>
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={busy || mismatch}>
          {busy ? "Changing…" : "Change password"}
        </button>
      </div>
      <Message outcome={outcome} />
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
      <Message outcome={outcome} />
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
        <div className="field">
          <label htmlFor="token-name">Token name</label>
          <input
            id="token-name"
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={100}
          />
        </div>
        <div className="field">
          <label htmlFor="token-scope">Scope</label>
          <select id="token-scope" value={scope} onChange={(e) => setScope(e.target.value as TokenScope)}>
            <option value="read">read (look only)</option>
            <option value="write">write (as you)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="token-days">Expires after (days; empty: never)</label>
          <input
            id="token-days"
            type="number"
            min={1}
            max={3650}
            step={1}
            value={days}
            onChange={(e) => setDays(e.target.value)}
          />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Creating…" : "Create token"}
        </button>
      </form>
      <Message outcome={outcome} />
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
