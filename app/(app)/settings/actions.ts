"use server";

import { revalidatePath } from "next/cache";
import { cookies, headers } from "next/headers";
import { z } from "zod";
import { action } from "@/app/_lib/action";
import { sessionCookie } from "@/app/_lib/session-cookie";
import { nameSchema, passwordSchema } from "@/app/api/_lib/people";
import { TOKEN_SCOPES } from "@/db/schema";
import { createApiToken, revokeApiToken, TOKEN_MAX_DAYS } from "@/lib/auth/api-tokens";
import { SESSION_COOKIE } from "@/lib/auth/sessions";
import { signOutEverywhere } from "@/lib/auth/sign-out";
import { updateMe } from "@/lib/users/people";

const currentPassword = z.string().min(1, { error: "Give your current password" }).max(1000);

async function currentToken(): Promise<string | undefined> {
  return (await cookies()).get(SESSION_COOKIE)?.value;
}

export const updateMyNameAction = action(
  { role: "viewer", input: z.strictObject({ name: nameSchema, currentPassword }), name: "updateMyName" },
  async ({ db, actor }, input) => {
    const result = await updateMe(db, actor, input);
    revalidatePath("/", "layout");
    return result;
  },
);

export const changeMyPasswordAction = action(
  { role: "viewer", input: z.strictObject({ password: passwordSchema, currentPassword }), name: "changeMyPassword" },
  async ({ db, actor }, input) => {
    const result = await updateMe(db, actor, { ...input, currentToken: await currentToken() });
    if (!result.ok) return result;
    revalidatePath("/settings");
    return { ok: true as const };
  },
);

/** Ends every session of mine, this one included (the page then goes to sign-in). API tokens stay. */
export const signOutEverywhereAction = action(
  { role: "viewer", input: z.strictObject({}), name: "signOutEverywhere" },
  async ({ db, actor }) => {
    await signOutEverywhere(db, actor.id);
    const requestHeaders = await headers();
    (await cookies()).set(sessionCookie(null, { headers: requestHeaders }));
    return { ok: true as const };
  },
);

export const createTokenAction = action(
  {
    role: "viewer",
    input: z.strictObject({
      name: nameSchema,
      scope: z.enum(TOKEN_SCOPES),
      expiresInDays: z.number().int().min(1).max(TOKEN_MAX_DAYS).nullable(),
    }),
    name: "createToken",
  },
  async ({ db, actor }, input) => {
    const created = await createApiToken(db, actor, input);
    revalidatePath("/settings");
    return { ok: true as const, created };
  },
);

export const revokeMyTokenAction = action(
  { role: "viewer", input: z.strictObject({ tokenId: z.uuid() }), name: "revokeMyToken" },
  async ({ db, actor }, input) => {
    const result = await revokeApiToken(db, actor, input.tokenId);
    revalidatePath("/settings");
    return result;
  },
);
