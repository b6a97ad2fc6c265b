import "server-only";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { revisions } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { err } from "@/lib/result";
import { saveRecord } from "./save-record";
import type { SaveResult } from "./write-outcome";

export type RevertRecordInput = {
  recordId: string;
  /** The version whose values come back. */
  version: number;
  /** The version the person is looking at (If-Match): the compare-and-set is against it. */
  baseVersion: number;
  saveId?: string | null;
};

/**
 * "Restore this version": a checked write (guarantee 10), never a blind one. The new version
 * holds exactly that old version's values, with action `revert` naming it (`reverted_from`). It
 * is saveRecord's own compare-and-set against the version the person saw, so if the record moved
 * since, the answer is the same conflict as any stale save (current record + changes since), and
 * the UI opens the three-way dialog with the old values as "mine". An unknown version is
 * `not_found`. The people whose values it replaced are told (lib/notifications.ts).
 */
export async function revertRecord(db: DbOrTx, actor: Actor, input: RevertRecordInput): Promise<SaveResult> {
  const [old] = await db
    .select({ snapshot: revisions.snapshot })
    .from(revisions)
    .where(and(eq(revisions.recordId, input.recordId), eq(revisions.version, input.version)));
  if (!old) return err({ code: "not_found" });
  return saveRecord(db, actor, {
    recordId: input.recordId,
    baseVersion: input.baseVersion,
    values: old.snapshot,
    action: "revert",
    revertedFrom: input.version,
    saveId: input.saveId ?? null,
  });
}
