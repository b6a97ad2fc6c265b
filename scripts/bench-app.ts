import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * The built app for the HTTP line of `npm run bench`: `next build` when there is no build
 * yet, then `next start` on loopback. Both run in their own process group, so stopping
 * kills the whole tree (Next may start workers) and a Ctrl-C never leaves one behind.
 */

const NEXT_BIN = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
const LOG_TAIL_LINES = 60;

export type AppServer = {
  url: string;
  pid: number;
  /** The last lines the server printed, for error reports. */
  logTail: () => string;
  stop: () => Promise<void>;
};

const running = new Set<ChildProcess>();

/** Signals the child's whole process group (it was started detached: its pid is the group id). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is empty: nothing left to stop
  }
}

// Last resort on any exit path (an uncaught error, process.exit): no app outlives the bench.
process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (!running.has(child)) return;
  killGroup(child, "SIGTERM");
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
  await exited(child);
  clearTimeout(timer);
  // Anything the leader started and left behind goes too.
  killGroup(child, "SIGKILL");
  running.delete(child);
}

function spawnNext(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [NEXT_BIN, ...args], {
    cwd: process.cwd(),
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  return child;
}

function collectTail(child: ChildProcess): () => string {
  const lines: string[] = [];
  const add = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > LOG_TAIL_LINES) lines.splice(0, lines.length - LOG_TAIL_LINES);
  };
  child.stdout?.on("data", add);
  child.stderr?.on("data", add);
  return () => lines.join("\n");
}

/** Builds the app unless a build exists. Returns whether it built. */
export async function ensureBuilt(signal: AbortSignal): Promise<boolean> {
  if (fs.existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) return false;
  console.log("No build found (.next/BUILD_ID): running next build …");
  const child = spawnNext(["build"], { NODE_ENV: "production" });
  const tail = collectTail(child);
  const onAbort = () => void stopChild(child);
  signal.addEventListener("abort", onAbort, { once: true });
  await exited(child);
  signal.removeEventListener("abort", onAbort);
  await stopChild(child); // sweeps up build workers, if any outlived it
  if (signal.aborted) throw new Error("aborted");
  if (child.exitCode !== 0) throw new Error(`next build failed (exit ${child.exitCode}):\n${tail()}`);
  return true;
}

/** Starts `next start` on 127.0.0.1 and waits until GET /api/health answers 200. */
export async function startApp(options: {
  port: number;
  env: Record<string, string>;
  signal: AbortSignal;
  timeoutMs?: number;
  /** Next's own profiler: writes .next-profiles/*.cpuprofile when the app stops. */
  cpuProfile?: boolean;
}): Promise<AppServer> {
  const profile = options.cpuProfile ? ["--experimental-cpu-prof"] : [];
  const child = spawnNext(["start", "-p", String(options.port), "-H", "127.0.0.1", ...profile], {
    NODE_ENV: "production",
    PORT: String(options.port),
    ...options.env,
  });
  const logTail = collectTail(child);
  const url = `http://127.0.0.1:${options.port}`;
  const server: AppServer = { url, pid: child.pid ?? -1, logTail, stop: () => stopChild(child) };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last = "no answer yet";
  for (let attempt = 0; attempt < 10_000 && Date.now() < deadline; attempt++) {
    if (options.signal.aborted || child.exitCode !== null || child.signalCode !== null) break;
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return server;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await server.stop();
  if (options.signal.aborted) throw new Error("aborted");
  throw new Error(`the app did not become healthy (${last}):\n${logTail()}`);
}
