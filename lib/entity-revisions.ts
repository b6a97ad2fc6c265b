import "server-only";
import { and, asc, desc, eq, gt, lt } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { type EntityKind, entityRevisions, type FieldChanges, users } from "@/db/schema";
import type { UserRef } from "@/lib/records/record-view";

/** One accepted change of a versioned non-record thing (a person, a view, a collection's schema). */
export type EntityRevisionView = { version: number; action: string; user: UserRef; at: string; changes: FieldChanges };

/**
 * A thing's revisions, with who made each: after `after` oldest first (the `changes` of a
 * 412, what happened since the writer looked), or before `before` newest first (a history page).
 */
export async function listEntityRevisions(
  db: DbOrTx,
  kind: EntityKind,
  entityId: string,
  range: { after: number; limit?: number } | { before: number; limit: number },
): Promise<EntityRevisionView[]> {
  const query = db
    .select({
      version: entityRevisions.version,
      action: entityRevisions.action,
      user: { id: users.id, name: users.name },
      at: entityRevisions.at,
      changes: entityRevisions.changes,
    })
    .from(entityRevisions)
    .innerJoin(users, eq(users.id, entityRevisions.userId))
    .where(
      and(
        eq(entityRevisions.kind, kind),
        eq(entityRevisions.entityId, entityId),
        "after" in range ? gt(entityRevisions.version, range.after) : lt(entityRevisions.version, range.before),
      ),
    )
    .orderBy("after" in range ? asc(entityRevisions.version) : desc(entityRevisions.version))
    .$dynamic();
  const rows = await (range.limit === undefined ? query : query.limit(range.limit));
  return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
}
