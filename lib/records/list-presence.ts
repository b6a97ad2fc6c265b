import "server-only";
import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import { PRESENCE_TTL_SECONDS, type PresentUser } from "@/lib/presence";
import { isoString } from "@/lib/records/record-view";

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
  const rows = await queryRows<{ record_id: string; id: string; name: string; editing: boolean }>(
    db,
    sql`select p.record_id, u.id, u.name, bool_or(p.editing) as editing
          from presence p join users u on u.id = p.user_id
         where p.record_id in (${sql.join(
           recordIds.map((id) => sql`${id}::uuid`),
           sql`, `,
         )})
           and p.user_id <> ${exceptUserId}
           and p.seen_at >= now() - make_interval(secs => ${PRESENCE_TTL_SECONDS})
         group by p.record_id, u.id, u.name
         order by u.name`,
  );
  const out: Record<string, RowPresence[]> = {};
  for (const row of rows) {
    const list = out[row.record_id] ?? [];
    list.push({ id: row.id, name: row.name, editing: row.editing });
    out[row.record_id] = list;
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
  const rows = await queryRows<{ record_id: string; id: string; name: string; since: string | Date; editing: boolean }>(
    db,
    sql`select p.record_id, u.id, u.name, min(p.since) as since, bool_or(p.editing) as editing
          from presence p
          join records r on r.id = p.record_id
          join users u on u.id = p.user_id
         where r.collection_id = ${collectionId}
           and p.seen_at >= now() - make_interval(secs => ${PRESENCE_TTL_SECONDS})
         group by p.record_id, u.id, u.name
         order by p.record_id, min(p.since), u.name
         limit ${COLLECTION_PRESENCE_LIMIT}`,
  );
  const out: Record<string, PresentUser[]> = {};
  for (const row of rows) {
    const list = out[row.record_id] ?? [];
    list.push({ id: row.id, name: row.name, since: isoString(row.since), editing: row.editing });
    out[row.record_id] = list;
  }
  return out;
}
