import "server-only";
import { type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { executeRows } from "@/db/table-rows";
import { type LiveEvent, subscribeCollection } from "@/lib/live-events";
import { type PresentUser, presentUsers } from "@/lib/presence";

/**
 * Open lists of a collection, fed by ONE subscription per collection per process. Each
 * notification (lib/live-events.ts) is handled once here and fanned out to every open list of
 * its collection in this process, so the database work per notification does not grow with
 * the number of open lists:
 *
 * - a write (`record`): one query per burst of writes answers, for every distinct list
 *   condition (filter + search) open in this process, whether each written record matches it
 *   now. Lists with the same condition share one column; the per-list work is only the send.
 * - a presence change (`presence`, migration 0014): one read of who has the record open
 *   (lib/presence.ts), sent to every open list of the collection (the browser shows it on the
 *   row if the record is on its page).
 *
 * Nothing here is state: it is delivery of what PostgreSQL says (guarantee 8).
 */

export type RecordEvent = Extract<LiveEvent, { kind: "record" }>;

export type ListMessage =
  /** `matches`: the record is (now) in this list: not deleted, passes its filter and search; null if unknown. */
  | { kind: "record"; event: RecordEvent; matches: boolean | null }
  | { kind: "presence"; recordId: string; users: PresentUser[] };

/** The condition of a list: `where` over `records r` (list-records' listConditions); `key` the same for equal conditions. */
export type ListCondition = { key: string; where: SQL[] };

type Watcher = { condition: ListCondition; send: (message: ListMessage) => void };

type CollectionWatch = {
  db: DbOrTx;
  watchers: Set<Watcher>;
  /** Resolves once this process LISTENs for the collection; then to its unsubscribe. */
  subscribed: Promise<() => void>;
  writes: RecordEvent[];
  presence: Set<string>;
  scheduled: boolean;
  /** The fan-outs run one after another, so lists get the writes in commit order. */
  running: Promise<void>;
};

const globalForLists = globalThis as unknown as {
  tandemListFanout?: { collections: Map<string, CollectionWatch>; queries: number };
};
globalForLists.tandemListFanout ??= { collections: new Map(), queries: 0 };
const state = globalForLists.tandemListFanout;

/** How many database reads the fan-out has made in this process (for measuring it). */
export function listFanoutQueries(): number {
  return state.queries;
}

/** How many lists are open in this process (all collections). */
export function openListCount(): number {
  let count = 0;
  for (const watch of state.collections.values()) count += watch.watchers.size;
  return count;
}

/**
 * Registers an open list of the collection: `send` gets each write (with whether the record
 * matches `condition`) and each presence change of the collection's records. Resolves once
 * the process is listening (anything committed after that is delivered), to the function that
 * unregisters the list.
 */
export async function watchList(
  db: DbOrTx,
  collectionId: string,
  condition: ListCondition,
  send: (message: ListMessage) => void,
): Promise<() => void> {
  const id = collectionId.toLowerCase();
  let watch = state.collections.get(id);
  if (!watch) {
    const created: CollectionWatch = {
      db,
      watchers: new Set(),
      subscribed: subscribeCollection(id, (event) => heard(created, event)),
      writes: [],
      presence: new Set(),
      scheduled: false,
      running: Promise.resolve(),
    };
    watch = created;
    state.collections.set(id, created);
    created.subscribed.catch(() => {
      if (state.collections.get(id) === created) state.collections.delete(id);
    });
  }
  // The newest stream's handle: a database reopened since (a restart) is the one to read from.
  watch.db = db;
  const watcher: Watcher = { condition, send };
  watch.watchers.add(watcher);
  const current = watch;
  const stop = () => {
    current.watchers.delete(watcher);
    if (current.watchers.size === 0 && state.collections.get(id) === current) {
      state.collections.delete(id);
      void current.subscribed.then((unsubscribe) => unsubscribe()).catch(() => {});
    }
  };
  try {
    await watch.subscribed;
  } catch (error) {
    stop();
    throw error;
  }
  return stop;
}

function heard(watch: CollectionWatch, event: LiveEvent): void {
  if (event.kind === "record") watch.writes.push(event);
  else if (event.kind === "presence") watch.presence.add(event.recordId);
  else return;
  if (watch.scheduled) return;
  watch.scheduled = true;
  // The next turn of the event loop: a burst of notifications (a bulk edit) makes one query.
  setImmediate(() => {
    watch.scheduled = false;
    const writes = watch.writes.splice(0);
    const presence = [...watch.presence];
    watch.presence.clear();
    watch.running = watch.running
      .then(() => fanOut(watch, writes, presence))
      .catch((error: unknown) => console.error("[lists] could not fan an event out:", error));
  });
}

async function fanOut(watch: CollectionWatch, writes: RecordEvent[], presence: string[]): Promise<void> {
  const watchers = [...watch.watchers];
  if (watchers.length === 0) return;
  if (writes.length > 0) {
    const matches = await matchWrites(
      watch.db,
      watchers.map((w) => w.condition),
      writes.map((w) => w.recordId),
    ).catch((error: unknown) => {
      console.error("[lists] could not match writes against open lists:", error);
      return null;
    });
    for (const event of writes) {
      for (const watcher of watchers) {
        if (!watch.watchers.has(watcher)) continue;
        const matched = matches?.get(watcher.condition.key)?.get(event.recordId.toLowerCase());
        watcher.send({ kind: "record", event, matches: matches ? (matched ?? false) : null });
      }
    }
  }
  for (const recordId of presence) {
    let users: PresentUser[];
    try {
      state.queries += 1;
      users = await presentUsers(watch.db, recordId);
    } catch (error) {
      console.error("[lists] could not read presence:", error);
      continue;
    }
    for (const watcher of watch.watchers) watcher.send({ kind: "presence", recordId, users });
  }
}

/** At most this many distinct conditions per query (each is one column). */
const CONDITIONS_PER_QUERY = 100;
/** …and this many records (a bulk edit's burst). */
const IDS_PER_QUERY = 1_000;

/**
 * For each distinct condition (by key): the records (of `recordIds`) it matches now. One query
 * per CONDITIONS_PER_QUERY distinct conditions, whatever the number of lists or records.
 */
export async function matchWrites(
  db: DbOrTx,
  conditions: ListCondition[],
  recordIds: string[],
): Promise<Map<string, Map<string, boolean>>> {
  const distinct = [...new Map(conditions.map((c) => [c.key, c])).values()];
  const ids = [...new Set(recordIds.map((id) => id.toLowerCase()))];
  const out = new Map<string, Map<string, boolean>>();
  for (const condition of distinct) out.set(condition.key, new Map(ids.map((id) => [id, false])));
  if (ids.length === 0 || distinct.length === 0) return out;
  for (let start = 0; start < distinct.length; start += CONDITIONS_PER_QUERY) {
    for (let from = 0; from < ids.length; from += IDS_PER_QUERY) {
      await matchChunk(
        db,
        distinct.slice(start, start + CONDITIONS_PER_QUERY),
        ids.slice(from, from + IDS_PER_QUERY),
        out,
      );
    }
  }
  return out;
}

async function matchChunk(
  db: DbOrTx,
  chunk: ListCondition[],
  ids: string[],
  out: Map<string, Map<string, boolean>>,
): Promise<void> {
  {
    state.queries += 1;
    const rows = await executeRows(
      db,
      sql`select r.id, ${sql.join(
        chunk.map((c, i) => sql`coalesce((${sql.join(c.where, sql` and `)}), false) as ${sql.raw(`m${i}`)}`),
        sql`, `,
      )}
            from records r
           where r.id in (${sql.join(
             ids.map((id) => sql`${id}::uuid`),
             sql`, `,
           )})`,
    );
    for (const row of rows) {
      chunk.forEach((condition, i) => {
        out.get(condition.key)?.set(String(row.id).toLowerCase(), row[`m${i}`] === true);
      });
    }
  }
}
