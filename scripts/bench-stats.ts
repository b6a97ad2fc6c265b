/** The one definition of a latency percentile for every benchmark (`npm run bench`). */

/** Nearest-rank percentile (p in 0..1) of values sorted ascending; NaN when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** p50 and p95 of unsorted latencies, in milliseconds. */
export function latencySummary(latencies: ArrayLike<number>): { p50Ms: number; p95Ms: number } {
  const sorted = Float64Array.from(latencies).sort();
  return { p50Ms: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95) };
}
