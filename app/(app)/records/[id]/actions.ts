"use server";

import { z } from "zod";
import { action, saveIdSchema } from "@/app/_lib/action";
import { deleteRecord, saveRecord } from "@/lib/records/save-record";

const saveInput = z.object({
  recordId: z.string().max(100),
  baseVersion: z.number().int().min(0),
  values: z.record(z.string(), z.unknown()),
  action: z.enum(["update", "merge", "overwrite"]),
  saveId: saveIdSchema,
});

/** The form's save: the same domain function as the API's PATCH, with the full form values. */
export const saveRecordAction = action(
  { role: "editor", input: saveInput, name: "saveRecord" },
  async ({ db, actor }, input) => {
    const result = await saveRecord(db, actor, input);
    return result.ok ? { ok: true as const, record: result.record, replayed: result.replayed } : result;
  },
);

const deleteInput = z.object({
  recordId: z.string().max(100),
  baseVersion: z.number().int().min(0),
  saveId: saveIdSchema,
});

export const deleteRecordAction = action(
  { role: "editor", input: deleteInput, name: "deleteRecord" },
  async ({ db, actor }, input) => {
    const result = await deleteRecord(db, actor, input);
    return result.ok ? { ok: true as const, version: result.version } : result;
  },
);
