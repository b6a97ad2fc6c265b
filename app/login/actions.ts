"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { sessionCookie } from "@/app/_lib/session-cookie";
import { getDb } from "@/db/client";
import { clientAddress } from "@/lib/auth/client-address";
import { login } from "@/lib/auth/login";
import { SESSION_COOKIE } from "@/lib/auth/sessions";
import { signOut } from "@/lib/auth/sign-out";
import { isDatabaseUnavailable } from "@/lib/database-errors";
import { safeNext } from "./safe-next";

export type LoginState = { error?: string; email?: string };

const credentials = z.object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(1000) });

/** Sign-in is where authentication starts, so it is the one action without `authorize`. */
export async function loginAction(_state: LoginState, form: FormData): Promise<LoginState> {
  const parsed = credentials.safeParse({ email: form.get("email"), password: form.get("password") });
  const email = typeof form.get("email") === "string" ? String(form.get("email")) : "";
  if (!parsed.success) return { error: "Enter your email and password.", email };
  const requestHeaders = await headers();
  let result: Awaited<ReturnType<typeof login>>;
  try {
    result = await login(await getDb(), {
      ...parsed.data,
      clientAddress: clientAddress(requestHeaders),
      userAgent: requestHeaders.get("user-agent"),
    });
  } catch (error) {
    if (!isDatabaseUnavailable(error)) console.error("[action] login failed:", error);
    return { error: "Signing in is not possible right now. Try again in a moment.", email };
  }
  if (!result.ok) {
    return {
      error:
        result.error.code === "rate_limited"
          ? `Too many failed attempts. Try again in ${Math.ceil(result.error.retryAfterSeconds / 60)} minutes.`
          : "Wrong email or password.",
      email,
    };
  }
  (await cookies()).set(sessionCookie(result.token, { headers: requestHeaders }));
  redirect(safeNext(form.get("next")));
}

export async function logoutAction(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  if (token) await signOut(await getDb(), token).catch(() => {});
  const requestHeaders = await headers();
  jar.set(sessionCookie(null, { headers: requestHeaders }));
  redirect("/login");
}
