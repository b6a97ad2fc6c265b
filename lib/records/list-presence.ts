import "server-only";
import { and, asc, eq, gte, inArray, min, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { presence, records, users } from "@/db/schema";
import { PRESENCE_TTL_SECONDS, type PresentUser } from "@/lib/presence";
import { isoString } from "@/lib/records/record-view";

/** Someone in one of the record's tabs has unsaved edits. */
const anyEditing = sql<boolean>`bool_or(${presence.editing})`.mapWith(Boolean);
/** Presence rows still pinged (a tab that closed without saying so drops out). */
const live = gte(presence.seenAt, sql`now() - make_interval(secs => ${PRESENCE_TTL_SECONDS})`);

export type RowPresence = { id: string; name: string; editing: boolean };

/**
 * Who has each of a page's records open (from the record pages' presence rows), other than
 * `exceptUserId`: one query for the whole page, as of its load.
 */
export async function presenceOfRecords(
  db: DbOrTx,
  recordIds: string[],
  exceptUserId: string,
): Promise<Record<string, RowPresence[]>> {
  if (recordIds.length === 0) return {};
  const rows = await db
    .select({ recordId: presence.recordId, id: users.id, name: users.name, editing: anyEditing })
    .from(presence)
    .innerJoin(users, eq(users.id, presence.userId))
    .where(and(inArray(presence.recordId, recordIds), ne(presence.userId, exceptUserId), live))
    .groupBy(presence.recordId, users.id, users.name)
    .orderBy(asc(users.name));
  const out: Record<string, RowPresence[]> = {};
  for (const row of rows) {
    const list = out[row.recordId] ?? [];
    list.push({ id: row.id, name: row.name, editing: row.editing });
    out[row.recordId] = list;
  }
  return out;
}

/** The most records a list stream's opening presence covers (records someone has open right now). */
const COLLECTION_PRESENCE_LIMIT = 2_000;

/**
 * Who has each record of the collection open right now (records nobody has open are left
 * out): what a list stream sends when it opens, so a list catches up on presence that changed
 * between its page's load and its stream (or while its stream was reconnecting).
 */
export async function presenceOfCollection(db: DbOrTx, collectionId: string): Promise<Record<string, PresentUser[]>> {
  const since = min(presence.since);
  const rows = await db
    .select({ recordId: presence.recordId, id: users.id, name: users.name, since, editing: anyEditing })
    .from(presence)
    .innerJoin(records, eq(records.id, presence.recordId))
    .innerJoin(users, eq(users.id, presence.userId))
    .where(and(eq(records.collectionId, collectionId), live))
    .groupBy(presence.recordId, users.id, users.name)
    .orderBy(asc(presence.recordId), asc(since), asc(users.name))
    .limit(COLLECTION_PRESENCE_LIMIT);
  const out: Record<string, PresentUser[]> = {};
  for (const row of rows) {
    const list = out[row.recordId] ?? [];
    list.push({ id: row.id, name: row.name, since: isoString(row.since ?? new Date()), editing: row.editing });
    out[row.recordId] = list;
  }
  return out;
}
