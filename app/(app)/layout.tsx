import Link from "next/link";
import type { ReactNode } from "react";
import { requirePageActor } from "@/app/_lib/session";
import { logoutAction } from "@/app/login/actions";
import { hasRole } from "@/lib/auth/actor";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const { actor } = await requirePageActor();
  return (
    <>
      <header className="topbar">
        <Link href="/" className="brand">
          Tandem
        </Link>
        <nav aria-label="Main">
          <Link href="/">Collections</Link>
          {hasRole(actor, "admin") ? <Link href="/admin/collections">Collections setup</Link> : null}
          {hasRole(actor, "admin") ? <Link href="/admin">Admin</Link> : null}
        </nav>
        <div className="whoami">
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
