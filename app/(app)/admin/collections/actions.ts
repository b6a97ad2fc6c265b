"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/app/_lib/action";
import { createCollectionSchema, updateCollectionSchema } from "@/lib/collections/schema-input";
import { createCollection, updateCollection } from "@/lib/collections/write-collection";

/** An admin creates a collection (its schema's revision 1). */
export const createCollectionAction = action(
  { role: "admin", input: createCollectionSchema, name: "createCollection" },
  async ({ db, actor }, input) => {
    const result = await createCollection(db, actor, input);
    if (result.ok) revalidatePath("/admin/collections");
    return result;
  },
);

/**
 * Saves the schema editor: a compare-and-set on the version the editor started from. Answers
 * `schema_conflict` (with the current schema and the revisions since) or `schema_impact` (unless
 * `acceptImpact`), as the API does.
 */
export const updateCollectionAction = action(
  {
    role: "admin",
    input: z.strictObject({
      slug: z.string().max(100),
      baseVersion: z.number().int().min(1).max(2_147_483_647),
      changes: updateCollectionSchema,
      acceptImpact: z.boolean().optional(),
    }),
    name: "updateCollection",
  },
  async ({ db, actor }, input) => {
    const result = await updateCollection(db, actor, {
      slug: input.slug,
      baseVersion: input.baseVersion,
      changes: input.changes,
      acceptImpact: input.acceptImpact ?? false,
    });
    if (result.ok) revalidatePath("/admin/collections");
    return result;
  },
);
