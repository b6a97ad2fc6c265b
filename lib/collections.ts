import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { EditMode } from "@/db/schema";
import type { FieldDefinition } from "./fields";

export type CollectionView = {
  id: string;
  slug: string;
  name: string;
  fields: FieldDefinition[];
  editMode: EditMode;
};

type Row = { id: string; slug: string; name: string; fields: FieldDefinition[]; edit_mode: EditMode };

const toView = (row: Row): CollectionView => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  fields: row.fields,
  editMode: row.edit_mode,
});

export async function listCollections(db: DbOrTx): Promise<CollectionView[]> {
  const rows = await queryRows<Row>(db, sql`select id, slug, name, fields, edit_mode from collections order by name`);
  return rows.map(toView);
}

export async function findCollection(db: DbOrTx, slug: string): Promise<CollectionView | null> {
  const [row] = await queryRows<Row>(
    db,
    sql`select id, slug, name, fields, edit_mode from collections where slug = ${slug}`,
  );
  return row ? toView(row) : null;
}

export async function findCollectionById(db: DbOrTx, id: string): Promise<CollectionView | null> {
  const [row] = await queryRows<Row>(
    db,
    sql`select id, slug, name, fields, edit_mode from collections where id = ${id}`,
  );
  return row ? toView(row) : null;
}
