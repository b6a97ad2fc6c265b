import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { type DbOrTx, openPostgres, queryRows, type Tx } from "@/db/client";

/** Sessions of this database that are waiting for a lock. */
export async function lockWaiters(db: DbOrTx): Promise<number | undefined> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
  );
  return row?.n;
}

/**
 * Runs `hold` in a transaction on its own connection, starts `start` while that transaction
 * still holds its locks, and ends the transaction (commit, or rollback when `rollback` is set)
 * only once `waiters` sessions are blocked behind it. Every contender is then truly in flight
 * at once, past any early read, and the outcome is decided by the database alone.
 */
export async function whileLocked<T>(
  url: string,
  options: { waiters: number; rollback?: boolean; timeoutMs?: number },
  hold: (tx: Tx) => Promise<unknown>,
  start: () => Promise<T>,
  beforeEnd: (tx: Tx) => Promise<unknown> = async () => {},
): Promise<T> {
  // Its own two connections: one holds the lock, the other watches who waits for it.
  const gate = await openPostgres(url, { max: 2 });
  const rolledBack = new Error("gate rolled back");
  try {
    let outcome: Promise<T> | undefined;
    await gate.db
      .transaction(async (tx) => {
        await hold(tx);
        outcome = start();
        outcome.catch(() => {}); // awaited below; not unhandled meanwhile
        await expect
          .poll(() => lockWaiters(gate.db), { timeout: options.timeoutMs ?? 60_000, interval: 20 })
          .toBe(options.waiters);
        await beforeEnd(tx);
        if (options.rollback) throw rolledBack;
      })
      .catch((error: unknown) => {
        if (error !== rolledBack) throw error;
      });
    if (!outcome) throw new Error("contenders were not started");
    return await outcome;
  } finally {
    await gate.close();
  }
}
