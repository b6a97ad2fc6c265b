import { afterEach, describe, expect, it, vi } from "vitest";
import { parseLiveEvent } from "@/lib/live-events";
import { EVENT_STREAM_HEADERS, eventStream, liveEventMessage, PING_INTERVAL_MS } from "./event-stream";

const RECORD = "8a269628-126b-41d3-9187-f35e550aa85f";

async function readAll(response: Response): Promise<string> {
  return response.text();
}

describe("liveEventMessage", () => {
  it("formats each kind of live event as the API documents it", () => {
    const record = parseLiveEvent(
      JSON.stringify({
        kind: "record",
        recordId: RECORD,
        version: 2,
        action: "merge",
        at: "2026-11-23T17:52:27.454Z",
        user: { id: "u1", name: "Ann" },
      }),
    );
    expect(record && liveEventMessage(record)).toBe(
      `event: record\ndata: {"id":"${RECORD}","version":2,"action":"merge","updatedAt":"2026-11-23T17:52:27.454Z","updatedBy":{"id":"u1","name":"Ann"}}\n\n`,
    );
    const lease = parseLiveEvent(JSON.stringify({ kind: "lease", recordId: RECORD, holder: null, expiresAt: null }));
    expect(lease && liveEventMessage(lease)).toBe(
      `event: lease\ndata: {"recordId":"${RECORD}","holder":null,"expiresAt":null}\n\n`,
    );
    const seats = parseLiveEvent(JSON.stringify({ kind: "reservations", recordId: RECORD, taken: 3, capacity: 10 }));
    expect(seats && liveEventMessage(seats)).toBe(
      `event: reservations\ndata: {"recordId":"${RECORD}","taken":3,"capacity":10}\n\n`,
    );
  });

  it("ignores payloads that are not live events", () => {
    expect(parseLiveEvent("not json")).toBeNull();
    expect(parseLiveEvent(JSON.stringify({ kind: "other", recordId: RECORD }))).toBeNull();
    expect(parseLiveEvent(JSON.stringify({ kind: "record", recordId: RECORD }))).toBeNull();
  });
});

describe("eventStream", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the first message, queued messages, pings, and closes once on abort", async () => {
    vi.useFakeTimers();
    const abort = new AbortController();
    const onClose = vi.fn();
    const stream = eventStream({ signal: abort.signal, first: "event: ready\ndata: {}\n\n", onClose });
    for (const [name, value] of Object.entries(EVENT_STREAM_HEADERS)) {
      expect(stream.response.headers.get(name)).toBe(value);
    }
    stream.send("event: x\ndata: 1\n\n");
    vi.advanceTimersByTime(PING_INTERVAL_MS * 2);
    abort.abort();
    abort.abort();
    stream.send("event: late\ndata: 2\n\n");
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(await readAll(stream.response)).toBe("event: ready\ndata: {}\n\nevent: x\ndata: 1\n\n: ping\n\n: ping\n\n");
  });

  it("closes when the reader cancels, and at once for an already aborted request", async () => {
    const onClose = vi.fn();
    const stream = eventStream({ signal: new AbortController().signal, first: ": hi\n\n", onClose });
    await stream.response.body?.cancel();
    expect(onClose).toHaveBeenCalledTimes(1);

    const aborted = new AbortController();
    aborted.abort();
    const onAbortedClose = vi.fn();
    eventStream({ signal: aborted.signal, first: ": hi\n\n", onClose: onAbortedClose });
    expect(onAbortedClose).toHaveBeenCalledTimes(1);
  });
});
