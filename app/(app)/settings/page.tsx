import type { Metadata } from "next";
import { cookies } from "next/headers";
import { requirePageActor } from "@/app/_lib/session";
import { ListTable, PageSection } from "@/components/page-section";
import { RelativeTime } from "@/components/relative-time";
import { TokenTable } from "@/components/token-table";
import { listApiTokens } from "@/lib/auth/api-tokens";
import { listSessions, SESSION_COOKIE } from "@/lib/auth/sessions";
import { revokeMyTokenAction } from "./actions";
import { CreateTokenForm, NameForm, PasswordForm, SignOutEverywhereButton } from "./settings-forms";

export const metadata: Metadata = { title: "Settings" };

/** A short description of a browser from its User-Agent: enough to recognise a device. */
function deviceName(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Chrom(e|ium)\//.test(userAgent)
      ? "Chrome"
      : /Firefox\//.test(userAgent)
        ? "Firefox"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : /curl|node|python|undici/i.test(userAgent)
            ? "Script"
            : "Browser";
  const system = /Windows/.test(userAgent)
    ? "Windows"
    : /Android/.test(userAgent)
      ? "Android"
      : /iPhone|iPad/.test(userAgent)
        ? "iOS"
        : /Mac OS X/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  return system ? `${browser} on ${system}` : browser;
}

/** My name, password, sessions and API tokens. */
export default async function SettingsPage() {
  const { db, actor } = await requirePageActor();
  const token = (await cookies()).get(SESSION_COOKIE)?.value ?? null;
  const [sessions, tokens] = await Promise.all([
    listSessions(db, actor.id, token),
    listApiTokens(db, { userId: actor.id }),
  ]);
  return (
    <div className="stack">
      <h1>Settings</h1>
      <p className="muted">
        {actor.email} · {actor.role}
      </p>

      <PageSection id="name-title" title="My name" panel>
        <NameForm initialName={actor.name} />
      </PageSection>

      <PageSection id="password-title" title="My password" panel>
        <PasswordForm />
      </PageSection>

      <PageSection id="sessions-title" title="My sessions">
        <ListTable labelledBy="sessions-title" columns={["Device", "Signed in", "Last seen"]}>
          {sessions.map((session) => (
            <tr key={session.id}>
              <td title={session.userAgent ?? undefined}>
                {deviceName(session.userAgent)}
                {session.current ? <span className="muted small"> (this one)</span> : null}
              </td>
              <td>
                <RelativeTime iso={session.createdAt} />
              </td>
              <td>
                <RelativeTime iso={session.lastSeenAt} />
              </td>
            </tr>
          ))}
        </ListTable>
        <SignOutEverywhereButton />
      </PageSection>

      <PageSection id="tokens-title" title="My API tokens">
        <p className="small muted">
          For scripts: send <code>Authorization: Bearer tdm_…</code>. A read token can only look; a write token acts as
          you. Signing out everywhere does not stop tokens: revoke them here.
        </p>
        <CreateTokenForm />
        {tokens.length === 0 ? (
          <p className="muted">You have no API tokens.</p>
        ) : (
          <TokenTable tokens={tokens} showOwner={false} revoke={revokeMyTokenAction} labelledBy="tokens-title" />
        )}
      </PageSection>
    </div>
  );
}
