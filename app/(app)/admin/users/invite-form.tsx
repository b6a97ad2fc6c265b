"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { failureMessage } from "@/app/_lib/failure-message";
import type { Role } from "@/db/schema";
import { inviteUserAction } from "./actions";
import { CopyLink } from "./copy-link";

/** "Invite person": email, name and role; shows the one-time link for the admin to send. */
export function InviteForm() {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<{ url: string; name: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await inviteUserAction({ email, name, role });
      if (!result.ok) {
        setError(failureMessage(result.error));
        return;
      }
      setLink({ url: result.inviteUrl, name: result.user.name });
      setEmail("");
      setName("");
      router.refresh();
    } catch {
      setError("The server could not be reached. Try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      <form className="row" onSubmit={(event) => void submit(event)} style={{ alignItems: "flex-end" }}>
        <div className="field">
          <label htmlFor="invite-email">Email</label>
          <input
            id="invite-email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            maxLength={254}
          />
        </div>
        <div className="field">
          <label htmlFor="invite-name">Name</label>
          <input
            id="invite-name"
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={100}
          />
        </div>
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="viewer">viewer</option>
            <option value="editor">editor</option>
            <option value="admin">admin</option>
          </select>
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Inviting…" : "Invite person"}
        </button>
      </form>
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
      {link ? (
        <CopyLink
          label={`Invitation link for ${link.name} (valid 7 days, works once)`}
          url={link.url}
          hint="There is no mail server: send this link to them yourself."
        />
      ) : null}
    </div>
  );
}
