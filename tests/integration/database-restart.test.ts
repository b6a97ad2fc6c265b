import net from "node:net";
import { sql as dsql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "@/lib/database-errors";
import { type PostgresServer, startPostgresServer } from "../support/postgres-server";

/**
 * Guarantee 9: a database restart fails in-flight work with a retryable error (503) and
 * never takes the app process down. postgres.js 3.4.9 throws an uncatchable TypeError from
 * `nextWrite` when a backend dies under an open `sql.begin` (its automatic ROLLBACK is
 * written to a socket that `closed()` already nulled); patches/postgres+3.4.9.patch fixes it.
 */

const SETTLE_MS = 15_000;

let server: PostgresServer;
let admin: postgres.Sql;
const clients: postgres.Sql[] = [];

function client(max: number, url = server.url()): postgres.Sql {
  const sql = postgres(url, { max, onnotice: () => {}, connect_timeout: 10 });
  clients.push(sql);
  return sql;
}

/** The promise's value, or a failure if it never settles (a wedged connection). */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${SETTLE_MS} ms`)), SETTLE_MS);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Resolves to how the promise settled, or fails the test if it never does. */
function outcome<T>(promise: Promise<T>, what: string): Promise<Outcome<T>> {
  return within(
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    what,
  );
}

/** Records uncaught exceptions and unhandled rejections while a scenario runs. */
function watchProcess() {
  const uncaught: unknown[] = [];
  const unhandled: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUnhandled);
  return {
    uncaught,
    unhandled,
    stop() {
      process.off("uncaughtException", onUncaught);
      process.off("unhandledRejection", onUnhandled);
    },
  };
}

const describeError = (error: unknown) =>
  error instanceof Error
    ? `${error.name}: ${error.message} ${(error as { code?: string }).code ?? ""}`.trim()
    : String(error);

/** Lets deferred driver work (setImmediate writes, reconnect timers) run before asserting. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until each backend pid is running a statement (`pg_sleep`), so a query is in flight. */
async function waitUntilActive(pids: number[]): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (Date.now() < deadline) {
    const rows = await admin<{ pid: number }[]>`
      select pid from pg_stat_activity
      where pid = any(${pids}::int[]) and state = 'active' and query like '%pg_sleep%'`;
    if (rows.length === pids.length) return;
    await pause(20);
  }
  throw new Error(`backends ${pids.join(", ")} never became active`);
}

/** Starts a transaction that reports its backend pid, then blocks on a long statement. */
function openTransaction(sql: postgres.Sql) {
  let reportPid: (pid: number) => void = () => {};
  const pid = new Promise<number>((resolve) => {
    reportPid = resolve;
  });
  const done = sql.begin(async (tx) => {
    const [row] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
    reportPid(row?.pid ?? -1);
    await tx`select pg_sleep(60)`;
    return "committed";
  });
  return { pid, done };
}

/** The same through drizzle: `db.transaction` is `sql.begin` underneath. */
function openDrizzleTransaction(sql: postgres.Sql) {
  const db = drizzle(sql);
  let reportPid: (pid: number) => void = () => {};
  const pid = new Promise<number>((resolve) => {
    reportPid = resolve;
  });
  const done = db.transaction(async (tx) => {
    const rows = (await tx.execute(dsql`select pg_backend_pid() as pid`)) as unknown as { pid: number }[];
    reportPid(rows[0]?.pid ?? -1);
    await tx.execute(dsql`select pg_sleep(60)`);
    return "committed";
  });
  return { pid, done };
}

function expectUnavailable(result: { ok: boolean; error?: unknown }, what: string) {
  expect(result.ok, `${what} should have failed`).toBe(false);
  const error = (result as { error: unknown }).error;
  expect(isDatabaseUnavailable(error), `${what} failed with ${describeError(error)}`).toBe(true);
}

async function expectHealthy(sql: postgres.Sql, count: number) {
  const results = await outcome(
    Promise.all(Array.from({ length: count }, (_, i) => sql<{ n: number }[]>`select ${i}::int as n`)),
    `${count} queries`,
  );
  if (!results.ok) throw results.error;
  expect(results.value.map(([row]) => row?.n)).toEqual(Array.from({ length: count }, (_, i) => i));
  // Transactions work again too, on the same client.
  const tx = await outcome(
    sql.begin(async (t) => (await t<{ one: number }[]>`select 1 as one`)[0]?.one),
    "a transaction after recovery",
  );
  expect(tx).toEqual({ ok: true, value: 1 });
}

/**
 * A TCP relay in front of the server that can reset its client sockets: a network drop
 * (ECONNRESET), where the driver sees 'error' before 'close', unlike a backend that exits.
 */
async function startResettingProxy(target: string) {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((inbound) => {
    const outbound = net.connect(Number(port), hostname);
    sockets.add(inbound);
    inbound.on("error", () => outbound.destroy());
    outbound.on("error", () => inbound.destroy());
    inbound.on("close", () => {
      sockets.delete(inbound);
      outbound.destroy();
    });
    outbound.on("close", () => inbound.destroy());
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const url = new URL(target);
  url.port = String((relay.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    reset: () => {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    close: () => new Promise<void>((resolve) => relay.close(() => resolve())),
  };
}

let proxy: Awaited<ReturnType<typeof startResettingProxy>> | undefined;

beforeAll(async () => {
  // Always our own embedded server, even when TEST_DATABASE_URL names a shared one: this
  // file stops and starts it, which must not disturb other test files.
  const shared = process.env.TEST_DATABASE_URL;
  delete process.env.TEST_DATABASE_URL;
  try {
    server = await startPostgresServer({ name: "restart" });
  } finally {
    if (shared !== undefined) process.env.TEST_DATABASE_URL = shared;
  }
  admin = postgres(server.url(), { max: 1, onnotice: () => {} });
  proxy = await startResettingProxy(server.url());
});

afterAll(async () => {
  await Promise.allSettled([...clients, admin].filter(Boolean).map((sql) => sql.end({ timeout: 5 })));
  await proxy?.close();
  await server?.stop();
});

describe("database restart (guarantee 9)", () => {
  // max: 1 so "the next query on the same client" runs on the very connection that died.
  let single: postgres.Sql;
  let reset: postgres.Sql;
  let pooled: postgres.Sql;
  let loaded: postgres.Sql;

  it("a terminated backend under an open transaction rejects it cleanly and the client recovers", async () => {
    const watch = watchProcess();
    try {
      single = client(1);
      await single`select 1`; // connected and warm
      const { pid, done } = openTransaction(single);
      const backend = await within(pid, "the transaction's first statement");
      await waitUntilActive([backend]);

      const settled = outcome(done, "the transaction"); // observed before it can reject
      await admin`select pg_terminate_backend(${backend})`;
      expectUnavailable(await settled, "the transaction");
      await pause(200);
      expect(watch.uncaught.map(describeError)).toEqual([]);

      const next = await outcome(single<{ one: number }[]>`select 1 as one`, "the next query");
      expect(next.ok, next.ok ? "" : describeError(next.error)).toBe(true);
      await expectHealthy(single, 20);

      expect(watch.uncaught.map(describeError)).toEqual([]);
      expect(watch.unhandled.map(describeError)).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it("releasing a reserved connection that died does not put the dead connection back in the pool", async () => {
    const watch = watchProcess();
    try {
      const lone = client(1);
      const reserved = await lone.reserve();
      const [{ pid } = { pid: 0 }] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const settled = outcome(reserved`select pg_sleep(5)`, "the reserved query");
      await waitUntilActive([pid]);
      await admin`select pg_terminate_backend(${pid})`;
      expectUnavailable(await settled, "the reserved query");
      reserved.release();

      const next = await outcome(lone<{ one: number }[]>`select 1 as one`, "the query after release");
      expect(next.ok, next.ok ? "" : describeError(next.error)).toBe(true);
      await expectHealthy(lone, 20);
      expect(watch.uncaught.map(describeError)).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it("a statement sent on a transaction after its connection died is rejected, not dropped or faked", async () => {
    const watch = watchProcess();
    try {
      let late: Promise<unknown> = Promise.resolve();
      let reportPid: (pid: number) => void = () => {};
      const pid = new Promise<number>((resolve) => {
        reportPid = resolve;
      });
      const done = single.begin(async (tx) => {
        const [row] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
        reportPid(row?.pid ?? -1);
        try {
          await tx`select pg_sleep(60)`;
        } catch {
          // Code that catches the failure and carries on using the transaction.
          late = tx`select 'late' as x`;
          await late;
        }
      });
      const settled = outcome(done, "the transaction");
      const backend = await within(pid, "the transaction's first statement");
      await waitUntilActive([backend]);
      await admin`select pg_terminate_backend(${backend})`;
      expectUnavailable(await settled, "the transaction");

      // The client reconnects (the same connection object, max: 1) before we look at `late`.
      const next = await outcome(single<{ one: number }[]>`select 1 as one`, "the next query");
      expect(next.ok, next.ok ? "" : describeError(next.error)).toBe(true);
      expectUnavailable(await outcome(late, "the late statement"), "the late statement");

      expect(watch.uncaught.map(describeError)).toEqual([]);
      expect(watch.unhandled.map(describeError)).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it("a connection reset under an open transaction rejects it cleanly and the client recovers", async () => {
    const watch = watchProcess();
    try {
      if (!proxy) throw new Error("no proxy");
      reset = client(1, proxy.url);
      await reset`select 1`;
      const { pid, done } = openTransaction(reset);
      await waitUntilActive([await within(pid, "the transaction's first statement")]);

      const settled = outcome(done, "the transaction");
      proxy.reset();
      expectUnavailable(await settled, "the transaction");
      await pause(200);
      expect(watch.uncaught.map(describeError)).toEqual([]);

      const next = await outcome(reset<{ one: number }[]>`select 1 as one`, "the next query");
      expect(next.ok, next.ok ? "" : describeError(next.error)).toBe(true);
      await expectHealthy(reset, 20);

      expect(watch.uncaught.map(describeError)).toEqual([]);
      expect(watch.unhandled.map(describeError)).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it("a server restart under several open transactions rejects them all cleanly and the pool recovers", async () => {
    const watch = watchProcess();
    try {
      pooled = client(8);
      await Promise.all(Array.from({ length: 8 }, () => pooled`select 1`));
      const open = [
        openTransaction(pooled),
        openTransaction(pooled),
        openTransaction(pooled),
        openTransaction(pooled),
        openDrizzleTransaction(pooled),
      ];
      const pids = await within(Promise.all(open.map((t) => t.pid)), "the transactions' first statements");
      await waitUntilActive(pids);
      // The single-connection client from the first scenario is idle across the restart.

      const settled = open.map((t, i) => outcome(t.done, `transaction ${i}`));
      await server.restart();
      for (const [i, result] of (await Promise.all(settled)).entries()) expectUnavailable(result, `transaction ${i}`);
      await pause(200);
      expect(watch.uncaught.map(describeError)).toEqual([]);

      const next = await outcome(pooled<{ one: number }[]>`select 1 as one`, "the next query");
      expect(next.ok, next.ok ? "" : describeError(next.error)).toBe(true);

      expect(watch.uncaught.map(describeError)).toEqual([]);
      expect(watch.unhandled.map(describeError)).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it("a restart under load fails each request as 'database unavailable' and nothing escapes", async () => {
    const watch = watchProcess();
    try {
      loaded = client(4);
      await loaded`select 1`;
      const work: Promise<Outcome<unknown>>[] = [];
      let running = true;
      const issue = () => {
        if (!running) return;
        // From setImmediate, as on a busy server: the driver defers these writes to the next turn.
        setImmediate(() => {
          if (!running) return;
          const query = work.length % 2 ? loaded`select 1` : loaded.begin((tx) => tx`select 1`);
          const settled = outcome(query, `request ${work.length}`);
          work.push(settled);
          settled.then(issue);
        });
      };
      for (let i = 0; i < 32; i++) issue();
      await pause(200);
      await server.restart();
      await pause(300);
      running = false;

      const outcomes = await Promise.all(work);
      const failures = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
      expect(outcomes.length - failures.length).toBeGreaterThan(0);
      expect(failures.filter((e) => !isDatabaseUnavailable(e)).map(describeError)).toEqual([]);
      await pause(200);

      expect(watch.uncaught.map(describeError)).toEqual([]);
      expect(watch.unhandled.map(describeError)).toEqual([]);
    } finally {
      watch.stop();
    }
  });

  it("after recovery, many small queries all succeed on every client (no wedged connection)", async () => {
    const watch = watchProcess();
    try {
      for (const sql of [single, reset, pooled, loaded].filter(Boolean)) await expectHealthy(sql, 200);
      expect(watch.uncaught.map(describeError)).toEqual([]);
      expect(watch.unhandled.map(describeError)).toEqual([]);
    } finally {
      watch.stop();
    }
  });
});
