"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { sessionCookie } from "@/app/_lib/session-cookie";
import { getDb } from "@/db/client";
import { isDatabaseUnavailable } from "@/lib/database-errors";
import { acceptInvite } from "@/lib/users/people";

export type InviteState = { error?: string; gone?: boolean };

const input = z.object({
  token: z.string().max(200),
  password: z.string().max(1000),
  again: z.string().max(1000),
  name: z.string().trim().min(1).max(100),
});

/** Sets the password from an invite or reset link and signs in (the link is the credential). */
export async function acceptInviteAction(_state: InviteState, form: FormData): Promise<InviteState> {
  const parsed = input.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: "Fill in your name and the new password twice (at most 1000 characters)." };
  if (parsed.data.password !== parsed.data.again) return { error: "The two passwords differ." };
  const requestHeaders = await headers();
  let result: Awaited<ReturnType<typeof acceptInvite>>;
  try {
    result = await acceptInvite(await getDb(), {
      token: parsed.data.token,
      password: parsed.data.password,
      name: parsed.data.name,
      userAgent: requestHeaders.get("user-agent"),
    });
  } catch (error) {
    if (!isDatabaseUnavailable(error)) console.error("[action] acceptInvite failed:", error);
    return { error: "This is not possible right now. Try again in a moment." };
  }
  if (!result.ok) {
    return result.error.code === "not_found"
      ? { error: result.error.message, gone: true }
      : { error: Object.values(result.error.fields).join(" ") };
  }
  (await cookies()).set(sessionCookie(result.token, { headers: requestHeaders }));
  redirect("/");
}
