import Link from "next/link";
import type { ReactNode } from "react";
import { requirePageActor } from "@/app/_lib/session";
import { logoutAction } from "@/app/login/actions";
import { NotificationBell } from "@/components/notification-bell";
import { hasRole } from "@/lib/auth/actor";
import { unreadCount } from "@/lib/notifications";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const { db, actor } = await requirePageActor();
  const unread = await unreadCount(db, actor.id);
  return (
    <>
      <header className="topbar">
        <Link href="/" className="brand">
          Tandem
        </Link>
        <nav aria-label="Main">
          <Link href="/">Collections</Link>
          {hasRole(actor, "admin") ? <Link href="/admin/users">People</Link> : null}
          <Link href="/activity">Activity</Link>
          {hasRole(actor, "admin") ? <Link href="/admin/collections">Collections setup</Link> : null}
          {hasRole(actor, "admin") ? <Link href="/admin">Admin</Link> : null}
          <Link href="/settings">Settings</Link>
        </nav>
        <div className="whoami">
          <NotificationBell initialUnread={unread} />
          <span data-testid="current-user">{actor.name}</span>
          <span className="role-badge">{actor.role}</span>
          <form action={logoutAction}>
            <button type="submit">Sign out</button>
          </form>
        </div>
      </header>
      <main>{children}</main>
    </>
  );
}
