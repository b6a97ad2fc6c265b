/**
 * A second app instance for integration tests, in a process of its own: it opens the real
 * `GET /api/collections/:slug/events` route handler (an open list) against DATABASE_URL and
 * reports on stdout, one JSON line each: every SSE event it receives (`ready` first), and
 * `{"closed":true}` when the stream ends. Run with
 * `node --conditions=react-server --import tsx tests/support/list-stream-instance.ts <slug> <token> [query]`.
 */
import { GET as eventsRoute } from "@/app/api/collections/[slug]/events/route";

const [slug, token, query = ""] = process.argv.slice(2);
if (!slug || !token) throw new Error("usage: list-stream-instance.ts <slug> <token> [query]");

const response = await eventsRoute(
  new Request(`http://localhost:3000/api/collections/${slug}/events${query}`, {
    headers: { authorization: `Bearer ${token}`, host: "localhost:3000" },
  }),
  { params: Promise.resolve({ slug }) },
);
const say = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);
if (response.status !== 200 || !response.body) {
  say({ status: response.status });
  process.exit(1);
}
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
