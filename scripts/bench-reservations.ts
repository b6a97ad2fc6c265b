/**
 * Reservations per second on ONE hot event: the domain function (`reserveSeats`, through
 * drizzle) against a raw-SQL baseline of the same transaction through postgres.js, at 1 and
 * 16 concurrent clients, interleaved in the same run so both see the same machine.
 *
 *   npx tsx --conditions=react-server scripts/bench-reservations.ts   # starts a throwaway PostgreSQL (or TEST_DATABASE_URL)
 *   BENCH_SECONDS=5 BENCH_ROUNDS=4 npx tsx --conditions=react-server scripts/bench-reservations.ts
 *
 * `benchReservations(url)` runs against any migrated-or-empty database (it migrates, creates a
 * bench collection, user and event, and removes them afterwards).
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openPostgres, queryRows } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import type { Actor } from "@/lib/auth/actor";
import { createRecord } from "@/lib/records/create-record";
import { reserveSeats } from "@/lib/reservations/reserve-seats";
import { startPostgresServer } from "../tests/support/postgres-server";
import { type BenchClient, runClosedLoop } from "./bench-load";
import { latencySummary } from "./bench-stats";

/**
 * "raw SQL": postgres.js tagged templates, which it prepares once per connection. "raw SQL,
 * unprepared": the same statements sent the way drizzle's `db.execute` sends them (parsed and
 * planned every time), which separates that cost from the rest of the domain path.
 */
const NAMES = ["raw SQL", "raw SQL, unprepared", "reserveSeats"] as const;
export type ReservationVariant = (typeof NAMES)[number];

export type ReservationBenchRow = {
  clients: number;
  variant: ReservationVariant;
  ops: number;
  opsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  /** This variant's ops/s ÷ raw SQL's at the same concurrency (null on the raw SQL row). */
  ratio: number | null;
};

export type ReservationBenchOptions = {
  /** Concurrency levels; default [1, 16]. */
  clients?: number[];
  /** Measured time per variant per round; default 3000 ms. */
  durationMs?: number;
  /** Rounds, alternating the variants' order; default 2. */
  rounds?: number;
  log?: (line: string) => void;
};

const HOT_CAPACITY = 2_000_000_000;

/** Runs `op` on `clients` concurrent workers for `durationMs` (the bench harness's closed loop). */
async function measure(
  clients: number,
  durationMs: number,
  op: () => Promise<void>,
): Promise<{ ops: number; seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const client: BenchClient = {
    run: async () => {
      await op();
      return "ok";
    },
    resync: async () => {},
  };
  const result = await runClosedLoop(
    Array.from({ length: clients }, () => client),
    { warmupMs: 0, durationMs, signal: new AbortController().signal, record: latencies },
  );
  if (result.errors > 0) throw new Error(result.firstError ?? "the operation failed");
  return { ops: result.ops, seconds: result.seconds, latencies };
}

export async function benchReservations(
  url: string,
  options: ReservationBenchOptions = {},
): Promise<ReservationBenchRow[]> {
  const levels = options.clients ?? [1, 16];
  const durationMs = options.durationMs ?? 3000;
  const rounds = options.rounds ?? 2;
  const log = options.log ?? (() => {});
  const poolSize = Math.max(...levels) + 1;

  const database = await openPostgres(url, { max: poolSize });
  const raw = postgres(url, { max: poolSize, onnotice: () => {} });
  const slug = `bench_seats_${randomUUID().slice(0, 8)}`;
  let actor: Actor | null = null;
  let recordId: string | null = null;
  try {
    await migrateDatabase(database);
    const email = `${slug}@bench.invalid`;
    const [user] = await queryRows<{ id: string }>(
      database.db,
      sql`insert into users (email, name, role, password_hash) values (${email}, 'Bench', 'editor', '!no-password')
          returning id`,
    );
    if (!user) throw new Error("bench user insert returned no row");
    actor = { id: user.id, name: "Bench", email, role: "editor" };
    const fields = [
      { key: "name", label: "Name", type: "text", required: true },
      { key: "capacity", label: "Capacity", type: "integer", required: true, min: 0 },
    ];
    await queryRows(
      database.db,
      sql`insert into collections (slug, name, fields, capacity_field)
          values (${slug}, 'Bench events', ${JSON.stringify(fields)}::jsonb, 'capacity')`,
    );
    const created = await createRecord(database.db, actor, {
      collectionSlug: slug,
      values: { name: "Hot event", capacity: HOT_CAPACITY },
    });
    if (!created.ok) throw new Error(`bench event: ${JSON.stringify(created.error)}`);
    const hot = created.record.id;
    recordId = hot;
    const who = actor;

    // The same transaction by hand, statement for statement what reserveSeats sends: lock the
    // counter (checking the event is live and takes reservations), check, insert, count.
    type Locked = { capacity: number; taken: number; open: boolean };
    const rawReserve = async () => {
      await raw.begin(async (tx) => {
        const [row] = await tx<Locked[]>`
          select rc.capacity, rc.taken, (r.deleted_at is null and c.capacity_field is not null) as open
            from record_capacity rc
            join records r on r.id = rc.record_id
            join collections c on c.id = r.collection_id
           where rc.record_id = ${hot}
             for update of rc`;
        if (!row?.open || row.capacity - row.taken < 1) throw new Error("sold out");
        await tx`insert into reservations (record_id, user_id, seats, request_id)
                 values (${hot}, ${who.id}, 1, null) returning id, at`;
        await tx`update record_capacity set taken = taken + 1 where record_id = ${hot}
                 returning capacity - taken as remaining`;
      });
    };
    const unpreparedReserve = async () => {
      await raw.begin(async (tx) => {
        const [row] = await tx.unsafe<Locked[]>(
          `select rc.capacity, rc.taken, (r.deleted_at is null and c.capacity_field is not null) as open
             from record_capacity rc
             join records r on r.id = rc.record_id
             join collections c on c.id = r.collection_id
            where rc.record_id = $1
              for update of rc`,
          [hot],
        );
        if (!row?.open || row.capacity - row.taken < 1) throw new Error("sold out");
        await tx.unsafe(
          "insert into reservations (record_id, user_id, seats, request_id) values ($1, $2, 1, null) returning id, at",
          [hot, who.id],
        );
        await tx.unsafe(
          "update record_capacity set taken = taken + 1 where record_id = $1 returning capacity - taken as remaining",
          [hot],
        );
      });
    };
    const domainReserve = async () => {
      const result = await reserveSeats(database.db, who, { recordId: hot, seats: 1 });
      if (!result.ok) throw new Error(`reserveSeats: ${JSON.stringify(result.error)}`);
    };
    const variants: Record<ReservationVariant, () => Promise<void>> = {
      "raw SQL": rawReserve,
      "raw SQL, unprepared": unpreparedReserve,
      reserveSeats: domainReserve,
    };

    // Warm both pools up to the highest concurrency.
    for (const op of Object.values(variants)) await measure(poolSize - 1, 300, op);

    const rows: ReservationBenchRow[] = [];
    for (const clients of levels) {
      const pooled = Object.fromEntries(
        NAMES.map((name) => [name, { ops: 0, seconds: 0, latencies: [] as number[] }]),
      ) as Record<ReservationVariant, { ops: number; seconds: number; latencies: number[] }>;
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? NAMES : [...NAMES].reverse();
        for (const name of order) {
          const run = await measure(clients, durationMs, variants[name]);
          const into = pooled[name];
          into.ops += run.ops;
          into.seconds += run.seconds;
          into.latencies.push(...run.latencies);
          log(`  ${clients} client(s), round ${round + 1}, ${name}: ${Math.round(run.ops / run.seconds)} ops/s`);
        }
      }
      const rawRate = pooled["raw SQL"].ops / pooled["raw SQL"].seconds;
      for (const name of NAMES) {
        const { ops, seconds, latencies } = pooled[name];
        const { p50Ms, p95Ms } = latencySummary(latencies);
        const rate = ops / seconds;
        rows.push({
          clients,
          variant: name,
          ops,
          opsPerSecond: Math.round(rate),
          p50Ms: Number(p50Ms.toFixed(2)),
          p95Ms: Number(p95Ms.toFixed(2)),
          ratio: name === "raw SQL" ? null : Number((rate / rawRate).toFixed(2)),
        });
      }
    }

    // Every reservation was counted exactly once: the invariant holds after the run as well.
    const [check] = await queryRows<{ taken: number; active: number }>(
      database.db,
      sql`select rc.taken, (select count(*)::int from reservations where record_id = rc.record_id) as active
            from record_capacity rc where rc.record_id = ${hot}`,
    );
    if (!check || check.taken !== check.active) throw new Error(`counter drifted: ${JSON.stringify(check)}`);
    return rows;
  } finally {
    if (recordId) {
      await queryRows(database.db, sql`delete from reservations where record_id = ${recordId}`);
      await queryRows(database.db, sql`delete from record_capacity where record_id = ${recordId}`);
      await queryRows(database.db, sql`delete from revisions where record_id = ${recordId}`);
      await queryRows(database.db, sql`delete from records where id = ${recordId}`);
    }
    await queryRows(database.db, sql`delete from collections where slug = ${slug}`);
    if (actor) await queryRows(database.db, sql`delete from users where id = ${actor.id}`);
    await raw.end({ timeout: 5 });
    await database.close();
  }
}

export function formatReservationBench(rows: ReservationBenchRow[]): string {
  const lines = [
    "| clients | variant | reservations/s | p50 ms | p95 ms | ÷ raw SQL |",
    "|---:|---|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.clients} | ${r.variant} | ${r.opsPerSecond} | ${r.p50Ms} | ${r.p95Ms} | ${r.ratio === null ? "" : r.ratio} |`,
    );
  }
  return lines.join("\n");
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const server = await startPostgresServer({ name: "bench-reservations" });
  try {
    const durationMs = Number(process.env.BENCH_SECONDS ?? 3) * 1000;
    const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
    console.log(
      `Reservations on one hot event, ${durationMs / 1000} s per variant per round, ${rounds} rounds interleaved…`,
    );
    const rows = await benchReservations(server.url(), { durationMs, rounds, log: (line) => console.log(line) });
    console.log(`\n${formatReservationBench(rows)}`);
  } finally {
    await server.stop();
  }
}
