"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { queryKeys } from "@/lib/query-keys";

/**
 * The header's bell: my unread notifications, live. The count comes from
 * `GET /api/notifications/events` (PostgreSQL NOTIFY, so a write through any app instance
 * arrives in a moment); EventSource reconnects by itself. Each change also refreshes an open
 * notifications list.
 */
export function NotificationBell({ initialUnread }: { initialUnread: number }) {
  const [unread, setUnread] = useState(initialUnread);
  const queryClient = useQueryClient();
  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource("/api/notifications/events");
    const onUnread = (event: MessageEvent<string>) => {
      try {
        const data = JSON.parse(event.data) as { unread?: unknown };
        if (typeof data.unread === "number") setUnread(data.unread);
      } catch {
        return;
      }
      void queryClient.invalidateQueries({ queryKey: queryKeys.notifications() });
    };
    source.addEventListener("unread", onUnread);
    return () => {
      source.removeEventListener("unread", onUnread);
      source.close();
    };
  }, [queryClient]);
  const label = unread === 0 ? "Notifications, none unread" : `Notifications, ${unread} unread`;
  return (
    <Link href="/notifications" className="bell" aria-label={label} title={label} data-testid="notification-bell">
      <svg
        aria-hidden="true"
        width="16"
        height="16"
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
      >
        <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" strokeLinecap="round" strokeLinejoin="round" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      {unread > 0 ? (
        <span className="bell-count" data-testid="unread-count">
          {unread > 99 ? "99+" : unread}
        </span>
      ) : null}
    </Link>
  );
}
