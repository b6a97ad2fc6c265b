import "server-only";
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Database, queryRows } from "@/db/client";
import { collections } from "@/db/schema";
import type { FieldDefinition } from "@/lib/fields";
import { SCHEMA_TOPIC, subscribe } from "@/lib/live-events";
import { fieldLowerTextSql, fieldSortExpression, sqlLiteral } from "./list-expressions";

/**
 * Indexes that follow the schema (issue 12, "Speed at scale"). Fields are defined by people,
 * so their indexes cannot be migrations: the reconciler computes the indexes every collection's
 * fields want, reads the ones that exist (by the `rlx_` name prefix), creates the missing and
 * drops the stale, at start-up and after every schema change. Each index is partial to one
 * collection's live records, so a save pays only for its own collection's fields:
 * - one `jsonb_path_ops` GIN over `data`: `_eq` / `_in` / multiselect `_contains` on any field
 *   (filter-sql.ts adds `data @> {"key": value}` beside the exact condition);
 * - per text field, a pg_trgm GIN on `lower(data ->> 'key')`: `_contains` (where pg_trgm exists);
 * - per listed field, the sort expression (list-expressions.ts) with the id, once per direction
 *   (ties go by id ascending both ways, so one index cannot serve both); number, integer and
 *   date fields always get the ascending one, which their range filters use.
 * On PostgreSQL: `CREATE INDEX CONCURRENTLY` (writes go on meanwhile), outside any transaction,
 * under an advisory lock so one instance of a cluster does the work. PGlite: plainly (it has
 * one connection and nothing to wait for).
 */

export const LIST_INDEX_PREFIX = "rlx_";
const RECONCILE_LOCK = 7420012;

export type ListIndex = { name: string; collectionId: string; key: string | null; definition: string };

type CollectionFields = { id: string; fields: FieldDefinition[] };

function indexName(kind: string, key: string | null, definition: string): string {
  const hash = createHash("sha256").update(definition).digest("hex").slice(0, 10);
  return `${LIST_INDEX_PREFIX}${key ? `${key.slice(0, 24)}_` : ""}${kind}_${hash}`;
}

/** The indexes a collection's fields want, each with its CREATE INDEX statement (without CONCURRENTLY). */
export function desiredListIndexes(collection: CollectionFields, options: { trigram: boolean }): ListIndex[] {
  if (!/^[0-9a-f-]{36}$/i.test(collection.id)) throw new Error(`not a collection id: ${collection.id}`);
  const where = `where collection_id = ${sqlLiteral(collection.id)}::uuid and deleted_at is null`;
  const indexes: ListIndex[] = [];
  const add = (kind: string, key: string | null, body: string) => {
    // The name carries a hash of the whole statement: a changed expression (options reordered) is a new index.
    const name = indexName(kind, key, body);
    indexes.push({ name, collectionId: collection.id, key, definition: `create index "${name}" on records ${body}` });
  };
  add("eq", null, `using gin (data jsonb_path_ops) ${where}`);
  for (const field of collection.fields) {
    const sort = fieldSortExpression(null, field);
    const ranged = field.type === "number" || field.type === "integer" || field.type === "date";
    if (sort.indexable && (field.listed || ranged)) add("asc", field.key, `(${sort.sql}, id) ${where}`);
    if (sort.indexable && field.listed) add("desc", field.key, `(${sort.sql} desc nulls last, id) ${where}`);
    if (options.trigram && (field.type === "text" || field.type === "longtext" || field.type === "email")) {
      add("trgm", field.key, `using gin (${fieldLowerTextSql(null, field.key)} gin_trgm_ops) ${where}`);
    }
  }
  return indexes;
}

export type ReconcileResult = { created: string[]; dropped: string[]; failed: string[]; skipped?: "busy" };

/** Whether pg_trgm's operator class is installed (migration 0010 installs it where it can). */
async function hasTrigram(database: Database): Promise<boolean> {
  const [row] = await queryRows<{ present: boolean }>(
    database.db,
    sql`select exists (select 1 from pg_opclass where opcname = 'gin_trgm_ops') as present`,
  );
  return row?.present === true;
}

/** Runs one DDL statement outside any transaction: on the lock's connection, or PGlite's only one. */
type Run = (statement: string) => Promise<void>;

/**
 * Brings the list indexes in line with every collection's fields, once. Returns what it did;
 * `skipped: "busy"` when another instance holds the lock (it will see the same schema or a
 * later one: the caller retries). A statement that fails is logged and left for the next run
 * (an index CONCURRENTLY left invalid is dropped and made again then).
 */
export async function reconcileListIndexes(database: Database): Promise<ReconcileResult> {
  if (database.kind === "pglite") {
    return reconcileWith(
      database,
      async (statement) => {
        await database.db.execute(sql.raw(statement));
      },
      false,
    );
  }
  const client = database.sql;
  if (!client) throw new Error("A postgres database must carry its client");
  const holder = await client.reserve();
  try {
    const [lock] = await holder<{ locked: boolean }[]>`select pg_try_advisory_lock(${RECONCILE_LOCK}) as locked`;
    if (!lock?.locked) return { created: [], dropped: [], failed: [], skipped: "busy" };
    try {
      return await reconcileWith(
        database,
        async (statement) => {
          await holder.unsafe(statement);
        },
        true,
      );
    } finally {
      await holder`select pg_advisory_unlock(${RECONCILE_LOCK})`.catch(() => {});
    }
  } finally {
    holder.release();
  }
}

async function reconcileWith(database: Database, run: Run, concurrently: boolean): Promise<ReconcileResult> {
  const trigram = await hasTrigram(database);
  const rows = await database.db.select({ id: collections.id, fields: collections.fields }).from(collections);
  const desired = new Map(rows.flatMap((c) => desiredListIndexes(c, { trigram })).map((i) => [i.name, i]));
  const existing = await queryRows<{ name: string; valid: boolean }>(
    database.db,
    sql`select c.relname as name, i.indisvalid as valid
          from pg_index i join pg_class c on c.oid = i.indexrelid
         where i.indrelid = 'records'::regclass and c.relname like ${`${LIST_INDEX_PREFIX.replace("_", "\\_")}%`}`,
  );
  const result: ReconcileResult = { created: [], dropped: [], failed: [] };
  const keep = new Set<string>();
  for (const { name, valid } of existing) {
    if (valid && desired.has(name)) {
      keep.add(name);
      continue;
    }
    try {
      await run(`drop index ${concurrently ? "concurrently " : ""}if exists "${name}"`);
      result.dropped.push(name);
    } catch (error) {
      result.failed.push(name);
      console.error(`[list-indexes] could not drop ${name}:`, error);
    }
  }
  for (const index of desired.values()) {
    if (keep.has(index.name)) continue;
    const statement = concurrently
      ? index.definition.replace(/^create index /, "create index concurrently if not exists ")
      : index.definition.replace(/^create index /, "create index if not exists ");
    try {
      await run(statement);
      result.created.push(index.name);
    } catch (error) {
      result.failed.push(index.name);
      console.error(`[list-indexes] could not create ${index.name}:`, error);
    }
  }
  if (result.created.length > 0) await run("analyze records");
  return result;
}

type Reconciler = { running: boolean; again: boolean; timer: ReturnType<typeof setTimeout> | null };
const globalForIndexes = globalThis as unknown as { tandemListIndexes?: WeakMap<Database, Reconciler> };
globalForIndexes.tandemListIndexes ??= new WeakMap();
const reconcilers = globalForIndexes.tandemListIndexes;

/**
 * Asks for a reconcile in the background: one at a time per process, and a request while one
 * runs makes it run once more after (it may have read the schema before the change committed).
 */
export function scheduleListIndexes(database: Database, delayMs = 0): void {
  let state = reconcilers.get(database);
  if (!state) {
    state = { running: false, again: false, timer: null };
    reconcilers.set(database, state);
  }
  const reconciler = state;
  if (reconciler.running) {
    reconciler.again = true;
    return;
  }
  if (reconciler.timer) return;
  reconciler.timer = setTimeout(async () => {
    reconciler.timer = null;
    reconciler.running = true;
    let retryMs = 0;
    try {
      const result = await reconcileListIndexes(database);
      if (result.skipped === "busy") retryMs = 5_000;
      else if (result.created.length > 0 || result.dropped.length > 0) {
        console.log(`[list-indexes] created ${result.created.length}, dropped ${result.dropped.length}`);
      }
    } catch (error) {
      console.error("[list-indexes] reconcile failed:", error);
      retryMs = 30_000;
    } finally {
      reconciler.running = false;
    }
    if (reconciler.again || retryMs > 0) {
      reconciler.again = false;
      scheduleListIndexes(database, retryMs);
    }
  }, delayMs);
  reconciler.timer.unref?.();
}

/** At start-up (lib/startup.ts): reconcile now, and again after every schema change of any instance. */
export async function startListIndexes(database: Database): Promise<void> {
  scheduleListIndexes(database);
  await subscribe(SCHEMA_TOPIC, () => scheduleListIndexes(database));
}
