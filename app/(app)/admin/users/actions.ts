"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { action } from "@/app/_lib/action";
import { emailSchema, nameSchema, roleSchema } from "@/app/api/_lib/people";
import { revokeApiToken } from "@/lib/auth/api-tokens";
import { env } from "@/lib/env";
import { createResetLink, inviteUser, updateUser } from "@/lib/users/people";

const userId = z.uuid();

/** The link as the admin copies it: on the app's public origin (APP_ORIGIN, else the browser's). */
async function linkFor(token: string): Promise<string> {
  const origin = env().APP_ORIGIN ?? (await headers()).get("origin") ?? "";
  return `${origin}/invite/${token}`;
}

export const inviteUserAction = action(
  {
    role: "admin",
    input: z.strictObject({ email: emailSchema, name: nameSchema, role: roleSchema }),
    name: "inviteUser",
  },
  async ({ db, actor }, input) => {
    const result = await inviteUser(db, actor, input);
    if (!result.ok) return result;
    revalidatePath("/admin/users");
    return { ok: true as const, user: result.user, inviteUrl: await linkFor(result.token) };
  },
);

/** A change of role or active flag, from the version the admin saw. */
export const updateUserAction = action(
  {
    role: "admin",
    input: z.strictObject({
      userId,
      version: z.number().int().min(1),
      patch: z.strictObject({
        role: roleSchema.optional(),
        active: z.boolean().optional(),
        name: nameSchema.optional(),
      }),
    }),
    name: "updateUser",
  },
  async ({ db, actor }, input) => {
    const result = await updateUser(db, actor, {
      userId: input.userId,
      baseVersion: input.version,
      patch: input.patch,
    });
    revalidatePath("/admin/users");
    return result;
  },
);

export const createResetLinkAction = action(
  { role: "admin", input: z.strictObject({ userId }), name: "createResetLink" },
  async ({ db, actor }, input) => {
    const result = await createResetLink(db, actor, input.userId);
    if (!result.ok) return result;
    return { ok: true as const, resetUrl: await linkFor(result.token) };
  },
);

export const revokeAnyTokenAction = action(
  { role: "admin", input: z.strictObject({ tokenId: z.uuid() }), name: "revokeAnyToken" },
  async ({ db, actor }, input) => {
    const result = await revokeApiToken(db, actor, input.tokenId);
    revalidatePath("/admin/users");
    return result;
  },
);
