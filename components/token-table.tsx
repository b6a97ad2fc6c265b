import type { ApiTokenView } from "@/lib/auth/api-tokens";
import { ListTable } from "./page-section";
import { RelativeTime } from "./relative-time";
import { RevokeTokenButton } from "./revoke-token-button";

/** API tokens as a table: never the token, only its prefix. `showOwner` for the admins' list of all. */
export function TokenTable({
  tokens,
  showOwner,
  revoke,
  labelledBy,
}: {
  tokens: ApiTokenView[];
  showOwner: boolean;
  revoke: (input: { tokenId: string }) => Promise<{ ok: boolean; error?: { code: string; message?: string } }>;
  labelledBy: string;
}) {
  return (
    <ListTable
      labelledBy={labelledBy}
      columns={["Name", ...(showOwner ? ["Owner"] : []), "Token", "Scope", "Created", "Last used", "Expires", "Revoke"]}
    >
      {tokens.map((token) => (
        <tr key={token.id}>
          <td>{token.name}</td>
          {showOwner ? <td>{token.user.name}</td> : null}
          <td>
            <code>{token.prefix}…</code>
          </td>
          <td>{token.scope}</td>
          <td>
            <RelativeTime iso={token.createdAt} />
          </td>
          <td>{token.lastUsedAt ? <RelativeTime iso={token.lastUsedAt} /> : <span className="muted">never</span>}</td>
          <td>{token.expiresAt ? <RelativeTime iso={token.expiresAt} /> : <span className="muted">never</span>}</td>
          <td>
            <RevokeTokenButton tokenId={token.id} tokenName={token.name} revoke={revoke} />
          </td>
        </tr>
      ))}
    </ListTable>
  );
}
