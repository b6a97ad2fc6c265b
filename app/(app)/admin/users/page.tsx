import type { Metadata } from "next";
import Link from "next/link";
import { requirePageActor } from "@/app/_lib/session";
import { AdminOnly } from "@/components/admin-only";
import { ListTable, PageSection } from "@/components/page-section";
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
      <PageSection id="invite-title" title="Invite a person" panel>
        <InviteForm />
      </PageSection>

      <PageSection id="people-title" title={`Everyone (${users.length})`}>
        <ListTable labelledBy="people-title" columns={["Name", "Email", "Role", "Status", "Last seen", "Change"]}>
          {users.map((user) => (
            <tr key={user.id} data-testid={`person-${user.email}`}>
              <td>
                {user.name}
                {user.id === actor.id ? <span className="muted small"> (you)</span> : null}
              </td>
              <td>{user.email}</td>
              <td>{user.role}</td>
              <td>{!user.active ? <strong>deactivated</strong> : user.invited ? "invited" : "active"}</td>
              <td>{user.lastSeenAt ? <RelativeTime iso={user.lastSeenAt} /> : <span className="muted">never</span>}</td>
              <td>
                <UserControls user={user} isMe={user.id === actor.id} />
              </td>
            </tr>
          ))}
        </ListTable>
      </PageSection>

      <PageSection id="all-tokens-title" title="API tokens of everyone">
        {tokens.length === 0 ? (
          <p className="muted">
            Nobody has an API token. People make their own in <Link href="/settings">Settings</Link>.
          </p>
        ) : (
          <TokenTable tokens={tokens} showOwner revoke={revokeAnyTokenAction} labelledBy="all-tokens-title" />
        )}
      </PageSection>
    </div>
  );
}
