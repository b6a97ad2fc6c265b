import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { EditMode } from "@/db/schema";
import type { FieldDefinition } from "./fields";
import { isoString, type UserRef } from "./records/record-view";

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

type Row = {
  id: string;
  slug: string;
  name: string;
  fields: FieldDefinition[];
  edit_mode: EditMode;
  version: number;
  capacity_field: string | null;
};

type DetailRow = Row & {
  removed_fields: FieldDefinition[];
  updated_at: string | Date;
  updated_by: string | null;
  updated_by_name: string | null;
};

const toView = (row: Row): CollectionView => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  fields: row.fields,
  editMode: row.edit_mode,
  version: row.version,
  capacityField: row.capacity_field,
});

export function toCollectionDetail(row: DetailRow): CollectionDetail {
  return {
    ...toView(row),
    removedFields: row.removed_fields,
    updatedAt: isoString(row.updated_at),
    updatedBy: row.updated_by ? { id: row.updated_by, name: row.updated_by_name ?? "" } : null,
  };
}

export async function listCollections(db: DbOrTx): Promise<CollectionView[]> {
  const rows = await queryRows<Row>(
    db,
    sql`select id, slug, name, fields, edit_mode, version, capacity_field from collections order by name, slug`,
  );
  return rows.map(toView);
}

export async function findCollection(db: DbOrTx, slug: string): Promise<CollectionView | null> {
  const [row] = await queryRows<Row>(
    db,
    sql`select id, slug, name, fields, edit_mode, version, capacity_field from collections where slug = ${slug}`,
  );
  return row ? toView(row) : null;
}

/** The collection's whole schema with who changed it last; null when there is no such slug. */
export async function getCollectionDetail(db: DbOrTx, slug: string): Promise<CollectionDetail | null> {
  const [row] = await queryRows<DetailRow>(
    db,
    sql`select c.id, c.slug, c.name, c.fields, c.edit_mode, c.version, c.capacity_field, c.removed_fields,
               c.updated_at, c.updated_by, u.name as updated_by_name
          from collections c left join users u on u.id = c.updated_by
         where c.slug = ${slug}`,
  );
  return row ? toCollectionDetail(row) : null;
}

export async function findCollectionById(db: DbOrTx, id: string): Promise<CollectionView | null> {
  const [row] = await queryRows<Row>(
    db,
    sql`select id, slug, name, fields, edit_mode, version, capacity_field from collections where id = ${id}`,
  );
  return row ? toView(row) : null;
}
