import "server-only";
import { eq, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { collections, type RecordData, recordCapacity, records } from "@/db/schema";
import { isConstraintViolation } from "@/lib/database-errors";
import { PG_INT_MAX } from "@/lib/pg-int";
import { capacityBelowTakenMessage } from "./seats";

/**
 * How record writes keep `record_capacity.capacity` mirroring the record's capacity field,
 * and how they report a capacity the CHECK refused.
 */

/** `capacityOf` in SQL, for statements that read the capacity from jsonb data. */
export function capacitySql(data: SQL, capacityField: SQL): SQL {
  return sql`(case when jsonb_typeof(${data} -> ${capacityField}) = 'number'
                then least(greatest(floor((${data} ->> ${capacityField})::numeric), 0), ${PG_INT_MAX})::int
                else 0 end)`;
}

/**
 * A CTE (to follow the `updated`-style CTE named by `source`, which returns the record's `id`)
 * that mirrors a changed capacity field into `record_capacity`. Being part of the record's own
 * compare-and-set statement matters twice over: the upsert takes the counter's row lock, so a
 * capacity edit waits for reservations in flight (and they for it), and the table's CHECK
 * refuses a capacity below the seats already taken, which fails the whole statement — record,
 * revision and counter together. Unchanged capacity: no row is touched, no lock is taken.
 */
export function capacityMirrorCte(input: {
  source: string;
  collectionId: string;
  previous: RecordData;
  next: RecordData;
}): SQL {
  if (!/^[a-z_]+$/.test(input.source)) throw new Error(`not a CTE name: ${input.source}`);
  const next = sql`${JSON.stringify(input.next)}::jsonb`;
  return sql`capacity_mirror as (
      insert into record_capacity (record_id, capacity)
      select s.id, ${capacitySql(next, sql`c.capacity_field`)}
        from ${sql.raw(input.source)} s
        join collections c on c.id = ${input.collectionId}
       where c.capacity_field is not null
         and (${next} -> c.capacity_field) is distinct from (${JSON.stringify(input.previous)}::jsonb -> c.capacity_field)
      on conflict (record_id) do update set capacity = excluded.capacity
    )`;
}

/** True when a write failed because it would have left fewer seats than are taken. */
export function isCapacityBelowTaken(error: unknown): boolean {
  return isConstraintViolation(error, "23514", "record_capacity_taken_within");
}

/**
 * The field error for a capacity edit the CHECK refused, or null for any other failure. Call it
 * outside a failed transaction: it reads the seats taken now.
 */
export async function capacityRefusal(
  db: DbOrTx,
  error: unknown,
  recordId: string,
): Promise<{ code: "invalid"; fields: Record<string, string> } | null> {
  if (!isCapacityBelowTaken(error)) return null;
  const [row] = await db
    .select({ capacityField: collections.capacityField, taken: recordCapacity.taken })
    .from(recordCapacity)
    .innerJoin(records, eq(records.id, recordCapacity.recordId))
    .innerJoin(collections, eq(collections.id, records.collectionId))
    .where(eq(recordCapacity.recordId, recordId));
  const taken = row?.taken ?? 0;
  return {
    code: "invalid",
    fields: { [row?.capacityField ?? "capacity"]: capacityBelowTakenMessage(taken) },
  };
}
