import { z } from "zod";
import { registerRoute } from "@/app/api/_lib/openapi";
import { subscribePerson } from "@/lib/live-events";
import { unreadCount } from "@/lib/notifications";
import { eventStream, sseEvent } from "../../_lib/event-stream";
import { apiRoute } from "../../_lib/route";

/**
 * `text/event-stream` of my unread count: `unread {unread}` first, then again whenever a
 * notification is written for me or marked read (from PostgreSQL's NOTIFY, so any app instance's
 * writes arrive), and a `: ping` every 15 s.
 */
export const GET = apiRoute("viewer", async ({ request, db, actor, token }) => {
  let changed: () => void = () => {
    early = true;
  };
  let early = false;
  // Subscribed before the count is read: a notification committed in between is not missed.
  const unsubscribe = await subscribePerson(actor.id, () => changed());
  let first: number;
  try {
    first = await unreadCount(db, actor.id);
  } catch (error) {
    unsubscribe();
    throw error;
  }
  const stream = eventStream({
    request,
    first: sseEvent("unread", { unread: first }),
    onClose: unsubscribe,
    access: { db, token, actorId: actor.id },
  });
  // One read at a time; a burst of changes makes at most one more read, which sees them all.
  let reading = false;
  let again = false;
  changed = async () => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        stream.send(sseEvent("unread", { unread: await unreadCount(db, actor.id) }));
      } while (again);
    } catch (error) {
      console.error("[notifications] could not count unread:", error);
    } finally {
      reading = false;
    }
  };
  if (early) void changed();
  return stream.response;
});

registerRoute({
  method: "get",
  path: "/api/notifications/events",
  summary: "Server-sent events: my unread count, first and whenever it changes",
  role: "viewer",
  responses: { 200: { description: "An event stream", schema: z.string(), type: "text/event-stream" } },
  errors: [429],
});
