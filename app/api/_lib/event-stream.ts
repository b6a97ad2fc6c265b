import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { users } from "@/db/schema";
import { authorize } from "@/lib/auth/authorize";
import { env } from "@/lib/env";
import { type LiveEvent, subscribeAccess } from "@/lib/live-events";
import type { PresentUser } from "@/lib/presence";
import { errorResponse } from "./http-errors";

/** A comment line every 15 s keeps proxies and load balancers from closing an idle stream. */
export const PING_INTERVAL_MS = 15_000;

export const EVENT_STREAM_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache",
  Connection: "keep-alive",
  // nginx buffers responses by default, which would hold events back.
  "X-Accel-Buffering": "no",
} as const;

/** One Server-Sent Event: `event: <name>` and its JSON data on one line. */
export function sseEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A live event as the API shows it (see DESIGN.md, `GET /api/records/:id/events`). */
export function liveEventMessage(event: Exclude<LiveEvent, { kind: "presence" | "access" }>): string {
  switch (event.kind) {
    case "record":
      return sseEvent("record", {
        id: event.recordId,
        version: event.version,
        action: event.action,
        updatedAt: event.at,
        updatedBy: { id: event.user.id, name: event.user.name ?? "" },
      });
    case "lease":
      return sseEvent("lease", { recordId: event.recordId, holder: event.holder, expiresAt: event.expiresAt });
    case "reservations":
      return sseEvent("reservations", { recordId: event.recordId, taken: event.taken, capacity: event.capacity });
    case "schema":
      return sseEvent("schema", { slug: event.slug, version: event.version });
    case "comment":
      return sseEvent("comment", {
        recordId: event.recordId,
        commentId: event.commentId,
        version: event.version,
        deleted: event.deleted,
      });
    case "notification":
      return sseEvent("notification", { userId: event.userId });
  }
}

/** Who has the record open (see lib/presence.ts): everyone, each person once. */
export function presenceMessage(recordId: string, users: PresentUser[]): string {
  return sseEvent("presence", { recordId, users });
}

export type EventStream = {
  response: Response;
  /** Queues a message; messages sent before the stream starts go out right after the first one. */
  send: (message: string) => void;
  /** Ends the stream from the server's side (the right to read it ended); calls `onClose`. */
  close: () => void;
};

/**
 * A `text/event-stream` response that starts with `first`, pings every PING_INTERVAL_MS (and
 * calls `onPing` then) and calls `onClose` exactly once: when the client goes away (the
 * request's signal aborts, or the reader cancels the stream).
 *
 * With `access` (the session or token it was opened with), the stream outlives nothing it was
 * opened with (guarantee 12): the same `authorize` is asked again at every ping, before
 * `onPing`, and at once when any instance announces that the person's access changed; when it
 * no longer passes, the stream sends `access {ended: true, reason}` and closes. Such streams
 * are also capped per person on this instance (see STREAMS_PER_TAB): beyond the cap the
 * answer is 429 `too_many_streams` with Retry-After, and `onClose` runs at once (the route's
 * subscriptions are let go).
 *
 * It keeps the Request itself, not only its signal: undici aborts a Request's signal through
 * a WeakRef to the Request's own AbortController, so once the Request is garbage collected
 * its signal never aborts, and a stream whose client went away would stay open for good.
 */
export function eventStream(options: {
  request: Request;
  first: string;
  onClose: () => void;
  onPing?: () => void;
  access?: StreamAccess;
}): EventStream {
  // Referred to by `close`, so the Request lives as long as the stream is open.
  const { request, access } = options;
  if (access && !takeStreamSlot(access.actorId)) {
    options.onClose();
    const limit = streamSlotLimit();
    const { status, body, headers } = errorResponse({
      code: "too_many_streams",
      limit,
      retryAfterSeconds: PING_INTERVAL_MS / 1000,
    });
    return { response: Response.json(body, { status, headers }), send: () => {}, close: () => {} };
  }
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let closed = false;
  let ping: ReturnType<typeof setInterval> | undefined;
  const pending: string[] = [options.first];

  const write = (message: string) => {
    if (closed) return;
    if (!controller) {
      pending.push(message);
      return;
    }
    try {
      controller.enqueue(encoder.encode(message));
    } catch {
      close();
    }
  };
  let unsubscribeAccess = () => {};
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(ping);
    unsubscribeAccess();
    if (access) releaseStreamSlot(access.actorId);
    request.signal.removeEventListener("abort", close);
    try {
      controller?.close();
    } catch {
      // already closed or errored by the reader
    }
    options.onClose();
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      for (const message of pending.splice(0)) write(message);
      ping = setInterval(() => {
        write(": ping\n\n");
        if (closed) return;
        if (!access) options.onPing?.();
        else
          void stillAllowed().then((allowed) => {
            if (allowed && !closed) options.onPing?.();
          });
      }, PING_INTERVAL_MS);
    },
    cancel() {
      close();
    },
  });
  /** Whether the stream may go on; if not, it has said why and closed. */
  const stillAllowed = async (): Promise<boolean> => {
    if (!access || closed) return !closed;
    const ended = await accessEnded(access);
    if (ended === null || closed) return !closed;
    write(sseEvent("access", { ended: true, reason: ended }));
    close();
    return false;
  };
  if (access) {
    subscribeAccess(access.actorId, () => void stillAllowed()).then(
      (unsubscribe) => {
        if (closed) unsubscribe();
        else unsubscribeAccess = unsubscribe;
      },
      (error: unknown) => console.error("[events] could not watch access changes:", error),
    );
  }
  if (request.signal.aborted) close();
  else request.signal.addEventListener("abort", close, { once: true });
  return { response: new Response(body, { headers: EVENT_STREAM_HEADERS }), send: write, close };
}

/** What a stream re-checks: the session or API token it was opened with, and whose it was. */
export type StreamAccess = { db: DbOrTx; token: string; actorId: string };

/**
 * Null while the token still authorises its person to read; else why not (`deactivated`, or
 * `signed_out` for a session that ended, expired or idled out, or a revoked token). A database
 * that cannot be reached keeps the stream (its reads fail too); the next ping asks again.
 */
export async function accessEnded(access: StreamAccess): Promise<"signed_out" | "deactivated" | null> {
  try {
    const auth = await authorize(access.db, access.token, "viewer");
    if (auth.ok && auth.actor.id === access.actorId) return null;
    const [user] = await access.db.select({ active: users.active }).from(users).where(eq(users.id, access.actorId));
    return user?.active === false ? "deactivated" : "signed_out";
  } catch (error) {
    console.error("[events] could not check access:", error);
    return null;
  }
}

/**
 * The streams that pass `access` (a list's, notifications, schema: a record's stream is capped
 * in PostgreSQL across instances, lib/presence.ts) are capped per person on this instance,
 * where each holds a subscription, a timer and memory (issue 10, defect 3): a tab opens at most
 * one of each, so the cap is this many times MAX_STREAMS_PER_USER.
 */
export const STREAMS_PER_TAB = 3;

const globalForSlots = globalThis as unknown as { tandemStreamSlots?: Map<string, number> };
globalForSlots.tandemStreamSlots ??= new Map();
const streamSlots = globalForSlots.tandemStreamSlots;

function streamSlotLimit(): number {
  return env().MAX_STREAMS_PER_USER * STREAMS_PER_TAB;
}

/** Streams with `access` a person has open on this instance. */
export function openStreamCount(userId: string): number {
  return streamSlots.get(userId) ?? 0;
}

function takeStreamSlot(userId: string): boolean {
  const open = streamSlots.get(userId) ?? 0;
  if (open >= streamSlotLimit()) return false;
  streamSlots.set(userId, open + 1);
  return true;
}

function releaseStreamSlot(userId: string): void {
  const left = (streamSlots.get(userId) ?? 1) - 1;
  if (left > 0) streamSlots.set(userId, left);
  else streamSlots.delete(userId);
}
