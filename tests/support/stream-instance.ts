/**
 * A second app instance for integration tests, in a process of its own: it opens a real
 * events route handler against DATABASE_URL — a record's (`GET /api/records/:id/events`) or an
 * open list's (`GET /api/collections/:slug/events`) — and reports on stdout, one JSON line
 * each: `{"open":true}` once the stream is ready, every SSE event it receives, and
 * `{"closed":true}` when the server ends the stream. Run with
 * `node --conditions=react-server --import tsx tests/support/stream-instance.ts records <recordId> <token>`
 * or `… stream-instance.ts collections <slug> <token> [?query]`.
 */
import { GET as listEventsRoute } from "@/app/api/collections/[slug]/events/route";
import { GET as recordEventsRoute } from "@/app/api/records/[id]/events/route";

const [kind, target, token, query = ""] = process.argv.slice(2);
if ((kind !== "records" && kind !== "collections") || !target || !token) {
  throw new Error("usage: stream-instance.ts records|collections <recordId|slug> <token> [query]");
}
const request = new Request(`http://localhost:3000/api/${kind}/${target}/events${query}`, {
  headers: { authorization: `Bearer ${token}`, host: "localhost:3000" },
});
const response =
  kind === "records"
    ? await recordEventsRoute(request, { params: Promise.resolve({ id: target }) })
    : await listEventsRoute(request, { params: Promise.resolve({ slug: target }) });
const say = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);
if (response.status !== 200 || !response.body) {
  say({ status: response.status });
  process.exit(1);
}
say({ open: true });
const reader = response.body.getReader();
const decoder = new TextDecoder();
let buffer = "";
for (;;) {
  const { done, value } = await reader.read();
  if (done) break;
  buffer += decoder.decode(value, { stream: true });
  for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
    const frame = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    const event = frame.match(/^event: (.*)$/m)?.[1];
    const data = frame.match(/^data: (.*)$/m)?.[1];
    if (event && data) say({ event, data: JSON.parse(data) });
  }
}
say({ closed: true });
// Stays up, as a server would, so what the route does after a stream closes (its presence row
// is deleted) still happens; the test kills this process when it is done.
