"use client";

import { useState } from "react";
import { failureMessage } from "./failure-message";

export type Outcome = { kind: "ok" | "error"; text: string } | null;

/** An action's outcome: an alert when refused, a status line when done. */
export function OutcomeMessage({ outcome }: { outcome: Outcome }) {
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

/** Runs an action, showing its outcome (`done` returning null: nothing on success); a refused one says why. */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  async function submit<R extends { ok: boolean; error?: Parameters<typeof failureMessage>[0] }>(
    run: () => Promise<R>,
    done: (result: R) => string | null,
  ): Promise<R | null> {
    setBusy(true);
    setOutcome(null);
    try {
      const result = await run();
      if (result.ok) {
        const text = done(result);
        if (text !== null) setOutcome({ kind: "ok", text });
      } else if (result.error) setOutcome({ kind: "error", text: failureMessage(result.error) });
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
