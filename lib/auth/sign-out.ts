import "server-only";
import type { DbOrTx } from "@/db/client";
import { notifyAccessChanged } from "./access";
import { deleteSession, deleteSessionsOf } from "./sessions";

/** Ends one session; the streams it had open close on every instance. */
export async function signOut(db: DbOrTx, token: string): Promise<void> {
  await db.transaction(async (tx) => {
    const ended = await deleteSession(tx, token);
    if (ended) await notifyAccessChanged(tx, ended.userId);
  });
}

/** "Sign out everywhere": every session of the person ends; their API tokens stay. */
export async function signOutEverywhere(db: DbOrTx, userId: string): Promise<number> {
  return db.transaction(async (tx) => {
    const count = await deleteSessionsOf(tx, userId);
    await notifyAccessChanged(tx, userId);
    return count;
  });
}
