import { type LiveEvent, subscribe } from "@/lib/live-events";
import { loadRecord } from "@/lib/records/queries";
import { eventStream, liveEventMessage, sseEvent } from "../../../_lib/event-stream";
import { apiRoute, fail } from "../../../_lib/route";

type Params = { id: string };

/**
 * `text/event-stream` of one record: `ready` with its current version first, then `record`
 * (every new version), `lease` (acquired, renewed, taken over, released, broken) and
 * `reservations` (the seat counter), and a `: ping` comment every 15 s. Events come from
 * PostgreSQL's NOTIFY (lib/live-events.ts), so writes through any app instance arrive.
 */
export const GET = apiRoute<Params>("viewer", async ({ request, db, params }) => {
  // Events until the stream exists are kept, then sent after `ready`.
  const early: LiveEvent[] = [];
  let deliver: (event: LiveEvent) => void = (event) => early.push(event);
  // Subscribed before the record is read: a write committed in between is not missed.
  const unsubscribe = await subscribe(params.id, (event) => deliver(event));
  let record: Awaited<ReturnType<typeof loadRecord>>;
  try {
    record = await loadRecord(db, params.id);
  } catch (error) {
    unsubscribe();
    throw error;
  }
  if (!record) {
    unsubscribe();
    return fail({ code: "not_found" });
  }
  const stream = eventStream({
    signal: request.signal,
    first: sseEvent("ready", { id: record.id, version: record.version, deleted: record.deletedAt !== null }),
    onClose: unsubscribe,
  });
  deliver = (event) => stream.send(liveEventMessage(event));
  for (const event of early.splice(0)) deliver(event);
  return stream.response;
});
