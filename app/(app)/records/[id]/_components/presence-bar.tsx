"use client";

import { RelativeTime } from "@/components/relative-time";
import type { PresentUser } from "@/lib/presence";

function initials(name: string): string {
  const letters = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]?.toUpperCase() ?? "");
  return letters.join("") || "?";
}

/**
 * Who else has this record open right now, and who of them has unsaved edits: someone
 * about to change a field can see a clash coming before anyone saves. Nothing when alone.
 */
export function PresenceBar({ users, me }: { users: PresentUser[]; me: string }) {
  const others = users.filter((user) => user.id !== me);
  if (others.length === 0) return null;
  const editing = others.filter((user) => user.editing);
  return (
    // A polite live region, not role="status": the page's save status stays the one status.
    <section
      className="presence row small"
      aria-label="Who else has this record open"
      aria-live="polite"
      data-testid="presence"
    >
      <span className="muted">Also here:</span>
      <ul className="presence-list">
        {others.map((user) => (
          <li key={user.id} className={user.editing ? "editing" : undefined}>
            <span className="avatar" aria-hidden="true">
              {initials(user.name)}
            </span>
            <span>
              {user.name}
              {user.editing ? <strong className="presence-state"> · editing</strong> : null}
            </span>
            <span className="muted">
              {" "}
              (opened <RelativeTime iso={user.since} />)
            </span>
          </li>
        ))}
      </ul>
      {editing.length > 0 ? (
        <span className="muted">
          {editing.map((user) => user.name).join(" and ")} {editing.length === 1 ? "has" : "have"} unsaved changes here:
          if you both change the same field, whoever saves second chooses what to keep.
        </span>
      ) : null}
    </section>
  );
}
