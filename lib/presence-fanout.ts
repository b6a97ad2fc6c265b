import "server-only";
import type { DbOrTx } from "@/db/client";
import { type PresentUser, presentUsers } from "@/lib/presence";

/**
 * Presence, read once per record per process and fanned out to that record's open streams.
 * A presence change reaches every stream of the record (one NOTIFY, delivered to each
 * subscriber); each stream re-reading the list made N reads per change, N² as N people open
 * the record. Here the change marks the record's streams as due, and one read (deferred to the
 * next turn of the event loop, so the N deliveries of one notification make one read) answers
 * them all. A change that arrives during a read makes one more read after it.
 *
 * Only the list of people is shared here, a cache of nothing: who is present lives in
 * PostgreSQL (guarantee 8); this merely avoids asking the same question N times at once.
 */

type Watcher = { presenceId: string; due: boolean; send: (users: PresentUser[]) => void };
type RecordWatch = { db: DbOrTx; watchers: Set<Watcher>; reading: boolean; scheduled: boolean };

const globalForFanout = globalThis as unknown as {
  tandemPresenceFanout?: { records: Map<string, RecordWatch>; reads: number };
};
globalForFanout.tandemPresenceFanout ??= { records: new Map(), reads: 0 };
const state = globalForFanout.tandemPresenceFanout;

/** How many presence lists this process has read for streams: for measuring the fan-out. */
export function presenceReads(): number {
  return state.reads;
}

/**
 * Registers an open stream of `recordId`: `send` gets the list after each presence change
 * except the stream's own (its opening list already has it). `due`: changes may have happened
 * since the stream read its opening list (it gets one more list). Returns the function that
 * unregisters it.
 */
export function watchPresence(
  db: DbOrTx,
  recordId: string,
  presenceId: string,
  send: (users: PresentUser[]) => void,
  due = false,
): () => void {
  let watch = state.records.get(recordId);
  if (!watch) {
    watch = { db, watchers: new Set(), reading: false, scheduled: false };
    state.records.set(recordId, watch);
  }
  const watcher: Watcher = { presenceId, due, send };
  watch.watchers.add(watcher);
  schedule(recordId, watch);
  return () => {
    const current = state.records.get(recordId);
    if (!current) return;
    current.watchers.delete(watcher);
    if (current.watchers.size === 0 && !current.reading) state.records.delete(recordId);
  };
}

/** Notifications already fanned out: each is delivered to every stream's subscription (the same object). */
const handled = new WeakSet<object>();

/**
 * Someone's presence on the record changed (`event.presenceId` is the stream that changed).
 * Each stream of the record passes the same event on, some later than others (a stream still
 * opening replays it): only the first one counts.
 */
export function presenceChanged(recordId: string, event: { presenceId: string }): void {
  if (handled.has(event)) return;
  handled.add(event);
  const watch = state.records.get(recordId);
  if (!watch) return;
  for (const watcher of watch.watchers) if (watcher.presenceId !== event.presenceId) watcher.due = true;
  schedule(recordId, watch);
}

function schedule(recordId: string, watch: RecordWatch): void {
  if (watch.reading || watch.scheduled) return;
  if (![...watch.watchers].some((watcher) => watcher.due)) return;
  watch.scheduled = true;
  setImmediate(() => {
    watch.scheduled = false;
    void read(recordId, watch);
  });
}

async function read(recordId: string, watch: RecordWatch): Promise<void> {
  const due = [...watch.watchers].filter((watcher) => watcher.due);
  if (due.length === 0) return;
  for (const watcher of due) watcher.due = false;
  watch.reading = true;
  try {
    state.reads += 1;
    const users = await presentUsers(watch.db, recordId);
    for (const watcher of due) {
      if (watch.watchers.has(watcher)) watcher.send(users);
    }
  } catch (error) {
    console.error("[events] could not read presence:", error);
  } finally {
    watch.reading = false;
    if (watch.watchers.size === 0) state.records.delete(recordId);
    else schedule(recordId, watch);
  }
}
