/**
 * Whether a process exists. `kill(pid, 0)` sends nothing: it succeeds for our own processes
 * and fails with EPERM for another user's (postgres runs as `postgres`), which is alive too;
 * only ESRCH means gone. A leaf: it imports nothing, so db/ and scripts may use it.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
