"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { ACCESS_EVENT, type AccessChange } from "./use-record-events";

const TEXT = {
  deactivated:
    "An admin deactivated your account: you can no longer see or change records, and saving is off. Anything you had typed is still on this page and kept as a draft in this browser; copy it if you need it.",
  signed_out:
    "Your session has ended (signed out, expired, or a password reset), and saving is off. Sign in again; your edits are kept as a draft in this browser and offered back.",
} as const;

/**
 * Says why the record's live updates stopped when this person's access changed (guarantee 12):
 * deactivated, signed out, or a role lowered to viewer. Listens to the record's event stream
 * (components/use-record-events.ts), so it needs no stream of its own.
 */
export function AccessNotice() {
  const router = useRouter();
  const [change, setChange] = useState<AccessChange | null>(null);
  useEffect(() => {
    const onAccess = (event: Event) => {
      const detail = (event as CustomEvent<AccessChange>).detail;
      setChange(detail);
      // A new role: the page renders again with what it now allows (a viewer's form is
      // read-only); the form keeps its state, and its unsaved edits stay in the browser's draft.
      if (!detail.ended) router.refresh();
    };
    window.addEventListener(ACCESS_EVENT, onAccess);
    return () => window.removeEventListener(ACCESS_EVENT, onAccess);
  }, [router]);
  if (!change) return null;
  if (change.ended) {
    return (
      <div className="notice error" role="alert" data-testid="access-notice">
        <strong>{change.reason === "deactivated" ? "Your account was deactivated." : "You are signed out."}</strong>{" "}
        {TEXT[change.reason]}
      </div>
    );
  }
  if (change.role !== "viewer") return null;
  return (
    <div className="notice warn" role="alert" data-testid="access-notice">
      <strong>Your role is now viewer.</strong> You can no longer save changes: the form is read-only, and anything you
      had typed is kept as a draft in this browser, offered back when you can edit again.
    </div>
  );
}
