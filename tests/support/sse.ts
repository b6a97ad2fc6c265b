/** One server-sent event as the tests read it: its name and its JSON data. */
export type SseEvent = { event: string; data: unknown };

/**
 * Reads events from an event stream's body: `nextWhere(wanted)` is the next event it accepts
 * (comments and pings skipped, others passed over); it fails after `timeoutMs` or at the end.
 */
export function sseReader(reader: ReadableStreamDefaultReader<Uint8Array>, timeoutMs: number) {
  const decoder = new TextDecoder();
  let buffer = "";
  const readEvent = async (): Promise<SseEvent> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = frame.split("\n").filter((line) => !line.startsWith(":"));
        if (lines.length === 0) continue; // a ping
        const event = lines.find((line) => line.startsWith("event: "))?.slice(7) ?? "message";
        const data = lines
          .filter((line) => line.startsWith("data: "))
          .map((line) => line.slice(6))
          .join("\n");
        return { event, data: JSON.parse(data) };
      }
      const { done, value } = await reader.read();
      if (done) throw new Error("the event stream ended");
      buffer += decoder.decode(value, { stream: true });
    }
  };
  const readMatching = async (wanted: (event: SseEvent) => boolean): Promise<SseEvent> => {
    for (;;) {
      const event = await readEvent();
      if (wanted(event)) return event;
    }
  };
  const nextWhere = (wanted: (event: SseEvent) => boolean) =>
    new Promise<SseEvent>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no event arrived")), timeoutMs);
      readMatching(wanted).then(
        (event) => {
          clearTimeout(timer);
          resolve(event);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  return { nextWhere };
}
