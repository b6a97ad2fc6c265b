import "server-only";
import { asc, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { collections, leaseEvents, leases, records, users } from "@/db/schema";
import { eventActor, eventColumns, leaseColumns, previousHolder, toEventView } from "./lease-queries";
import { type LeaseEventView, type LeaseView, leaseView } from "./lease-view";

export type LeaseListItem = LeaseView & {
  record: { id: string; title: string; deleted: boolean };
  collection: { slug: string; name: string };
};

function titleOf(value: unknown, fallback: string): string {
  return typeof value === "string" && value.trim() !== "" ? value : fallback;
}

/** The value of the record's collection's first field: the admin tables' title. */
const firstFieldValue = sql<unknown>`${records.data} -> (${collections.fields} -> 0 ->> 'key')`;

/** Every lease, expired ones too, oldest first: the admin page's table. */
export async function listLeases(db: DbOrTx): Promise<LeaseListItem[]> {
  const rows = await db
    .select({
      ...leaseColumns,
      title: firstFieldValue,
      deletedAt: records.deletedAt,
      collection: { slug: collections.slug, name: collections.name },
    })
    .from(leases)
    .innerJoin(users, eq(users.id, leases.userId))
    .innerJoin(records, eq(records.id, leases.recordId))
    .innerJoin(collections, eq(collections.id, records.collectionId))
    .orderBy(asc(leases.acquiredAt), asc(leases.recordId));
  return rows.map((row) => ({
    ...leaseView(row),
    record: { id: row.recordId, title: titleOf(row.title, "Untitled record"), deleted: row.deletedAt !== null },
    collection: row.collection,
  }));
}

export type LeaseEventListItem = LeaseEventView & { recordTitle: string; collection: { slug: string; name: string } };

/** The latest take-overs and breaks, newest first. */
export async function listLeaseEvents(db: DbOrTx, options: { limit?: number } = {}): Promise<LeaseEventListItem[]> {
  const rows = await db
    .select({
      ...eventColumns,
      title: firstFieldValue,
      collection: { slug: collections.slug, name: collections.name },
    })
    .from(leaseEvents)
    .innerJoin(eventActor, eq(eventActor.id, leaseEvents.actorId))
    .leftJoin(previousHolder, eq(previousHolder.id, leaseEvents.previousHolderId))
    .innerJoin(records, eq(records.id, leaseEvents.recordId))
    .innerJoin(collections, eq(collections.id, records.collectionId))
    .orderBy(desc(leaseEvents.at), asc(leaseEvents.id))
    .limit(options.limit ?? 50);
  return rows.map((row) => ({
    ...toEventView(row),
    recordTitle: titleOf(row.title, "Untitled record"),
    collection: row.collection,
  }));
}
