import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseLiveEvent } from "@/lib/live-events";
import { EVENT_STREAM_HEADERS, eventStream, liveEventMessage, PING_INTERVAL_MS, presenceMessage } from "./event-stream";

const RECORD = "8a269628-126b-41d3-9187-f35e550aa85f";

async function readAll(response: Response): Promise<string> {
  return response.text();
}

/** A notification's payload as the stream sends it. */
function message(payload: object): string {
  const event = parseLiveEvent(JSON.stringify(payload));
  if (!event || event.kind === "presence" || event.kind === "access")
    throw new Error(`not a streamed event: ${JSON.stringify(payload)}`);
  return liveEventMessage(event);
}

describe("liveEventMessage", () => {
  it("formats each kind of live event as the API documents it", () => {
    expect(
      message({
        kind: "record",
        recordId: RECORD,
        version: 2,
        action: "merge",
        at: "2026-11-23T17:52:27.454Z",
        user: { id: "u1", name: "Ann" },
      }),
    ).toBe(
      `event: record\ndata: {"id":"${RECORD}","version":2,"action":"merge","updatedAt":"2026-11-23T17:52:27.454Z","updatedBy":{"id":"u1","name":"Ann"}}\n\n`,
    );
    expect(message({ kind: "lease", recordId: RECORD, holder: null, expiresAt: null })).toBe(
      `event: lease\ndata: {"recordId":"${RECORD}","holder":null,"expiresAt":null}\n\n`,
    );
    expect(message({ kind: "reservations", recordId: RECORD, taken: 3, capacity: 10 })).toBe(
      `event: reservations\ndata: {"recordId":"${RECORD}","taken":3,"capacity":10}\n\n`,
    );
  });

  it("reads a presence notification, which names only the tab; the stream sends the list", () => {
    expect(parseLiveEvent(JSON.stringify({ kind: "presence", recordId: RECORD, presenceId: "p1" }))).toEqual({
      kind: "presence",
      recordId: RECORD,
      presenceId: "p1",
    });
    const users = [{ id: "u1", name: "Ann", since: "2026-11-23T17:52:27.454Z", editing: true }];
    expect(presenceMessage(RECORD, users)).toBe(
      `event: presence\ndata: {"recordId":"${RECORD}","users":[{"id":"u1","name":"Ann","since":"2026-11-23T17:52:27.454Z","editing":true}]}\n\n`,
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

  it("sends the first message, queued messages, pings (calling onPing), and closes once on abort", async () => {
    vi.useFakeTimers();
    const abort = new AbortController();
    const onClose = vi.fn();
    const onPing = vi.fn();
    const stream = eventStream({
      request: new Request("http://localhost/", { signal: abort.signal }),
      first: "event: ready\ndata: {}\n\n",
      onClose,
      onPing,
    });
    for (const [name, value] of Object.entries(EVENT_STREAM_HEADERS)) {
      expect(stream.response.headers.get(name)).toBe(value);
    }
    stream.send("event: x\ndata: 1\n\n");
    vi.advanceTimersByTime(PING_INTERVAL_MS * 2);
    abort.abort();
    abort.abort();
    stream.send("event: late\ndata: 2\n\n");
    vi.advanceTimersByTime(PING_INTERVAL_MS * 2);
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(onPing).toHaveBeenCalledTimes(2);
    expect(await readAll(stream.response)).toBe("event: ready\ndata: {}\n\nevent: x\ndata: 1\n\n: ping\n\n: ping\n\n");
  });

  it("still closes when its client goes away after everyone else has dropped the Request (garbage collected)", async () => {
    setFlagsFromString("--expose-gc");
    const collectGarbage = runInNewContext("gc") as () => void;
    const abort = new AbortController();
    const onClose = vi.fn();
    // Only the stream refers to the Request from here on, as in a route handler that returned.
    const stream = eventStream({
      request: new Request("http://localhost/", { signal: abort.signal }),
      first: ": hi\n\n",
      onClose,
    });
    for (let round = 0; round < 3; round++) {
      collectGarbage();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    abort.abort();
    expect(onClose).toHaveBeenCalledTimes(1);
    await stream.response.body?.cancel();
  });

  it("closes when the reader cancels, and at once for an already aborted request", async () => {
    const onClose = vi.fn();
    const stream = eventStream({ request: new Request("http://localhost/"), first: ": hi\n\n", onClose });
    await stream.response.body?.cancel();
    expect(onClose).toHaveBeenCalledTimes(1);

    const aborted = new AbortController();
    aborted.abort();
    const onAbortedClose = vi.fn();
    eventStream({
      request: new Request("http://localhost/", { signal: aborted.signal }),
      first: ": hi\n\n",
      onClose: onAbortedClose,
    });
    expect(onAbortedClose).toHaveBeenCalledTimes(1);
  });
});
