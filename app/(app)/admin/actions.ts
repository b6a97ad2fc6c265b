"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/app/_lib/action";
import { unknownId } from "@/app/_lib/known-ids";
import { releaseLease } from "@/lib/leases/release-lease";

/** Breaks someone's edit lease; the reason is recorded with who and when. */
export const breakLeaseAction = action(
  {
    role: "admin",
    input: z.object({
      recordId: z.string().max(100),
      reason: z.string().trim().min(1, { error: "Say why you break this lease" }).max(500),
    }),
    name: "breakLease",
  },
  async ({ db, actor }, input) => {
    const unknown = unknownId(input.recordId);
    if (unknown) return unknown;
    const result = await releaseLease(db, actor, input);
    if (!result.ok) return result;
    revalidatePath("/admin");
    return { ok: true as const, released: result.released };
  },
);
