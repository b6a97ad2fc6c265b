"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { mutateAction } from "@/components/call-action";
import { breakLeaseAction } from "./actions";

/** Read by screen readers (the input's full label), not shown in the crowded table row. */
const VISUALLY_HIDDEN = {
  position: "absolute",
  width: 1,
  height: 1,
  overflow: "hidden",
  clipPath: "inset(50%)",
  whiteSpace: "nowrap",
} as const;

/** "Break lease" with the reason it is recorded with. */
export function BreakLeaseForm({
  recordId,
  recordTitle,
  holderName,
}: {
  recordId: string;
  recordTitle: string;
  holderName: string;
}) {
  const router = useRouter();
  const reasonId = useId();
  const [reason, setReason] = useState("");
  const breakLease = useMutation({
    mutationFn: (input: { recordId: string; reason: string }) => mutateAction(breakLeaseAction, input),
    onSuccess: () => {
      setReason("");
      router.refresh();
    },
  });
  const busy = breakLease.isPending;
  const error = breakLease.error?.message ?? null;

  function submit(event: FormEvent) {
    event.preventDefault();
    breakLease.mutate({ recordId, reason });
  }

  return (
    <form className="row" onSubmit={submit} style={{ flexWrap: "nowrap" }}>
      <label htmlFor={reasonId} className="small">
        Reason
        <span style={VISUALLY_HIDDEN}>
          {" "}
          for breaking {holderName}&apos;s lease on {recordTitle}
        </span>
      </label>
      <input
        id={reasonId}
        type="text"
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        required
        maxLength={500}
        style={{ minWidth: "10rem" }}
      />
      <button type="submit" className="danger" disabled={busy || reason.trim() === ""}>
        {busy ? "Breaking…" : "Break lease"}
      </button>
      {error ? (
        <span role="alert" className="field-error">
          {error}
        </span>
      ) : null}
    </form>
  );
}
