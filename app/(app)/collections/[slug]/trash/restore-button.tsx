"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

/** Restores a deleted record: a checked write on the version it was deleted at. */
export function RestoreButton(props: { id: string; version: number; title: string }) {
  const router = useRouter();
  const [state, setState] = useState<"idle" | "busy" | "done" | { problem: string }>("idle");
  if (state === "done") {
    return (
      <span className="small" role="status">
        Restored · <Link href={`/records/${props.id}`}>Open</Link>
      </span>
    );
  }
  return (
    <span className="row">
      <button
        type="button"
        disabled={state === "busy"}
        aria-label={`Restore ${props.title}`}
        onClick={async () => {
          setState("busy");
          const response = await fetch(`/api/records/${props.id}/restore`, {
            method: "POST",
            headers: { "If-Match": `"${props.version}"` },
          });
          if (response.ok) {
            setState("done");
            router.refresh();
            return;
          }
          const body = (await response.json().catch(() => null)) as { message?: string } | null;
          setState({
            problem:
              response.status === 412 || response.status === 409
                ? "Someone restored or changed it meanwhile. Reload to see it."
                : (body?.message ?? "Could not restore it."),
          });
        }}
      >
        Restore
      </button>
      {typeof state === "object" ? (
        <span role="alert" className="small field-error">
          {state.problem}
        </span>
      ) : null}
    </span>
  );
}
