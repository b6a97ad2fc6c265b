import type { ApiTokenView } from "@/lib/auth/api-tokens";
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
    <div className="table-wrap">
      <table className="records" aria-labelledby={labelledBy}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            {showOwner ? <th scope="col">Owner</th> : null}
            <th scope="col">Token</th>
            <th scope="col">Scope</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Revoke</th>
          </tr>
        </thead>
        <tbody>
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
              <td>
                {token.lastUsedAt ? <RelativeTime iso={token.lastUsedAt} /> : <span className="muted">never</span>}
              </td>
              <td>{token.expiresAt ? <RelativeTime iso={token.expiresAt} /> : <span className="muted">never</span>}</td>
              <td>
                <RevokeTokenButton tokenId={token.id} tokenName={token.name} revoke={revoke} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
