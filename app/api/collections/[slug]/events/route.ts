import { randomUUID } from "node:crypto";
import { z } from "zod";
import { registerRoute, slugParams } from "@/app/api/_lib/openapi";
import { findCollection } from "@/lib/collections";
import { type ListMessage, matchWrites, type RecordEvent, watchList } from "@/lib/list-fanout";
import { joinListWatch, leaveListWatch, touchListWatch, writesSince } from "@/lib/list-watchers";
import { FILTER_LIMITS, isStorableText } from "@/lib/records/filter";
import { presenceOfCollection } from "@/lib/records/list-presence";
import { listConditions } from "@/lib/records/list-records";
import { eventStream, presenceMessage, sseEvent } from "../../../_lib/event-stream";
import { apiRoute, fail, readQuery } from "../../../_lib/route";

type Params = { slug: string };

const eventsQuery = z.strictObject({
  /** When the list was loaded: writes after it and before the stream opened are sent first. */
  since: z.iso.datetime({ offset: true }).optional(),
  /** The list's filter and search (as GET …/records takes them): each write says whether its record matches. */
  filter: z.string().max(FILTER_LIMITS.chars).optional(),
  q: z.string().max(500).refine(isStorableText, "q contains a character that cannot be searched for (NUL)").optional(),
});

/**
 * A collection event as the API shows it (DESIGN.md, `GET /api/collections/:slug/events`), and
 * `matches`: whether the record is in the stream's list now (not deleted, passes its filter
 * and search); null when that could not be read.
 */
function recordMessage(event: RecordEvent, matches: boolean | null): string {
  return sseEvent("record", {
    id: event.recordId,
    version: event.version,
    action: event.action,
    updatedAt: event.at,
    updatedBy: { id: event.user.id, name: event.user.name ?? "" },
    batchId: event.batchId ?? null,
    matches,
  });
}

function listMessage(message: ListMessage): string {
  return message.kind === "record"
    ? recordMessage(message.event, message.matches)
    : presenceMessage(message.recordId, message.users);
}

/**
 * `text/event-stream` of a collection: `ready {collection, at, presence}` first (`presence`:
 * who has which of its records open now, by record id), then `record` for every write to any of
 * its records (create, update, delete, restore, …, from any app instance) with `matches` for
 * the stream's `filter` and `q`, `presence` `{recordId, users}` whenever someone opens or
 * leaves one of its records' pages (or starts or stops editing), and `: ping` every 15 s. The
 * open stream is a row in list_watchers, which makes the collection's writes notify; this
 * process hears each notification once and fans it out to its open lists (lib/list-fanout.ts).
 * With `?since=` (when the page was loaded), the writes between then and the stream's start
 * come first, from the revisions, so nothing falls between the page and its stream.
 */
export const GET = apiRoute<Params>("viewer", async ({ request, db, actor, params, token }) => {
  const query = readQuery(request, eventsQuery);
  if (!query.ok) return query.response;
  const collection = await findCollection(db, params.slug);
  if (!collection) return fail({ code: "not_found" });
  const { filter, q } = query.value;
  const conditions = listConditions(collection, { filter, q }, actor.id);
  if (!conditions.ok) return fail(conditions.error);
  // Lists with the same filter and search share one match per write; "$me" makes it personal.
  const filterKey = filter?.trim() ?? "";
  const condition = {
    key: JSON.stringify([filterKey, q?.trim() ?? "", filterKey.includes("$me") ? actor.id : ""]),
    where: conditions.where,
  };
  const watch = { id: randomUUID(), collectionId: collection.id, userId: actor.id };
  const early: ListMessage[] = [];
  let deliver: (message: ListMessage) => void = (message) => early.push(message);
  const unwatch = await watchList(db, collection.id, condition, (message) => deliver(message));
  try {
    await joinListWatch(db, watch);
  } catch (error) {
    unwatch();
    throw error;
  }
  // After the join and the subscription: a write is in this catch-up, or announced, or both
  // (the client ignores versions it has already seen).
  const missed: ListMessage[] = [];
  let present: Awaited<ReturnType<typeof presenceOfCollection>>;
  try {
    present = await presenceOfCollection(db, collection.id);
    if (query.value.since) {
      const writes = await writesSince(db, collection.id, new Date(query.value.since));
      const matched = await matchWrites(
        db,
        [condition],
        writes.map((w) => w.recordId),
      );
      for (const event of writes) {
        missed.push({
          kind: "record",
          event,
          matches: matched.get(condition.key)?.get(event.recordId.toLowerCase()) ?? false,
        });
      }
    }
  } catch (error) {
    unwatch();
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
    first: sseEvent("ready", { collection: collection.slug, at: new Date().toISOString(), presence: present }),
    onPing: () => queue("touch", () => touchListWatch(db, watch)),
    access: { db, token, actorId: actor.id },
    onClose: () => {
      unwatch();
      queue("leave", () => leaveListWatch(db, watch.id));
    },
  });
  deliver = (message) => stream.send(listMessage(message));
  for (const message of missed) deliver(message);
  for (const message of early.splice(0)) deliver(message);
  return stream.response;
});

registerRoute({
  method: "get",
  path: "/api/collections/{slug}/events",
  summary:
    "Server-sent events: `ready`, then `record` (with `matches` for `filter`/`q`) for every write to the collection's records, and `presence` `{recordId, users}` of its records",
  role: "viewer",
  params: slugParams,
  query: eventsQuery,
  responses: { 200: { description: "An event stream", schema: z.string(), type: "text/event-stream" } },
  errors: [400, 404, 429],
});
