import { z } from "zod";
import { registerRoute } from "@/app/api/_lib/openapi";
import { listCollections } from "@/lib/collections";
import { SCHEMA_TOPIC, subscribe } from "@/lib/live-events";
import { eventStream, liveEventMessage, sseEvent } from "../../_lib/event-stream";
import { apiRoute } from "../../_lib/route";

/**
 * `text/event-stream` of schema changes in every collection: `ready` with each collection's
 * version first, then `schema {slug, version}` whenever an admin creates or changes one (on any
 * app instance: PostgreSQL's NOTIFY), and a `: ping` every 15 s. The collections list and the
 * admin pages refresh on it.
 */
export const GET = apiRoute("viewer", async ({ request, db, actor, token }) => {
  let send: (message: string) => void = () => {};
  const early: string[] = [];
  send = (message) => early.push(message);
  // Subscribed before the versions are read: a change committed in between is not missed.
  const unsubscribe = await subscribe(SCHEMA_TOPIC, (event) => {
    if (event.kind === "schema") send(liveEventMessage(event));
  });
  let versions: { slug: string; version: number }[];
  try {
    versions = (await listCollections(db)).map(({ slug, version }) => ({ slug, version }));
  } catch (error) {
    unsubscribe();
    throw error;
  }
  const stream = eventStream({
    request,
    first: sseEvent("ready", { collections: versions }),
    onClose: unsubscribe,
    access: { db, token, actorId: actor.id },
  });
  send = stream.send;
  for (const message of early.splice(0)) send(message);
  return stream.response;
});

registerRoute({
  method: "get",
  path: "/api/schema/events",
  summary: "Server-sent events: `ready` with each collection's version, then `schema` on every change",
  role: "viewer",
  responses: { 200: { description: "An event stream", schema: z.string(), type: "text/event-stream" } },
  errors: [429],
});
