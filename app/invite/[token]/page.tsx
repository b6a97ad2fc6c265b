import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { findInviteLink } from "@/lib/users/people";
import { InviteForm } from "./invite-form";

export const metadata: Metadata = { title: "Set your password" };
export const dynamic = "force-dynamic";

/** An invite or reset link: set a password, and be signed in. A used or expired link says so. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const link = await findInviteLink(await getDb(), token);
  return (
    <main className="login">
      <div className="panel stack">
        {link ? (
          <>
            <div>
              <h1>{link.kind === "invite" ? "Welcome to Tandem" : "Choose a new password"}</h1>
              <p className="muted small">
                {link.kind === "invite"
                  ? `You were invited as ${link.email}. Choose a password to sign in.`
                  : `A password reset for ${link.email}.`}
              </p>
            </div>
            <InviteForm token={token} name={link.name} />
          </>
        ) : (
          <div className="stack">
            <h1>This link no longer works</h1>
            <p role="alert">
              It is unknown, already used or expired (links work once, for 7 days). Ask an admin for a new one.
            </p>
            <p>
              <Link href="/login">Go to sign-in</Link>
            </p>
          </div>
        )}
      </div>
    </main>
  );
}
