import "server-only";
import { asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { preparedFor } from "@/db/prepared";
import { collections, type EditMode, users } from "@/db/schema";
import type { FieldDefinition } from "./fields";
import type { UserRef } from "./records/record-view";

export type CollectionView = {
  id: string;
  slug: string;
  name: string;
  fields: FieldDefinition[];
  editMode: EditMode;
  /** The schema's version: its ETag, and what a schema write must name (If-Match). */
  version: number;
  /** The integer field that caps reservations; null when records take none. */
  capacityField: string | null;
};

/** A collection's whole schema, as `GET /api/collections/:slug` shows it (and the editor edits it). */
export type CollectionDetail = CollectionView & {
  /** Fields an admin removed: their values stay in the records, and re-adding the key restores them. */
  removedFields: FieldDefinition[];
  updatedAt: string;
  updatedBy: UserRef | null;
};

/** The columns a CollectionView shows, under its names: the hot path (every record request) reads only these. */
const VIEW_COLUMNS = {
  id: collections.id,
  slug: collections.slug,
  name: collections.name,
  fields: collections.fields,
  editMode: collections.editMode,
  version: collections.version,
  capacityField: collections.capacityField,
};

export async function listCollections(db: DbOrTx): Promise<CollectionView[]> {
  return db.select(VIEW_COLUMNS).from(collections).orderBy(asc(collections.name), asc(collections.slug));
}

const bySlug = preparedFor((db) =>
  db
    .select(VIEW_COLUMNS)
    .from(collections)
    .where(eq(collections.slug, sql.placeholder("slug")))
    .prepare("find_collection"),
);

export async function findCollection(db: DbOrTx, slug: string): Promise<CollectionView | null> {
  const [row] = await bySlug(db).execute({ slug });
  return row ?? null;
}

/** The collection's whole schema with who changed it last; null when there is no such slug. */
export async function getCollectionDetail(db: DbOrTx, slug: string): Promise<CollectionDetail | null> {
  const [row] = await db
    .select({
      ...VIEW_COLUMNS,
      removedFields: collections.removedFields,
      updatedAt: collections.updatedAt,
      updatedBy: { id: users.id, name: users.name },
    })
    .from(collections)
    .leftJoin(users, eq(users.id, collections.updatedBy))
    .where(eq(collections.slug, slug));
  return row ? { ...row, updatedAt: row.updatedAt.toISOString() } : null;
}

const byId = preparedFor((db) =>
  db
    .select(VIEW_COLUMNS)
    .from(collections)
    .where(eq(collections.id, sql.placeholder("id")))
    .prepare("find_collection_by_id"),
);

export async function findCollectionById(db: DbOrTx, id: string): Promise<CollectionView | null> {
  const [row] = await byId(db).execute({ id });
  return row ?? null;
}
