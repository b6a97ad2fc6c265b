import "server-only";
import { and, desc, eq, isNull, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db/client";
import { collections, entityRevisions, type FieldChanges, users, type View, views } from "@/db/schema";
import { tableRows } from "@/db/table-rows";
import { type Actor, hasRole } from "@/lib/auth/actor";
import type { CollectionView } from "@/lib/collections";
import { type EntityRevisionView, listEntityRevisions } from "@/lib/entity-revisions";
import { META_KEYS, parseFilter } from "@/lib/records/filter";
import type { UserRef } from "@/lib/records/record-view";
import { err, type Result } from "@/lib/result";

/**
 * Saved list views: a filter, a sort and columns, personal or shared with everyone. Every
 * view is versioned like a record: one compare-and-set on views.version and one
 * entity_revisions row (kind "view") in the same statement, so two people changing one shared
 * view meet the version check instead of overwriting each other.
 */

export type ViewSettings = {
  name: string;
  shared: boolean;
  filter: Record<string, unknown>;
  sort: string | null;
  dir: "asc" | "desc" | null;
  columns: string[] | null;
};

export type ViewJson = ViewSettings & {
  id: string;
  collection: string;
  version: number;
  owner: UserRef;
  createdAt: string;
  updatedAt: string;
  updatedBy: UserRef;
};

export type ViewRevision = EntityRevisionView;

export type ViewError =
  | { code: "not_found"; message?: string }
  | { code: "forbidden"; message: string }
  | { code: "invalid"; fields: Record<string, string> }
  | { code: "version_mismatch"; current: ViewJson; changes: ViewRevision[] };

/** A view with the names its JSON shows: its collection's slug, its owner's and last editor's. */
type ViewRow = { view: View; slug: string; ownerName: string; updatedByName: string };

function toJson({ view, slug, ownerName, updatedByName }: ViewRow): ViewJson {
  return {
    id: view.id,
    collection: slug,
    name: view.name,
    shared: view.shared,
    filter: view.filter,
    sort: view.sort,
    dir: view.dir,
    columns: view.columns,
    version: view.version,
    owner: { id: view.userId, name: ownerName },
    createdAt: view.createdAt.toISOString(),
    updatedAt: view.updatedAt.toISOString(),
    updatedBy: { id: view.updatedBy, name: updatedByName },
  };
}

const owner = alias(users, "owner");
const editor = alias(users, "editor");

function selectViews(db: DbOrTx) {
  return db
    .select({ view: views, slug: collections.slug, ownerName: owner.name, updatedByName: editor.name })
    .from(views)
    .innerJoin(collections, eq(collections.id, views.collectionId))
    .innerJoin(owner, eq(owner.id, views.userId))
    .innerJoin(editor, eq(editor.id, views.updatedBy));
}

async function loadView(db: DbOrTx, id: string): Promise<ViewRow | null> {
  const [row] = await selectViews(db).where(eq(views.id, id));
  return row ?? null;
}

/** My views and everyone's shared ones, shared first, then by name. */
export async function listViews(db: DbOrTx, actor: Actor, collection: CollectionView): Promise<ViewJson[]> {
  const rows = await selectViews(db)
    .where(
      and(
        eq(views.collectionId, collection.id),
        isNull(views.deletedAt),
        or(eq(views.shared, true), eq(views.userId, actor.id)),
      ),
    )
    .orderBy(desc(views.shared), sql`lower(${views.name})`, views.id);
  return rows.map(toJson);
}

/** A view the actor may see; a personal view of someone else is as good as absent. */
export async function findView(db: DbOrTx, actor: Actor, id: string): Promise<ViewJson | null> {
  const row = await loadView(db, id);
  if (!row || !visibleTo(actor, row.view)) return null;
  return toJson(row);
}

/** A view that is not deleted and is shared or the actor's own; someone else's personal view is as good as absent. */
function visibleTo(actor: Actor, view: View): boolean {
  return view.deletedAt === null && (view.shared || view.userId === actor.id);
}

/** Checks what a view holds against its collection: the filter as the list would, sort and columns by key. */
export function validateSettings(
  collection: CollectionView,
  actor: Actor,
  settings: Partial<ViewSettings>,
): Record<string, string> {
  const fields: Record<string, string> = {};
  const keys = new Set<string>([...META_KEYS, ...collection.fields.map((f) => f.key)]);
  if (settings.name !== undefined && settings.name.trim() === "") fields.name = "Give the view a name";
  if (settings.filter !== undefined) {
    const parsed = parseFilter(settings.filter, { fields: collection.fields, me: actor.id });
    if (!parsed.ok) fields.filter = parsed.error.message;
  }
  if (settings.sort != null && !keys.has(settings.sort)) fields.sort = `Unknown field "${settings.sort}"`;
  if (settings.columns != null) {
    const unknown = settings.columns.filter((c) => !keys.has(c));
    if (unknown.length > 0) fields.columns = `Unknown fields: ${unknown.join(", ")}`;
    else if (new Set(settings.columns).size !== settings.columns.length)
      fields.columns = "Lists a field more than once";
  }
  return fields;
}

function mayShare(actor: Actor): boolean {
  return hasRole(actor, "editor");
}

const snapshotOf = (s: ViewSettings) => ({
  name: s.name,
  shared: s.shared,
  filter: s.filter,
  sort: s.sort,
  dir: s.dir,
  columns: s.columns,
});

export async function createView(
  db: DbOrTx,
  actor: Actor,
  collection: CollectionView,
  settings: ViewSettings,
): Promise<Result<{ view: ViewJson }, ViewError>> {
  if (settings.shared && !mayShare(actor)) {
    return err({ code: "forbidden", message: "Viewers may save personal views only." });
  }
  const problems = validateSettings(collection, actor, settings);
  if (Object.keys(problems).length > 0) return err({ code: "invalid", fields: problems });
  const snapshot = snapshotOf({ ...settings, name: settings.name.trim() });
  const changes: FieldChanges = Object.fromEntries(
    Object.entries(snapshot).map(([key, value]) => [key, { from: null, to: value }]),
  );
  // The view and its revision 1 in one statement.
  const [row] = await tableRows(
    db,
    entityRevisions,
    sql`with created as (
          insert into views (collection_id, user_id, name, shared, filter, sort, dir, columns, updated_by)
          values (${collection.id}, ${actor.id}, ${snapshot.name}, ${snapshot.shared}, ${JSON.stringify(snapshot.filter)}::jsonb,
                  ${snapshot.sort}, ${snapshot.dir}, ${snapshot.columns === null ? null : JSON.stringify(snapshot.columns)}::jsonb, ${actor.id})
          returning id, version, updated_at
        )
        insert into entity_revisions (kind, entity_id, version, user_id, at, action, changes, snapshot)
        select 'view', id, version, ${actor.id}, updated_at, 'create', ${JSON.stringify(changes)}::jsonb, ${JSON.stringify(snapshot)}::jsonb
          from created
        returning *`,
  );
  const view = row ? await loadView(db, row.entityId) : null;
  if (!view) throw new Error("created view not found");
  return { ok: true, view: toJson(view) };
}

function revisionsSince(db: DbOrTx, id: string, version: number): Promise<ViewRevision[]> {
  return listEntityRevisions(db, "view", id, { after: version });
}

/** Who may change or delete a view: a personal one only its owner (others do not see it). */
function authorizeWrite(actor: Actor, row: ViewRow | null): ViewError | null {
  if (!row || !visibleTo(actor, row.view)) return { code: "not_found", message: "No such view." };
  if (row.view.shared && row.view.userId !== actor.id && actor.role !== "admin") {
    return { code: "forbidden", message: "Only the view's author or an admin may change a shared view." };
  }
  return null;
}

async function conflict(db: DbOrTx, actor: Actor, id: string, baseVersion: number): Promise<ViewError> {
  const latest = await loadView(db, id);
  const refused = authorizeWrite(actor, latest);
  if (refused || !latest) return refused ?? { code: "not_found" };
  return { code: "version_mismatch", current: toJson(latest), changes: await revisionsSince(db, id, baseVersion) };
}

type WriteInput = { id: string; baseVersion: number };

export async function updateView(
  db: DbOrTx,
  actor: Actor,
  collectionFor: (collectionId: string) => Promise<CollectionView | null>,
  input: WriteInput & { changes: Partial<ViewSettings> },
): Promise<Result<{ view: ViewJson }, ViewError>> {
  const current = await loadView(db, input.id);
  const refused = authorizeWrite(actor, current);
  if (refused || !current) return err(refused ?? { code: "not_found" });
  if (input.changes.shared && !current.view.shared && !mayShare(actor)) {
    return err({ code: "forbidden", message: "Viewers may save personal views only." });
  }
  const collection = await collectionFor(current.view.collectionId);
  if (!collection) return err({ code: "not_found" });
  const problems = validateSettings(collection, actor, input.changes);
  if (Object.keys(problems).length > 0) return err({ code: "invalid", fields: problems });
  if (current.view.version !== input.baseVersion) return err(await conflict(db, actor, input.id, input.baseVersion));

  const before = snapshotOf(toJson(current));
  const next = snapshotOf({ ...before, ...input.changes, name: (input.changes.name ?? before.name).trim() });
  const changes: FieldChanges = {};
  for (const key of Object.keys(next) as (keyof typeof next)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(next[key])) changes[key] = { from: before[key], to: next[key] };
  }
  // Compare-and-set and its revision in one statement: zero rows back = someone wrote first.
  const [row] = await tableRows(
    db,
    entityRevisions,
    sql`with updated as (
          update views
             set name = ${next.name}, shared = ${next.shared}, filter = ${JSON.stringify(next.filter)}::jsonb,
                 sort = ${next.sort}, dir = ${next.dir},
                 columns = ${next.columns === null ? null : JSON.stringify(next.columns)}::jsonb,
                 version = version + 1, updated_at = now(), updated_by = ${actor.id}
           where id = ${input.id} and version = ${input.baseVersion} and deleted_at is null
          returning id, version, updated_at
        )
        insert into entity_revisions (kind, entity_id, version, user_id, at, action, changes, snapshot)
        select 'view', id, version, ${actor.id}, updated_at, 'update', ${JSON.stringify(changes)}::jsonb, ${JSON.stringify(next)}::jsonb
          from updated
        returning *`,
  );
  if (!row) return err(await conflict(db, actor, input.id, input.baseVersion));
  const view = await loadView(db, input.id);
  if (!view) return err({ code: "not_found" });
  return { ok: true, view: toJson(view) };
}

export async function deleteView(
  db: DbOrTx,
  actor: Actor,
  input: WriteInput,
): Promise<Result<{ version: number }, ViewError>> {
  const current = await loadView(db, input.id);
  const refused = authorizeWrite(actor, current);
  if (refused || !current) return err(refused ?? { code: "not_found" });
  if (current.view.version !== input.baseVersion) return err(await conflict(db, actor, input.id, input.baseVersion));
  const snapshot = snapshotOf(toJson(current));
  const [row] = await tableRows(
    db,
    entityRevisions,
    sql`with deleted as (
          update views set deleted_at = now(), version = version + 1, updated_at = now(), updated_by = ${actor.id}
           where id = ${input.id} and version = ${input.baseVersion} and deleted_at is null
          returning id, version, updated_at
        ),
        -- The default view of anyone who chose it falls back to the plain list, in the same statement.
        cleared as (
          update list_preferences set default_view_id = null where default_view_id in (select id from deleted)
        )
        insert into entity_revisions (kind, entity_id, version, user_id, at, action, changes, snapshot)
        select 'view', id, version, ${actor.id}, updated_at, 'delete', '{}'::jsonb, ${JSON.stringify(snapshot)}::jsonb
          from deleted
        returning *`,
  );
  if (!row) return err(await conflict(db, actor, input.id, input.baseVersion));
  return { ok: true, version: row.version };
}

export async function currentViewVersion(db: DbOrTx, id: string): Promise<number | null> {
  return (await loadView(db, id))?.view.version ?? null;
}
