import type { Role } from "@/db/schema";
import type { EntityRevisionView } from "@/lib/entity-revisions";

/** A person as the domain and the pages see them. */
export type UserView = {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  version: number;
  createdAt: string;
  lastSeenAt: string | null;
  /** Invited and has not set a password yet: cannot sign in, and is not counted as an admin. */
  invited: boolean;
};

export type UserRevisionView = EntityRevisionView;

/** A person as the API shows them, exactly the contract's keys (DESIGN.md "People and tokens"). */
export type PublicUser = Omit<UserView, "invited">;

export function publicUser(user: UserView): PublicUser {
  const { invited: _invited, ...shown } = user;
  return shown;
}
