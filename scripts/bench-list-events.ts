/**
 * npm run bench:list-events — commit-to-event latency of open lists (issue 12, "Live lists"):
 * N open list streams (GET /api/collections/:slug/events, the route handler itself, in this
 * process, with three different filters among them) and writes committed through another
 * connection, as another app instance's would. For each write: the time from its commit until
 * the LAST of the N streams has read its event, p50/p95, and how many database reads the
 * process made per write for the fan-out (it should not grow with N). BENCH_LIST_STREAMS sets
 * the sizes (default "1,200"), BENCH_LIST_WRITES the writes per size (default 40).
 */
import { sql } from "drizzle-orm";
import { GET as eventsRoute } from "../app/api/collections/[slug]/events/route";
import { openPostgres, queryRows } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { createSession } from "../lib/auth/sessions";
import type { FieldDefinition } from "../lib/fields";
import { listFanoutQueries } from "../lib/list-fanout";
import { createRecord } from "../lib/records/create-record";
import { startPostgresServer } from "../tests/support/postgres-server";

const SIZES = (process.env.BENCH_LIST_STREAMS ?? "1,200").split(",").map(Number);
const WRITES = Number(process.env.BENCH_LIST_WRITES ?? 40);
const FIELDS: FieldDefinition[] = [
  { key: "title", label: "Title", type: "text", required: true, listed: true },
  { key: "status", label: "Status", type: "select", options: ["Open", "Closed"], listed: true },
];
const FILTERS = ["", JSON.stringify({ status: { _eq: "Open" } }), JSON.stringify({ title: { _contains: "bench" } })];

const server = await startPostgresServer({ name: "bench-list-events", fsync: false });
const streams: AbortController[] = [];
try {
  process.env.DATABASE_URL = server.url();
  process.env.TANDEM_PEER_SECRET ||= "bench-peer-secret";
  // The writer: another pool, as another app instance.
  const writer = await openPostgres(server.url(), { max: 2 });
  await migrateDatabase(writer);
  const [user] = await queryRows<{ id: string }>(
    writer.db,
    sql`insert into users (email, name, role, password_hash) values ('bench@example.com', 'Bench', 'editor', '!') returning id`,
  );
  await queryRows(
    writer.db,
    sql`insert into collections (slug, name, fields) values ('bench', 'Bench', ${JSON.stringify(FIELDS)}::jsonb)`,
  );
  if (!user) throw new Error("seed failed");
  const actor = { id: user.id, email: "bench@example.com", name: "Bench", role: "editor" as const };
  const { token } = await createSession(writer.db, user.id);

  console.log("| open lists | writes | commit → last list's event p50 ms | p95 ms | fan-out reads per write |");
  console.log("|---:|---:|---:|---:|---:|");
  for (const size of SIZES) {
    const arrivals = new Map<string, number[]>();
    const opened: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const controller = new AbortController();
      streams.push(controller);
      const filter = FILTERS[i % FILTERS.length] ?? "";
      const query = filter ? `?filter=${encodeURIComponent(filter)}` : "";
      opened.push(
        eventsRoute(
          new Request(`http://localhost:3000/api/collections/bench/events${query}`, {
            headers: { authorization: `Bearer ${token}`, host: "localhost:3000" },
            signal: controller.signal,
          }),
          { params: Promise.resolve({ slug: "bench" }) },
        ).then(async (response) => {
          if (response.status !== 200 || !response.body) throw new Error(`stream answered ${response.status}`);
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let buffer = "";
          void (async () => {
            for (;;) {
              const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
              if (done) return;
              buffer += decoder.decode(value, { stream: true });
              let end = buffer.indexOf("\n\n");
              while (end >= 0) {
                const frame = buffer.slice(0, end);
                buffer = buffer.slice(end + 2);
                const at = performance.now();
                if (frame.startsWith("event: record")) {
                  const data = JSON.parse(frame.slice(frame.indexOf("data: ") + 6)) as { id: string };
                  const list = arrivals.get(data.id) ?? [];
                  list.push(at);
                  arrivals.set(data.id, list);
                }
                end = buffer.indexOf("\n\n");
              }
            }
          })();
        }),
      );
    }
    await Promise.all(opened);
    const latencies: number[] = [];
    const readsBefore = listFanoutQueries();
    for (let i = 0; i < WRITES; i++) {
      const created = await createRecord(writer.db, actor, {
        collectionSlug: "bench",
        values: { title: `bench ${i}`, status: i % 2 ? "Open" : "Closed" },
      });
      const committed = performance.now();
      if (!created.ok) throw new Error(JSON.stringify(created.error));
      const id = created.record.id;
      const deadline = committed + 10_000;
      while ((arrivals.get(id)?.length ?? 0) < size) {
        if (performance.now() > deadline)
          throw new Error(`write ${i}: only ${arrivals.get(id)?.length ?? 0} of ${size} lists heard it`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      latencies.push(Math.max(...(arrivals.get(id) ?? [])) - committed);
    }
    const reads = (listFanoutQueries() - readsBefore) / WRITES;
    latencies.sort((a, b) => a - b);
    const p = (q: number) =>
      (latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0).toFixed(1);
    console.log(`| ${size} | ${WRITES} | ${p(0.5)} | ${p(0.95)} | ${reads.toFixed(2)} |`);
    for (const controller of streams.splice(0)) controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await writer.close();
} finally {
  for (const controller of streams) controller.abort();
  await server.stop();
  process.exit(0);
}
