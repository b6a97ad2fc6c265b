import "server-only";
import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import { PRESENCE_TTL_SECONDS } from "@/lib/presence";

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
