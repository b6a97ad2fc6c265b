"use server";

import { z } from "zod";
import { action } from "@/app/_lib/action";
import { findCollection } from "@/lib/collections";
import { setListPreferences } from "@/lib/views/preferences";
import { findView } from "@/lib/views/views";

/** My default view of a collection (null: all records). */
export const setDefaultViewAction = action(
  {
    role: "viewer",
    name: "setDefaultView",
    input: z.object({ slug: z.string().max(100), viewId: z.uuid().nullable() }),
  },
  async ({ db, actor }, input) => {
    const collection = await findCollection(db, input.slug);
    if (!collection)
      return { ok: false as const, error: { code: "not_found" as const, message: "No such collection." } };
    if (input.viewId && !(await findView(db, actor, input.viewId))) {
      return { ok: false as const, error: { code: "not_found" as const, message: "No such view." } };
    }
    await setListPreferences(db, actor.id, collection.id, { defaultViewId: input.viewId });
    return { ok: true as const };
  },
);

/** My columns of a collection: which, in what order, how wide (null: the collection's listed fields). */
export const setColumnsAction = action(
  {
    role: "viewer",
    name: "setColumns",
    input: z.object({
      slug: z.string().max(100),
      columns: z
        .array(z.object({ key: z.string().max(64), width: z.number().int().min(60).max(800).optional() }))
        .max(100)
        .nullable(),
    }),
  },
  async ({ db, actor }, input) => {
    const collection = await findCollection(db, input.slug);
    if (!collection)
      return { ok: false as const, error: { code: "not_found" as const, message: "No such collection." } };
    await setListPreferences(db, actor.id, collection.id, { columns: input.columns });
    return { ok: true as const };
  },
);
