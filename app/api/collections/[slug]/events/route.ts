import { randomUUID } from "node:crypto";
import { z } from "zod";
import { registerRoute, slugParams } from "@/app/api/_lib/openapi";
import { findCollection } from "@/lib/collections";
import { joinListWatch, leaveListWatch, touchListWatch, writesSince } from "@/lib/list-watchers";
import { type LiveEvent, subscribeCollection } from "@/lib/live-events";
import { eventStream, sseEvent } from "../../../_lib/event-stream";
import { apiRoute, fail, readQuery } from "../../../_lib/route";

type Params = { slug: string };

const eventsQuery = z.strictObject({
  /** When the list was loaded: writes after it and before the stream opened are sent first. */
  since: z.iso.datetime({ offset: true }).optional(),
});

/** A collection event as the API shows it (DESIGN.md, `GET /api/collections/:slug/events`). */
function recordMessage(event: Extract<LiveEvent, { kind: "record" }>): string {
  return sseEvent("record", {
    id: event.recordId,
    version: event.version,
    action: event.action,
    updatedAt: event.at,
    updatedBy: { id: event.user.id, name: event.user.name ?? "" },
    batchId: event.batchId ?? null,
  });
}

/**
 * `text/event-stream` of a collection: `ready` first, then `record` for every write to any of
 * its records (create, update, delete, restore, …, from any app instance), and `: ping` every
 * 15 s. The open stream is a row in list_watchers, which makes the collection's writes notify.
 * With `?since=` (when the page was loaded), the writes between then and the stream's start
 * come first, from the revisions, so nothing falls between the page and its stream.
 */
export const GET = apiRoute<Params>("viewer", async ({ request, db, actor, params, token }) => {
  const query = readQuery(request, eventsQuery);
  if (!query.ok) return query.response;
  const collection = await findCollection(db, params.slug);
  if (!collection) return fail({ code: "not_found" });
  const watch = { id: randomUUID(), collectionId: collection.id, userId: actor.id };
  const early: LiveEvent[] = [];
  let deliver: (event: LiveEvent) => void = (event) => early.push(event);
  const unsubscribe = await subscribeCollection(collection.id, (event) => deliver(event));
  try {
    await joinListWatch(db, watch);
  } catch (error) {
    unsubscribe();
    throw error;
  }
  // After the join and the subscription: a write is in this catch-up, or announced, or both
  // (the client ignores versions it has already seen).
  let missed: Extract<LiveEvent, { kind: "record" }>[] = [];
  try {
    if (query.value.since) missed = await writesSince(db, collection.id, new Date(query.value.since));
  } catch (error) {
    unsubscribe();
    await leaveListWatch(db, watch.id).catch(() => {});
    throw error;
  }
  let writes = Promise.resolve();
  const queue = (what: string, write: () => Promise<void>) => {
    writes = writes
      .then(write)
      .catch((error: unknown) => console.error(`[events] could not ${what} a list watch:`, error));
  };
  const stream = eventStream({
    request,
    first: sseEvent("ready", { collection: collection.slug, at: new Date().toISOString() }),
    onPing: () => queue("touch", () => touchListWatch(db, watch)),
    access: { db, token, actorId: actor.id },
    onClose: () => {
      unsubscribe();
      queue("leave", () => leaveListWatch(db, watch.id));
    },
  });
  deliver = (event) => {
    if (event.kind === "record") stream.send(recordMessage(event));
  };
  for (const event of missed) deliver(event);
  for (const event of early.splice(0)) deliver(event);
  return stream.response;
});

registerRoute({
  method: "get",
  path: "/api/collections/{slug}/events",
  summary: "Server-sent events: `ready`, then `record` for every write to the collection's records",
  role: "viewer",
  params: slugParams,
  query: eventsQuery,
  responses: { 200: { description: "An event stream", schema: z.string(), type: "text/event-stream" } },
  errors: [404, 429],
});
