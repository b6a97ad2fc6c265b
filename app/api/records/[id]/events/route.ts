import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { users } from "@/db/schema";
import { authorize } from "@/lib/auth/authorize";
import { env } from "@/lib/env";
import { type LiveEvent, SCHEMA_TOPIC, subscribe, subscribeAccess } from "@/lib/live-events";
import { leavePresence, openStreamPresence, presentUsers, touchPresence } from "@/lib/presence";
import { presenceChanged, watchPresence } from "@/lib/presence-fanout";
import { eventStream, liveEventMessage, presenceMessage, sseEvent } from "../../../_lib/event-stream";
import { idParams, registerRoute } from "../../../_lib/openapi";
import { recordRoute } from "../../../_lib/records";
import { fail } from "../../../_lib/route";

type Params = { id: string };

/**
 * `text/event-stream` of one record: `ready` with its current version (and this stream's
 * `presenceId`) first, then `presence` (everyone who has the record open, now and whenever
 * someone opens or closes it or starts or stops having unsaved edits), `record` (every new
 * version), `lease` (acquired, renewed, taken over, released, broken) and `reservations` (the
 * seat counter), `schema {slug, version}` (a collection's fields changed: the editor offers to
 * reload its form; sent for every collection, the page picks its own), and a `: ping` comment
 * every 15 s. Events come from PostgreSQL's NOTIFY
 * (lib/live-events.ts), so writes through any app instance arrive. The open stream is the
 * caller's presence on the record (lib/presence.ts): it joins now, is touched at every ping
 * and leaves when the stream closes.
 */
export const GET = recordRoute<Params>("viewer", async ({ request, db, actor, params, token }) => {
  // As PostgreSQL writes it, so the notifications (which name records that way) match.
  const recordId = params.id.toLowerCase();
  // Events until the stream exists are kept, then sent after `ready`.
  const early: LiveEvent[] = [];
  let deliver: (event: LiveEvent) => void = (event) => early.push(event);
  // Subscribed before the record is read: a write committed in between is not missed.
  const unsubscribeRecord = await subscribe(recordId, (event) => deliver(event));
  let unsubscribeSchema = () => {};
  try {
    unsubscribeSchema = await subscribe(SCHEMA_TOPIC, (event) => {
      if (event.kind === "schema") deliver(event);
    });
  } catch (error) {
    unsubscribeRecord();
    throw error;
  }
  const unsubscribe = () => {
    unsubscribeRecord();
    unsubscribeSchema();
  };
  const presence = { id: randomUUID(), recordId };
  let joined: Awaited<ReturnType<typeof openStreamPresence>>;
  let present: Awaited<ReturnType<typeof presentUsers>>;
  try {
    // At most MAX_STREAMS_PER_USER open streams per person, counted in PostgreSQL (429 beyond).
    joined = await openStreamPresence(db, actor, { ...presence, maxStreams: env().MAX_STREAMS_PER_USER });
    if (!joined.ok) {
      unsubscribe();
      return fail(joined.error);
    }
    present = await presentUsers(db, presence.recordId);
  } catch (error) {
    unsubscribe();
    await leavePresence(db, presence).catch(() => {});
    throw error;
  }

  // This stream's presence writes, one after another: a leave never overtakes a touch still in
  // flight (which would put the row back after the tab had gone).
  let presenceWrites = Promise.resolve();
  const writePresence = (what: string, write: () => Promise<void>) => {
    presenceWrites = presenceWrites.then(write).catch((error: unknown) => {
      console.error(`[events] could not ${what} presence:`, error);
    });
  };
  let unwatch = () => {};
  const stream = eventStream({
    request,
    // The version as of the join: anything saved after it is announced (see joinPresence).
    first: sseEvent("ready", {
      id: presence.recordId,
      version: joined.version,
      deleted: joined.deleted,
      presenceId: presence.id,
    }),
    // The right to read is checked again at every ping, before the tab is marked present.
    onPing: () =>
      writePresence("touch", async () => ((await stillAllowed()) ? touchPresence(db, actor, presence) : undefined)),
    onClose: () => {
      unsubscribe();
      unsubscribeAccess();
      unwatch();
      // If this fails, the row goes stale and the next join or ping on the record removes it.
      writePresence("leave", () => leavePresence(db, presence));
    },
  });
  stream.send(presenceMessage(presence.recordId, present));

  /**
   * Streams outlive nothing they were opened with (guarantee 12): a session signed out, expired
   * or idle, a revoked token, a deactivated person. Checked with the same `authorize` at every
   * ping and at once when any instance announces that this person's access changed; the stream
   * then says why (`access` event) and closes, which removes the tab from everyone's presence.
   */
  const stillAllowed = async (): Promise<boolean> => {
    try {
      const auth = await authorize(db, token, "viewer");
      if (auth.ok && auth.actor.id === actor.id) {
        if (auth.actor.role !== actor.role) stream.send(sseEvent("access", { ended: false, role: auth.actor.role }));
        actor.role = auth.actor.role;
        return true;
      }
      const [user] = await db.select({ active: users.active }).from(users).where(eq(users.id, actor.id));
      const reason = user?.active === false ? "deactivated" : "signed_out";
      stream.send(sseEvent("access", { ended: true, reason }));
      stream.close();
      return false;
    } catch (error) {
      // The database is unreachable: keep the stream (its reads fail too) and check at the next ping.
      console.error("[events] could not check access:", error);
      return true;
    }
  };
  let unsubscribeAccess = () => {};
  try {
    unsubscribeAccess = await subscribeAccess(actor.id, () => void stillAllowed());
  } catch (error) {
    stream.close();
    throw error;
  }

  // A change of presence is announced by id only; the list is read once per record in this
  // process and fanned out to its streams (lib/presence-fanout.ts).
  // Others' changes that arrived while this stream opened may be newer than its first list.
  const changedMeanwhile = early.some((event) => event.kind === "presence" && event.presenceId !== presence.id);
  unwatch = watchPresence(
    db,
    presence.recordId,
    presence.id,
    (users) => stream.send(presenceMessage(presence.recordId, users)),
    changedMeanwhile,
  );
  deliver = (event) => {
    if (event.kind === "access") return;
    if (event.kind !== "presence") stream.send(liveEventMessage(event));
    else presenceChanged(presence.recordId, event);
  };
  for (const event of early.splice(0)) deliver(event);
  return stream.response;
});

registerRoute({
  method: "get",
  path: "/api/records/{id}/events",
  summary: "Server-sent events of one record: ready, presence, record, lease, reservations; `: ping` every 15 s",
  role: "viewer",
  params: idParams,
  responses: { 200: { description: "An event stream", schema: z.string(), type: "text/event-stream" } },
  errors: [404, 429],
});
