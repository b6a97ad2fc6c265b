import "server-only";
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { collections } from "@/db/schema";
import { rowsOf } from "@/db/table-rows";
import type { FieldDefinition } from "@/lib/fields";
import { isUuid } from "@/lib/ids";
import { SCHEMA_TOPIC, subscribe } from "@/lib/live-events";
import { fieldLowerTextSql, fieldSortExpression, fieldUserIdSql, fieldValueSql, sqlLiteral } from "./list-expressions";

/**
 * Indexes that follow the schema (issue 12, "Speed at scale"). Fields are defined by people,
 * so their indexes cannot be migrations: the reconciler computes the indexes every collection's
 * fields want, reads the ones that exist (by the `rlx_` name prefix), creates the missing and
 * drops the stale, at start-up and after every schema change. Each index is partial to one
 * collection's live records, so a save pays only for its own collection's fields:
 * - per field, its sort expression (list-expressions.ts) with the id, ascending: sorts, and the
 *   `_eq` / `_in` / range filters, which filter-sql.ts writes on the same expression; a listed
 *   field also gets the descending one (ties go by id ascending both ways, so one index cannot
 *   serve both directions);
 * - per text field, a pg_trgm GIN on `lower(data ->> 'key')`: `_contains` (where pg_trgm exists);
 * - per user field, `(lower(data ->> 'key'), id)`: "is", and sorting by the person's name
 *   (list-records.ts walks the names in order and each person's records by id); per
 *   multiselect field, a GIN on `data -> 'key'` for "has" / "any of";
 * - per indexed expression, a statistics object (CREATE STATISTICS): the planner ignores a
 *   partial index's statistics, and without them guesses how many records a filter matches.
 * On PostgreSQL: `CREATE INDEX CONCURRENTLY` (writes go on meanwhile), outside any transaction,
 * under an advisory lock so one instance of a cluster does the work. PGlite: plainly (it has
 * one connection and nothing to wait for).
 */

export const LIST_INDEX_PREFIX = "rlx_";
/** The advisory lock one instance of a cluster holds while it reconciles. */
export const RECONCILE_LOCK = 7420012;

/** An index, or a statistics object: the planner ignores a partial index's statistics, so each expression gets both. */
export type ListIndex = {
  name: string;
  kind: "index" | "statistics";
  collectionId: string;
  key: string | null;
  /** The CREATE statement, without CONCURRENTLY / IF NOT EXISTS. */
  definition: string;
};

type CollectionFields = { id: string; fields: FieldDefinition[] };

function objectName(kind: string, key: string, definition: string): string {
  const hash = createHash("sha256").update(definition).digest("hex").slice(0, 10);
  return `${LIST_INDEX_PREFIX}${key.slice(0, 24)}_${kind}_${hash}`;
}

/** The indexes and statistics a collection's fields want. */
export function desiredListIndexes(collection: CollectionFields, options: { trigram: boolean }): ListIndex[] {
  if (!isUuid(collection.id)) throw new Error(`not a collection id: ${collection.id}`);
  const where = `where collection_id = ${sqlLiteral(collection.id)}::uuid and deleted_at is null`;
  const wanted: ListIndex[] = [];
  const index = (kind: string, key: string, body: string) => {
    // The name carries a hash of the whole statement: a changed expression (options reordered) is a new index.
    const name = objectName(kind, key, body);
    wanted.push({
      name,
      kind: "index",
      collectionId: collection.id,
      key,
      definition: `create index "${name}" on records ${body}`,
    });
  };
  const statistics = (key: string, ...expressions: string[]) => {
    const expression = expressions.map((e) => `(${e})`).join(", ");
    // Whole-table (a statistics object cannot be partial): the collection's share is estimated apart.
    const name = objectName("stats", key, `${collection.id} ${expression}`);
    wanted.push({
      name,
      kind: "statistics",
      collectionId: collection.id,
      key,
      // One expression: its statistics; two: also their MCV list together (a text equality filters on both).
      definition: `create statistics "${name}"${expressions.length > 1 ? " (mcv)" : ""} on ${expression} from records`,
    });
  };
  for (const field of collection.fields) {
    const sort = fieldSortExpression(null, field);
    // Equality and ranges filter on the ascending one; a longtext only when listed.
    if (sort.indexable && (field.listed || field.type !== "longtext")) {
      index("asc", field.key, `(${sort.sql}, id) ${where}`);
      const lowered =
        field.type === "text" || field.type === "longtext" || field.type === "email" || field.type === "link";
      if (lowered) statistics(field.key, sort.statistics, fieldValueSql(null, field.key));
      else statistics(field.key, sort.statistics);
    }
    if (sort.indexable && field.listed) index("desc", field.key, `(${sort.sql} desc nulls last, id) ${where}`);
    if (options.trigram && (field.type === "text" || field.type === "longtext" || field.type === "email")) {
      index("trgm", field.key, `using gin (${fieldLowerTextSql(null, field.key)} gin_trgm_ops) ${where}`);
    }
    if (field.type === "user") {
      index("eq", field.key, `(${fieldUserIdSql(null, field.key)}, id) ${where}`);
      statistics(field.key, fieldUserIdSql(null, field.key), fieldValueSql(null, field.key));
    }
    if (field.type === "multiselect") index("has", field.key, `using gin (${fieldValueSql(null, field.key)}) ${where}`);
  }
  return wanted;
}

export type ReconcileResult = { created: string[]; dropped: string[]; failed: string[]; skipped?: "busy" };

/** Whether pg_trgm's operator class is installed (migration 0010 installs it where it can). */
async function hasTrigram(database: Database): Promise<boolean> {
  const [row] = await rowsOf(
    database.db,
    sql`select exists (select 1 from pg_opclass where opcname = 'gin_trgm_ops') as present`,
    { present: Boolean },
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
  const prefix = `${LIST_INDEX_PREFIX.replace("_", "\\_")}%`;
  const existing = await rowsOf(
    database.db,
    sql`select c.relname as name, 'index' as kind, i.indisvalid as valid
          from pg_index i join pg_class c on c.oid = i.indexrelid
         where i.indrelid = 'records'::regclass and c.relname like ${prefix}
        union all
        select s.stxname, 'statistics', true from pg_statistic_ext s
         where s.stxrelid = 'records'::regclass and s.stxname like ${prefix}`,
    { name: String, kind: (value) => value as ListIndex["kind"], valid: Boolean },
  );
  const result: ReconcileResult = { created: [], dropped: [], failed: [] };
  const keep = new Set<string>();
  for (const { name, kind, valid } of existing) {
    if (valid && desired.get(name)?.kind === kind) {
      keep.add(name);
      continue;
    }
    try {
      await run(
        kind === "statistics"
          ? `drop statistics if exists "${name}"`
          : `drop index ${concurrently ? "concurrently " : ""}if exists "${name}"`,
      );
      result.dropped.push(name);
    } catch (error) {
      result.failed.push(name);
      console.error(`[list-indexes] could not drop ${name}:`, error);
    }
  }
  for (const index of desired.values()) {
    if (keep.has(index.name)) continue;
    const statement =
      index.kind === "statistics"
        ? index.definition.replace(/^create statistics /, "create statistics if not exists ")
        : index.definition.replace(
            /^create index /,
            `create index ${concurrently ? "concurrently " : ""}if not exists `,
          );
    try {
      await run(statement);
      result.created.push(index.name);
    } catch (error) {
      result.failed.push(index.name);
      console.error(`[list-indexes] could not create ${index.name}:`, error);
    }
  }
  // Statistics of the new expressions (the planner's row counts for filters on them).
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
