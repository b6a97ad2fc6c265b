import "server-only";
import { z } from "zod";
import { type Database, getDatabase } from "@/db/client";
import { REVISION_ACTIONS } from "@/db/schema";

/**
 * Live events (DESIGN.md: "Live events use LISTEN/NOTIFY"). Triggers in PostgreSQL (migration
 * 0003_live_events, 0004_presence) notify channel `tandem_events` on every new revision, lease
 * change, seat-counter change and presence change, on commit. Each app process LISTENs once, lazily on its first
 * subscriber, and hands each notification to the subscribers of its record. This fan-out is
 * delivery only, never state (guarantee 8): every instance hears every commit from PostgreSQL.
 */

export const LIVE_EVENTS_CHANNEL = "tandem_events";

const userRef = z.object({ id: z.string(), name: z.string() });

const liveEventSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("record"),
    recordId: z.string(),
    /** The record's collection: open lists subscribe by it. */
    collectionId: z.string().nullable().optional(),
    batchId: z.string().nullable().optional(),
    version: z.number().int(),
    action: z.enum(REVISION_ACTIONS),
    at: z.string(),
    user: z.object({ id: z.string(), name: z.string().nullable() }),
  }),
  z.object({
    kind: z.literal("lease"),
    recordId: z.string(),
    holder: userRef.nullable(),
    expiresAt: z.string().nullable(),
  }),
  z.object({
    kind: z.literal("presence"),
    recordId: z.string(),
    /** The tab (event stream) that joined, left, or started or stopped editing. */
    presenceId: z.string(),
    /** The record's collection while a list of it is open (migration 0014): lists hear it too. */
    collectionId: z.string().nullable().optional(),
  }),
  z.object({
    /** A collection's schema changed (lib/collections/write-collection.ts): delivered to SCHEMA_TOPIC. */
    kind: z.literal("schema"),
    slug: z.string(),
    version: z.number().int(),
  }),
  z.object({
    /**
     * A person's access changed: deactivated, role lowered, signed out (everywhere), reset, or
     * a token revoked (lib/auth/access.ts). Each instance re-checks that person's open streams.
     */
    kind: z.literal("access"),
    userId: z.string(),
  }),
  z.object({
    kind: z.literal("comment"),
    recordId: z.string(),
    commentId: z.string(),
    version: z.number().int(),
    deleted: z.boolean(),
  }),
  /** A person's notifications changed (one written for them, or marked read): routed by person, not record. */
  z.object({ kind: z.literal("notification"), userId: z.string() }),
  z.object({
    kind: z.literal("reservations"),
    recordId: z.string(),
    taken: z.number().int(),
    capacity: z.number().int(),
  }),
]);

export type LiveEvent = z.infer<typeof liveEventSchema>;
/** Events about one record: everything but schema changes. */
export type RecordLiveEvent = Exclude<LiveEvent, { kind: "schema" }>;

/** What `subscribe` takes to hear every collection's schema changes (not a record id). */
export const SCHEMA_TOPIC = "schema";
export type LiveEventListener = (event: LiveEvent) => void;

/** A notification's payload as a LiveEvent; null for anything else (never throws). */
export function parseLiveEvent(payload: string): LiveEvent | null {
  try {
    const parsed = liveEventSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

type Hub = {
  listeners: Map<string, Set<LiveEventListener>>;
  /** The LISTEN of this process, and the database it runs on; null until the first subscriber. */
  listening: { database: Database; ready: Promise<void> } | null;
};

// On globalThis, so Next's dev server (which re-evaluates modules) keeps one LISTEN per process.
const globalForLive = globalThis as unknown as { tandemLiveEvents?: Hub };
globalForLive.tandemLiveEvents ??= { listeners: new Map(), listening: null };
const hub: Hub = globalForLive.tandemLiveEvents;

/**
 * Record events go to the record's subscribers; access events to the person's
 * (`access:<userId>`); schema events to SCHEMA_TOPIC.
 */
function listenerKey(event: LiveEvent): string {
  switch (event.kind) {
    case "access":
      return `access:${event.userId}`;
    case "schema":
      return SCHEMA_TOPIC;
    case "notification":
      return personKey(event.userId);
    default:
      return event.recordId;
  }
}
/** The subscription key of a collection's open lists (record ids never start with this). */
const collectionKey = (collectionId: string) => `collection:${collectionId}`;

function dispatch(payload: string): void {
  const event = parseLiveEvent(payload);
  if (!event) return;
  notify(hub.listeners.get(listenerKey(event)), event);
  // One notification reaches every open list of the collection in this process.
  if ((event.kind === "record" || event.kind === "presence") && event.collectionId)
    notify(hub.listeners.get(collectionKey(event.collectionId)), event);
}

function notify(listeners: Set<LiveEventListener> | undefined, event: LiveEvent): void {
  if (!listeners) return;
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (error) {
      console.error("[live-events] a listener failed:", error);
    }
  }
}

/**
 * Starts this process's LISTEN, once per database object (a reopened database gets a new one).
 * A failed start is not cached: the next subscriber tries again.
 */
async function ensureListening(): Promise<void> {
  const database = await getDatabase();
  let listening = hub.listening;
  if (listening?.database !== database) {
    const ready = database.listen(LIVE_EVENTS_CHANNEL, dispatch).then(() => undefined);
    const started = { database, ready };
    listening = started;
    hub.listening = started;
    ready.catch(() => {
      if (hub.listening === started) hub.listening = null;
    });
  }
  await listening.ready;
}

/** Subscribers of a person's events share the hub's map with records' (keyed apart from any uuid). */
function personKey(userId: string): string {
  return `person:${userId}`;
}

/** Calls `listener` whenever the person's notifications change, until the returned function is called. */
export function subscribePerson(userId: string, listener: LiveEventListener): Promise<() => void> {
  return subscribe(personKey(userId.toLowerCase()), listener);
}

/**
 * Calls `listener` with every live event of the record (or, for SCHEMA_TOPIC, every schema
 * change) until the returned function is called.
 * Resolves once the process is LISTENing, so anything committed after that is delivered.
 */
export async function subscribe(recordId: string, listener: LiveEventListener): Promise<() => void> {
  return subscribeKey(recordId, listener);
}

/** Calls `listener` with every `record` and `presence` event of the collection's records (lists). */
export async function subscribeCollection(collectionId: string, listener: LiveEventListener): Promise<() => void> {
  return subscribeKey(collectionKey(collectionId.toLowerCase()), listener);
}

async function subscribeKey(recordId: string, listener: LiveEventListener): Promise<() => void> {
  // Wrapped, so subscribing one function twice makes two independent subscriptions.
  const entry: LiveEventListener = (event) => listener(event);
  let set = hub.listeners.get(recordId);
  if (!set) {
    set = new Set();
    hub.listeners.set(recordId, set);
  }
  set.add(entry);
  const unsubscribe = () => {
    const current = hub.listeners.get(recordId);
    if (!current) return;
    current.delete(entry);
    if (current.size === 0) hub.listeners.delete(recordId);
  };
  try {
    await ensureListening();
  } catch (error) {
    unsubscribe();
    throw error;
  }
  return unsubscribe;
}

/** Calls `listener` whenever the person's access changes (guarantee 12), until unsubscribed. */
export function subscribeAccess(userId: string, listener: (event: Extract<LiveEvent, { kind: "access" }>) => void) {
  return subscribe(`access:${userId.toLowerCase()}`, (event) => {
    if (event.kind === "access") listener(event);
  });
}

/** How many subscriptions are open: for one record, or in all. */
export function subscriberCount(recordId?: string): number {
  if (recordId !== undefined) return hub.listeners.get(recordId)?.size ?? 0;
  let count = 0;
  for (const set of hub.listeners.values()) count += set.size;
  return count;
}
