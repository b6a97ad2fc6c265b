import "server-only";
import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import {
  EVENT_COLUMNS,
  EVENT_JOINS,
  type EventRow,
  LEASE_COLUMNS,
  type LeaseRow,
  toEventView,
  toLeaseView,
} from "./lease-queries";
import type { LeaseEventView, LeaseView } from "./lease-view";

export type LeaseListItem = LeaseView & {
  record: { id: string; title: string; deleted: boolean };
  collection: { slug: string; name: string };
};

function titleOf(value: unknown, fallback: string): string {
  return typeof value === "string" && value.trim() !== "" ? value : fallback;
}

/** Every lease, expired ones too, oldest first: the admin page's table. */
export async function listLeases(db: DbOrTx): Promise<LeaseListItem[]> {
  const rows = await queryRows<
    LeaseRow & { title: unknown; deleted: boolean; collection_slug: string; collection_name: string }
  >(
    db,
    sql`select ${LEASE_COLUMNS}, r.data -> (c.fields -> 0 ->> 'key') as title, r.deleted_at is not null as deleted,
               c.slug as collection_slug, c.name as collection_name
          from leases l
          join users u on u.id = l.user_id
          join records r on r.id = l.record_id
          join collections c on c.id = r.collection_id
         order by l.acquired_at, l.record_id`,
  );
  return rows.map((row) => ({
    ...toLeaseView(row),
    record: { id: row.record_id, title: titleOf(row.title, "Untitled record"), deleted: row.deleted },
    collection: { slug: row.collection_slug, name: row.collection_name },
  }));
}

export type LeaseEventListItem = LeaseEventView & { recordTitle: string; collection: { slug: string; name: string } };

/** The latest take-overs and breaks, newest first. */
export async function listLeaseEvents(db: DbOrTx, options: { limit?: number } = {}): Promise<LeaseEventListItem[]> {
  const rows = await queryRows<EventRow & { title: unknown; collection_slug: string; collection_name: string }>(
    db,
    sql`select ${EVENT_COLUMNS}, r.data -> (c.fields -> 0 ->> 'key') as title,
               c.slug as collection_slug, c.name as collection_name
          from lease_events e ${EVENT_JOINS}
          join records r on r.id = e.record_id
          join collections c on c.id = r.collection_id
         order by e.at desc, e.id
         limit ${options.limit ?? 50}`,
  );
  return rows.map((row) => ({
    ...toEventView(row),
    recordTitle: titleOf(row.title, "Untitled record"),
    collection: { slug: row.collection_slug, name: row.collection_name },
  }));
}
