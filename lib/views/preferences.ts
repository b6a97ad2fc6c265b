import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { listPreferences } from "@/db/schema";

/** Per person and collection: the chosen columns (order, widths) and the default view. */
export type ListPreferences = {
  columns: { key: string; width?: number }[] | null;
  defaultViewId: string | null;
};

export async function getListPreferences(db: DbOrTx, userId: string, collectionId: string): Promise<ListPreferences> {
  const [row] = await db
    .select({ columns: listPreferences.columns, defaultViewId: listPreferences.defaultViewId })
    .from(listPreferences)
    .where(and(eq(listPreferences.userId, userId), eq(listPreferences.collectionId, collectionId)));
  return row ?? { columns: null, defaultViewId: null };
}

/** Sets the given preferences, leaving the others as they are. A person's own row: last write wins. */
export async function setListPreferences(
  db: DbOrTx,
  userId: string,
  collectionId: string,
  changes: Partial<ListPreferences>,
): Promise<void> {
  await db
    .insert(listPreferences)
    .values({
      userId,
      collectionId,
      columns: changes.columns ?? null,
      defaultViewId: changes.defaultViewId ?? null,
    })
    .onConflictDoUpdate({
      target: [listPreferences.userId, listPreferences.collectionId],
      set: {
        ...(changes.columns !== undefined ? { columns: changes.columns } : {}),
        ...(changes.defaultViewId !== undefined ? { defaultViewId: changes.defaultViewId } : {}),
        updatedAt: sql`now()`,
      },
    });
}
