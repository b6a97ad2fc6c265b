import type { Metadata } from "next";
import Link from "next/link";
import { requirePageActor } from "@/app/_lib/session";
import { AdminOnly } from "@/components/admin-only";
import { RelativeTime } from "@/components/relative-time";
import { TokenTable } from "@/components/token-table";
import { hasRole } from "@/lib/auth/actor";
import { listApiTokens } from "@/lib/auth/api-tokens";
import { listUsers } from "@/lib/users/people";
import { revokeAnyTokenAction } from "./actions";
import { InviteForm } from "./invite-form";
import { UserControls } from "./user-controls";

export const metadata: Metadata = { title: "People" };

/** People (role, active, last seen) and what an admin does with them; everyone's API tokens. */
export default async function PeoplePage() {
  const { db, actor } = await requirePageActor();
  if (!hasRole(actor, "admin")) {
    return <AdminOnly title="People" actor={actor} />;
  }
  const [users, tokens] = await Promise.all([listUsers(db), listApiTokens(db, { userId: null })]);
  return (
    <div className="stack">
      <h1>People</h1>
      <section aria-labelledby="invite-title" className="panel stack">
        <h2 id="invite-title" style={{ margin: 0 }}>
          Invite a person
        </h2>
        <InviteForm />
      </section>

      <section aria-labelledby="people-title" className="stack">
        <h2 id="people-title" style={{ margin: 0 }}>
          Everyone ({users.length})
        </h2>
        <div className="table-wrap">
          <table className="records" aria-labelledby="people-title">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Last seen</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id} data-testid={`person-${user.email}`}>
                  <td>
                    {user.name}
                    {user.id === actor.id ? <span className="muted small"> (you)</span> : null}
                  </td>
                  <td>{user.email}</td>
                  <td>{user.role}</td>
                  <td>{!user.active ? <strong>deactivated</strong> : user.invited ? "invited" : "active"}</td>
                  <td>
                    {user.lastSeenAt ? <RelativeTime iso={user.lastSeenAt} /> : <span className="muted">never</span>}
                  </td>
                  <td>
                    <UserControls user={user} isMe={user.id === actor.id} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="all-tokens-title" className="stack">
        <h2 id="all-tokens-title" style={{ margin: 0 }}>
          API tokens of everyone
        </h2>
        {tokens.length === 0 ? (
          <p className="muted">
            Nobody has an API token. People make their own in <Link href="/settings">Settings</Link>.
          </p>
        ) : (
          <TokenTable tokens={tokens} showOwner revoke={revokeAnyTokenAction} labelledBy="all-tokens-title" />
        )}
      </section>
    </div>
  );
}
