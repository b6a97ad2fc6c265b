"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { failureMessage } from "@/app/_lib/failure-message";
import { OutcomeMessage, useSubmit } from "@/app/_lib/use-submit";
import type { Role } from "@/db/schema";
import type { UserView } from "@/lib/users/user-view";
import { createResetLinkAction, updateUserAction } from "./actions";
import { CopyLink } from "./copy-link";

/**
 * One person's row controls: change role, deactivate or reactivate, create a reset link. Each
 * change is sent with the version this page showed; a stale one is refused (and said so).
 */
export function UserControls({ user, isMe }: { user: UserView; isMe: boolean }) {
  const router = useRouter();
  const [role, setRole] = useState<Role>(user.role);
  const { busy, outcome, submit } = useSubmit();
  const [resetUrl, setResetUrl] = useState<string | null>(null);

  // Refreshed after any answer, refusals too: a stale version shows the current values.
  async function run(what: () => Promise<{ ok: boolean; error?: Parameters<typeof failureMessage>[0] }>, done: string) {
    if (await submit(what, () => done)) router.refresh();
  }

  const update = (patch: { role?: Role; active?: boolean }, done: string) =>
    run(() => updateUserAction({ userId: user.id, version: user.version, patch }), done);

  return (
    <div className="stack" style={{ gap: "0.4rem" }}>
      <div className="row">
        <label htmlFor={`role-${user.id}`} className="small">
          Role of {user.name}
        </label>
        <select id={`role-${user.id}`} value={role} onChange={(e) => setRole(e.target.value as Role)} disabled={busy}>
          <option value="viewer">viewer</option>
          <option value="editor">editor</option>
          <option value="admin">admin</option>
        </select>
        <button
          type="button"
          disabled={busy || role === user.role}
          onClick={() => void update({ role }, `${user.name} is now ${role === "admin" ? "an" : "a"} ${role}.`)}
        >
          Change role
        </button>
        {user.active ? (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => {
              const sure = window.confirm(
                isMe
                  ? "Deactivate yourself? You will be signed out everywhere."
                  : `Deactivate ${user.name}? They are signed out everywhere at once, their API tokens stop and their edit locks are released.`,
              );
              if (sure) void update({ active: false }, `${user.name} is deactivated.`);
            }}
          >
            Deactivate
          </button>
        ) : (
          <button
            type="button"
            disabled={busy}
            onClick={() => void update({ active: true }, `${user.name} is active again.`)}
          >
            Reactivate
          </button>
        )}
        <button
          type="button"
          disabled={busy || !user.active}
          onClick={() =>
            void run(async () => {
              const result = await createResetLinkAction({ userId: user.id });
              if (result.ok) setResetUrl(result.resetUrl);
              return result;
            }, `${user.name}'s sessions have ended; send them the reset link.`)
          }
        >
          Create reset link
        </button>
      </div>
      <OutcomeMessage outcome={outcome} />
      {resetUrl ? <CopyLink label={`Reset link for ${user.name} (valid 7 days, works once)`} url={resetUrl} /> : null}
    </div>
  );
}
