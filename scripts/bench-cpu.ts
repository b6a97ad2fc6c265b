import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";

/**
 * CPU time used by the benchmark's processes, from /proc (Linux only; elsewhere the
 * counters read as null). PostgreSQL, the app and the load generator share the machine,
 * so "where did the CPU go per save" explains most of the gap between the lines.
 */

type ProcStat = { pid: number; ppid: number; pgrp: number; ticks: number };

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      pid,
      ppid: Number(fields[1]),
      pgrp: Number(fields[2]),
      ticks: Number(fields[11]) + Number(fields[12]),
    };
  } catch {
    return null; // gone, or not Linux
  }
}

function allStats(): ProcStat[] {
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return [];
  }
  const stats: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

export type CpuSample = {
  clientMs: number;
  appMs: number | null;
  postgresMs: number | null;
  /** The whole machine (all cores), from /proc/stat: shows when something else competed for the CPU. */
  machineBusyMs: number | null;
};

/** Non-idle CPU time of all cores together (idle and iowait excluded). */
function machineBusyMs(msPerTick: number): number | null {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const [, ...ticks] = line.trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    const busy = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (ticks[i] ?? 0), 0);
    return busy * msPerTick;
  } catch {
    return null;
  }
}

export type CpuTargets = {
  /** Process group of the app server (it is started detached, so its pid is the group id). */
  appGroup: number | null;
  /** The postmaster: its backends are its children. */
  postmaster: number | null;
};

/** The postmaster's pid, found as the parent of one of our backends (null if not local). */
export function postmasterOf(backendPid: number): number | null {
  const stat = readStat(backendPid);
  return stat ? stat.ppid : null;
}

export function sampleCpu(targets: CpuTargets): CpuSample {
  const usage = process.cpuUsage();
  const clientMs = (usage.user + usage.system) / 1000;
  const stats = targets.appGroup !== null || targets.postmaster !== null ? allStats() : [];
  const msPerTick = 1000 / clockTicks();
  const sum = (pick: (s: ProcStat) => boolean) =>
    stats.length === 0 ? null : stats.filter(pick).reduce((total, s) => total + s.ticks, 0) * msPerTick;
  return {
    clientMs,
    appMs: targets.appGroup === null ? null : sum((s) => s.pgrp === targets.appGroup),
    postgresMs:
      targets.postmaster === null ? null : sum((s) => s.pid === targets.postmaster || s.ppid === targets.postmaster),
    machineBusyMs: machineBusyMs(msPerTick),
  };
}

/** Share of all cores busy over the next `ms` (null off Linux): is something else running? */
export async function machineBusyShare(ms: number): Promise<number | null> {
  const msPerTick = 1000 / clockTicks();
  const before = machineBusyMs(msPerTick);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineBusyMs(msPerTick);
  if (before === null || after === null) return null;
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return (after - before) / ((performance.now() - started) * cores);
}

export function cpuBetween(start: CpuSample, end: CpuSample): CpuSample {
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.max(0, b - a));
  return {
    clientMs: end.clientMs - start.clientMs,
    appMs: diff(start.appMs, end.appMs),
    postgresMs: diff(start.postgresMs, end.postgresMs),
    machineBusyMs: diff(start.machineBusyMs, end.machineBusyMs),
  };
}
