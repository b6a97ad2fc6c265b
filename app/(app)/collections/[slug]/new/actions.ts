"use server";

import { z } from "zod";
import { action, saveIdSchema } from "@/app/_lib/action";
import { recordInputSchema } from "@/lib/fields";
import { createRecord } from "@/lib/records/create-record";

const createInput = z.object({
  collectionSlug: z.string().max(100),
  values: recordInputSchema,
  saveId: saveIdSchema,
});

export const createRecordAction = action(
  { role: "editor", input: createInput, name: "createRecord" },
  async ({ db, actor }, input) => {
    const result = await createRecord(db, actor, input);
    return result.ok ? { ok: true as const, record: result.record } : result;
  },
);
