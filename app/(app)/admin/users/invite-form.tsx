"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { OutcomeMessage, useSubmit } from "@/app/_lib/use-submit";
import { Field } from "@/components/form-field";
import type { Role } from "@/db/schema";
import { inviteUserAction } from "./actions";
import { CopyLink } from "./copy-link";

/** "Invite person": email, name and role; shows the one-time link for the admin to send. */
export function InviteForm() {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [link, setLink] = useState<{ url: string; name: string } | null>(null);
  const { busy, outcome, submit } = useSubmit();

  function invite(event: FormEvent) {
    event.preventDefault();
    void submit(
      () => inviteUserAction({ email, name, role }),
      () => null,
    ).then((result) => {
      if (result?.ok && "inviteUrl" in result) {
        setLink({ url: result.inviteUrl, name: result.user.name });
        setEmail("");
        setName("");
        router.refresh();
      }
    });
  }

  return (
    <div className="stack">
      <form className="row" onSubmit={invite} style={{ alignItems: "flex-end" }}>
        <Field
          id="invite-email"
          label="Email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
          maxLength={254}
        />
        <Field
          id="invite-name"
          label="Name"
          type="text"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={100}
        />
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
      <OutcomeMessage outcome={outcome} />
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
