/**
 * The closed-loop load generator behind `npm run bench`: N clients, each awaiting its own
 * operation back to back for a fixed time. Only operations that finish inside the measured
 * window count, so the warm-up (first connections, JIT, Next's lazy route loading) is left out.
 */
import { latencySummary } from "./bench-stats";

/** What one operation did. A conflict is a 412 / zero-row compare-and-set. */
export type Outcome = "ok" | "conflict";

export type BenchClient = {
  /** One save. Resolves with its outcome; throws on anything unexpected. */
  run: () => Promise<Outcome>;
  /** Re-reads the row's version after a failed save, so the next one can succeed. */
  resync: () => Promise<void>;
};

export type LoadResult = {
  clients: number;
  /** Operations that completed inside the measured window. */
  ops: number;
  seconds: number;
  opsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  /** Over the whole run, warm-up included: every save is expected to succeed. */
  conflicts: number;
  errors: number;
  firstError: string | null;
};

export type LoadOptions = {
  warmupMs: number;
  durationMs: number;
  signal: AbortSignal;
  /** Stop once this many operations succeeded (for warm-ups measured in work, not time). */
  maxOps?: number;
  /** Called just before and just after the measured window (e.g. to sample CPU counters). */
  onWindow?: (edge: "start" | "end") => void;
  /** Also collect the measured latencies here (to pool several runs into one percentile). */
  record?: number[];
};

/** A generous safety cap: every loop here ends by time, by abort, or by this count. */
const MAX_OPS_PER_CLIENT = 5_000_000;
/** Past this many failures a run stops early: the numbers would mean nothing. */
const MAX_FAILURES = 100;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export async function runClosedLoop(clients: BenchClient[], options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let conflicts = 0;
  let errors = 0;
  let firstError: string | null = null;
  const stop = new AbortController();
  const abortAll = () => stop.abort();
  options.signal.addEventListener("abort", abortAll, { once: true });

  const begin = performance.now();
  let windowStart = begin + options.warmupMs;
  let windowEnd = windowStart + options.durationMs;

  const loop = async (client: BenchClient) => {
    for (let n = 0; n < MAX_OPS_PER_CLIENT && !stop.signal.aborted; n++) {
      const started = performance.now();
      if (started >= windowEnd) return;
      let outcome: Outcome | "error";
      try {
        outcome = await client.run();
      } catch (error) {
        outcome = "error";
        firstError ??= errorText(error);
      }
      const finished = performance.now();
      if (outcome === "ok") {
        if (finished >= windowStart && finished <= windowEnd) latencies.push(finished - started);
        if (options.maxOps !== undefined && latencies.length >= options.maxOps) stop.abort();
        continue;
      }
      if (outcome === "conflict") conflicts++;
      else errors++;
      if (conflicts + errors >= MAX_FAILURES) {
        firstError ??= "too many failed saves";
        stop.abort();
        return;
      }
      try {
        await client.resync();
      } catch (error) {
        errors++;
        firstError ??= `resync: ${errorText(error)}`;
      }
    }
  };

  const loops = clients.map(loop);
  await sleep(options.warmupMs, stop.signal);
  options.onWindow?.("start");
  windowStart = performance.now();
  windowEnd = windowStart + options.durationMs;
  await sleep(options.durationMs, stop.signal);
  windowEnd = Math.min(windowEnd, performance.now());
  options.onWindow?.("end");
  await Promise.all(loops);
  options.signal.removeEventListener("abort", abortAll);

  options.record?.push(...latencies);
  const seconds = (windowEnd - windowStart) / 1000;
  return {
    clients: clients.length,
    ops: latencies.length,
    seconds,
    opsPerSecond: seconds > 0 ? latencies.length / seconds : 0,
    ...latencySummary(latencies),
    conflicts,
    errors,
    firstError,
  };
}
