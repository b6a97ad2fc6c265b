"use client";

import { useId, useState } from "react";

/** A one-time link (or a new token) shown once, in a read-only field with a "Copy link" button. */
export function CopyLink({
  label,
  url,
  hint,
  copyLabel = "Copy link",
}: {
  label: string;
  url: string;
  hint?: string;
  copyLabel?: string;
}) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  return (
    <div className="notice ok stack" style={{ gap: "0.4rem" }}>
      <label htmlFor={id}>{label}</label>
      <div className="row" style={{ flexWrap: "nowrap" }}>
        <input
          id={id}
          type="text"
          readOnly
          value={url}
          data-testid="one-time-link"
          onFocus={(e) => e.target.select()}
          style={{ flex: 1 }}
        />
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(url).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? "Copied" : copyLabel}
        </button>
      </div>
      {hint ? <span className="small muted">{hint}</span> : null}
    </div>
  );
}
