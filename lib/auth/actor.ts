import type { Role } from "@/db/schema";

/** The signed-in person a request acts for. */
export type Actor = { id: string; name: string; email: string; role: Role };

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** Viewers read, editors also write, admins also manage. */
export function hasRole(actor: Pick<Actor, "role">, needed: Role): boolean {
  return RANK[actor.role] >= RANK[needed];
}
