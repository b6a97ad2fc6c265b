import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { collections, entityRevisions, records } from "@/db/schema";
import { tableRows } from "@/db/table-rows";
import type { Actor } from "@/lib/auth/actor";
import { type CollectionDetail, getCollectionDetail } from "@/lib/collections";
import { type EntityRevisionView, listEntityRevisions } from "@/lib/entity-revisions";
import type { FieldDefinition } from "@/lib/fields";
import { LIVE_EVENTS_CHANNEL } from "@/lib/live-events";
import { PG_INT_MAX } from "@/lib/pg-int";
import { err, type Result } from "@/lib/result";
import { type ImpactItem, schemaImpact } from "./impact";
import { schemaChanges } from "./schema-diff";
import {
  type CreateCollectionInput,
  checkSchema,
  normalizeField,
  type SchemaState,
  slugProblem,
  type UpdateCollectionInput,
} from "./schema-input";

/**
 * The schema is versioned like a record (DESIGN.md "Collections (schema)"): every accepted
 * write is ONE statement that compare-and-sets `collections.version`, inserts its revision
 * (kind "collection": who, when, per-field changes and a snapshot) and announces it on the
 * live-events channel (kind "schema"), so the three land together or not at all.
 */

export type SchemaError =
  | { code: "not_found"; message?: string }
  | { code: "invalid"; fields: Record<string, string> }
  | { code: "slug_taken"; slug: string }
  | { code: "schema_conflict"; current: CollectionDetail; changes: EntityRevisionView[] }
  | { code: "schema_impact"; impact: ImpactItem[] };

export type SchemaResult = Result<{ collection: CollectionDetail }, SchemaError>;

function stateOf(detail: Pick<CollectionDetail, "name" | "editMode" | "capacityField" | "fields">): SchemaState {
  return { name: detail.name, editMode: detail.editMode, capacityField: detail.capacityField, fields: detail.fields };
}

function snapshotOf(state: SchemaState, slug: string, removedFields: FieldDefinition[]): Record<string, unknown> {
  return { slug, ...state, removedFields };
}

async function collectionSlugs(db: DbOrTx): Promise<Set<string>> {
  const rows = await db.select({ slug: collections.slug }).from(collections);
  return new Set(rows.map((r) => r.slug));
}

/** The statement's tail that announces a schema write on commit (a rolled-back write says nothing). */
function notifySchema(source: string): ReturnType<typeof sql> {
  return sql`notified as (
      select pg_notify(${LIVE_EVENTS_CHANNEL},
               json_build_object('kind', 'schema', 'slug', s.slug, 'version', s.version)::text)
        from ${sql.raw(source)} s
    )`;
}

/** Creates a collection: its revision 1, in the same statement. */
export async function createCollection(db: DbOrTx, actor: Actor, input: CreateCollectionInput): Promise<SchemaResult> {
  const state: SchemaState = {
    name: input.name.trim(),
    editMode: input.editMode ?? "optimistic",
    capacityField: input.capacityField ?? null,
    fields: input.fields.map(normalizeField),
  };
  const slugs = await collectionSlugs(db);
  const errors = checkSchema(state, new Set([...slugs, input.slug]));
  const slugError = slugProblem(input.slug);
  if (slugError) errors.slug = slugError;
  if (Object.keys(errors).length > 0) return err({ code: "invalid", fields: errors });

  const changes = schemaChanges({ name: "", editMode: state.editMode, capacityField: null, fields: [] }, state);
  const [row] = await tableRows(
    db,
    collections,
    sql`with created as (
          insert into collections (slug, name, fields, edit_mode, capacity_field, removed_fields, version, updated_by)
          values (${input.slug}, ${state.name}, ${JSON.stringify(state.fields)}::jsonb, ${state.editMode},
                  ${state.capacityField}, '[]'::jsonb, 1, ${actor.id})
          on conflict (slug) do nothing
          returning *
        ),
        revision as (
          insert into entity_revisions (kind, entity_id, version, user_id, at, action, changes, snapshot)
          select 'collection', id, 1, ${actor.id}, updated_at, 'create', ${JSON.stringify(changes)}::jsonb,
                 ${JSON.stringify(snapshotOf(state, input.slug, []))}::jsonb
            from created
        ),
        ${notifySchema("created")}
        select c.*, (select count(*) from notified) as notified from created c`,
  );
  if (!row) return err({ code: "slug_taken", slug: input.slug });
  const collection = await getCollectionDetail(db, input.slug);
  if (!collection) throw new Error("created collection not found");
  return { ok: true, collection };
}

export type UpdateCollectionOptions = {
  slug: string;
  /** The version the admin's edit started from (If-Match). */
  baseVersion: number;
  changes: UpdateCollectionInput;
  /** Apply even though existing values would no longer fit (they are kept and flagged). */
  acceptImpact?: boolean;
};

/**
 * Changes a collection's schema. `changes.fields` is the whole new list in order: keys are
 * immutable ids, a key left out is removed (its definition moves to `removed_fields`, its values
 * stay in the records, hidden), a key added again is restored with its values.
 */
export async function updateCollection(
  db: DbOrTx,
  actor: Actor,
  options: UpdateCollectionOptions,
): Promise<SchemaResult> {
  const current = await getCollectionDetail(db, options.slug);
  if (!current) return err({ code: "not_found", message: `No collection '${options.slug}'.` });
  // Preconditions before content (RFC 9110 §13.2.1): a stale edit is a conflict even if invalid.
  if (current.version !== options.baseVersion) return staleSchema(db, options);

  const before = stateOf(current);
  const { changes } = options;
  const next: SchemaState = {
    name: changes.name?.trim() ?? before.name,
    editMode: changes.editMode ?? before.editMode,
    capacityField: changes.capacityField === undefined ? before.capacityField : changes.capacityField,
    fields: changes.fields ? changes.fields.map(normalizeField) : before.fields,
  };
  const errors = checkSchema(next, await collectionSlugs(db));
  if (next.capacityField !== before.capacityField && !errors.capacityField && (await hasRecords(db, current.id))) {
    errors.capacityField = "The capacity field can only change while the collection has no records";
  }
  if (Object.keys(errors).length > 0) return err({ code: "invalid", fields: errors });

  const diff = schemaChanges(before, next);
  if (Object.keys(diff).length === 0) return { ok: true, collection: current };

  if (!options.acceptImpact) {
    const impact = await schemaImpact(db, current.id, current, next.fields);
    if (impact.length > 0) return err({ code: "schema_impact", impact });
  }
  const keys = new Set(next.fields.map((f) => f.key));
  const removedNow = before.fields.filter((f) => !keys.has(f.key));
  const removedFields = [
    ...current.removedFields.filter((f) => !keys.has(f.key) && !removedNow.some((r) => r.key === f.key)),
    ...removedNow,
  ];
  const [row] = await tableRows(
    db,
    collections,
    sql`with updated as (
          update collections
             set name = ${next.name}, edit_mode = ${next.editMode}, capacity_field = ${next.capacityField},
                 fields = ${JSON.stringify(next.fields)}::jsonb, removed_fields = ${JSON.stringify(removedFields)}::jsonb,
                 version = version + 1, updated_at = now(), updated_by = ${actor.id}
           where id = ${current.id} and version = ${options.baseVersion}
          returning *
        ),
        revision as (
          insert into entity_revisions (kind, entity_id, version, user_id, at, action, changes, snapshot)
          select 'collection', id, version, ${actor.id}, updated_at, 'update', ${JSON.stringify(diff)}::jsonb,
                 ${JSON.stringify(snapshotOf(next, current.slug, removedFields))}::jsonb
            from updated
        ),
        ${notifySchema("updated")}
        select u.*, (select count(*) from notified) as notified from updated u`,
  );
  if (!row) return staleSchema(db, options);
  const collection = await getCollectionDetail(db, options.slug);
  if (!collection) throw new Error("updated collection not found");
  return { ok: true, collection };
}

async function hasRecords(db: DbOrTx, collectionId: string): Promise<boolean> {
  const rows = await db.select({ id: records.id }).from(records).where(eq(records.collectionId, collectionId)).limit(1);
  return rows.length > 0;
}

async function staleSchema(db: DbOrTx, options: Pick<UpdateCollectionOptions, "slug" | "baseVersion">) {
  const current = await getCollectionDetail(db, options.slug);
  if (!current) return err({ code: "not_found" as const, message: `No collection '${options.slug}'.` });
  return err({
    code: "schema_conflict" as const,
    current,
    changes: await collectionRevisionsSince(db, current.id, options.baseVersion),
  });
}

/** The schema revisions after `version`, oldest first: what happened since an admin looked. */
export function collectionRevisionsSince(
  db: DbOrTx,
  collectionId: string,
  version: number,
): Promise<EntityRevisionView[]> {
  return listEntityRevisions(db, "collection", collectionId, { after: version });
}

/** A page of the schema's history, newest first; `before` is the oldest version already shown. */
export function collectionRevisions(
  db: DbOrTx,
  collectionId: string,
  page: { limit: number; before?: number | undefined },
): Promise<EntityRevisionView[]> {
  return listEntityRevisions(db, "collection", collectionId, {
    before: page.before ?? PG_INT_MAX,
    limit: page.limit,
  });
}

/** The schema at a version (its revision's snapshot): the base of the editor's three-way dialog. */
export async function collectionAtVersion(
  db: DbOrTx,
  collectionId: string,
  version: number,
): Promise<SchemaState | null> {
  const [row] = await db
    .select({ snapshot: entityRevisions.snapshot })
    .from(entityRevisions)
    .where(
      and(
        eq(entityRevisions.kind, "collection"),
        eq(entityRevisions.entityId, collectionId),
        eq(entityRevisions.version, version),
      ),
    );
  if (!row) return null;
  // A collection revision's snapshot is snapshotOf(state, …): a SchemaState and more.
  const { name, editMode, capacityField, fields } = row.snapshot as SchemaState;
  return { name, editMode, capacityField, fields };
}
