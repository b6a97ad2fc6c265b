"use server";

import { z } from "zod";
import { action } from "@/app/_lib/action";
import { selectMatching } from "@/lib/batches/select-matching";
import { findCollection } from "@/lib/collections";

const selectInput = z.strictObject({
  slug: z.string().max(100),
  q: z.string().max(200).optional(),
  filter: z.string().max(10_000).optional(),
  sort: z.string().max(64).optional(),
  dir: z.enum(["asc", "desc"]).optional(),
});

/** Every record matching the list's query, with its current version: "select all N matching". */
export const selectMatchingAction = action(
  { role: "editor", input: selectInput, name: "selectMatching" },
  async ({ db, actor }, input) => {
    const collection = await findCollection(db, input.slug);
    if (!collection)
      return { ok: false as const, error: { code: "not_found" as const, message: "No such collection." } };
    const result = await selectMatching(db, collection, input, actor.id);
    return result.ok ? { ok: true as const, items: result.items, truncated: result.truncated } : result;
  },
);
