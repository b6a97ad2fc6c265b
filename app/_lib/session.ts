import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { type Db, getDb } from "@/db/client";
import type { Role } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { type AuthResult, authorize } from "@/lib/auth/authorize";
import { SESSION_COOKIE } from "@/lib/auth/sessions";

/** The signed-in actor for pages and actions, checked through the one `authorize` helper. */
export async function authorizeFromCookies(
  needed: Role,
  options: { write?: boolean } = {},
): Promise<{ db: Db; auth: AuthResult }> {
  const db = await getDb();
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return { db, auth: await authorize(db, token, needed, options) };
}

/** For server-rendered pages: the actor, or a redirect to the sign-in page. One lookup per request. */
export const requirePageActor = cache(async (): Promise<{ db: Db; actor: Actor }> => {
  const { db, auth } = await authorizeFromCookies("viewer");
  if (!auth.ok) redirect("/login");
  return { db, actor: auth.actor };
});
