"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

/** "Revoke" for one API token: it stops at once, on every instance. */
export function RevokeTokenButton({
  tokenId,
  tokenName,
  revoke,
}: {
  tokenId: string;
  tokenName: string;
  revoke: (input: { tokenId: string }) => Promise<{ ok: boolean; error?: { code: string; message?: string } }>;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="row">
      <button
        type="button"
        className="danger"
        disabled={busy}
        aria-label={`Revoke token ${tokenName}`}
        onClick={() => {
          if (!window.confirm(`Revoke the token "${tokenName}"? Scripts using it stop working at once.`)) return;
          setBusy(true);
          setError(null);
          revoke({ tokenId })
            .then((result) => {
              if (!result.ok) setError(result.error?.message ?? "Could not revoke it. Try again.");
              router.refresh();
            })
            .catch(() => setError("The server could not be reached. Try again."))
            .finally(() => setBusy(false));
        }}
      >
        {busy ? "Revoking…" : "Revoke"}
      </button>
      {error ? (
        <span role="alert" className="field-error">
          {error}
        </span>
      ) : null}
    </span>
  );
}
