import type { Metadata } from "next";
import { requirePageActor } from "@/app/_lib/session";
import { hasRole } from "@/lib/auth/actor";
import { listNotifications } from "@/lib/notifications";
import { NotificationsList } from "./notifications-list";

export const metadata: Metadata = { title: "Notifications" };

/** What happened to my work: overwritten values (with "Restore mine"), lease take-overs, restores, mentions. */
export default async function NotificationsPage() {
  const { db, actor } = await requirePageActor();
  const initial = await listNotifications(db, actor.id, { limit: 100 });
  return (
    <div className="stack">
      <h1>Notifications</h1>
      <NotificationsList initial={initial} canEdit={hasRole(actor, "editor")} />
    </div>
  );
}
