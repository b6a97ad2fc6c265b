import "server-only";
import { and, eq, gte, lte, or, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { loginThrottle, users } from "@/db/schema";
import { isRefusedDefaultPassword } from "@/lib/demo-password";
import { env } from "@/lib/env";
import { err, type Result } from "@/lib/result";
import type { Actor } from "./actor";
import { decoyHash, verifyPassword } from "./password";
import { createSession } from "./sessions";

const WINDOW_MINUTES = 15;

export type LoginError = { code: "invalid_credentials" } | { code: "rate_limited"; retryAfterSeconds: number };
export type LoginResult = Result<{ actor: Actor; token: string; expiresAt: Date }, LoginError>;

type Count = { attempts: number; wait: number };

/**
 * Signs in by email and password. Unknown email and wrong password fail alike (same answer,
 * same work). Failures are counted in the database, so every app instance enforces the same
 * limits, within a 15-minute window:
 * - per (email, client address): `LOGIN_MAX_FAILURES` (default 10): someone guessing one
 *   account's password from one address;
 * - per client address: the same number, whatever the email: one address trying many accounts;
 * - per email, from every address: `LOGIN_MAX_ACCOUNT_FAILURES` (default 100): guesses spread
 *   over many addresses. Beyond it, an address with failures of its own is refused, but an
 *   address without any may still try: the account's owner, signing in from their own
 *   machine, is never locked out by other people's guesses (each new address an attacker uses
 *   gets one guess, then it has a failure).
 * The client address comes from the socket unless TRUSTED_PROXIES says otherwise
 * (client-address.ts): a client cannot pick a fresh one per request.
 *
 * Only failures count. An office behind one NAT address signs many people in at once, so the
 * per-address count is read before the password check and charged only after a failure: other
 * people's successes never refuse anyone. The keys that name one account (pair and email) also
 * reserve the attempt BEFORE the check, by one atomic upsert that returns the new count, so of
 * any number of concurrent guesses at one account at most the limit get to argon2 (reading
 * first and charging afterwards would let such a burst through whole); the reservation is
 * taken back when the attempt signs in or is refused. A burst at many different accounts from
 * one address can overshoot the per-address limit by its concurrency, once: every failure of
 * it is charged, and the address is refused from then on.
 */
export async function login(
  db: DbOrTx,
  input: { email: string; password: string; clientAddress: string; userAgent?: string | null },
): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase();
  const pairKey = `pair:${input.clientAddress}|${email}`;
  const addressKey = `ip:${input.clientAddress}`;
  const emailKey = `email:${email}`;
  await purgeExpired(db);
  const limit = env().LOGIN_MAX_FAILURES;
  const address = await readFailures(db, addressKey);
  if (address.attempts >= limit) return err({ code: "rate_limited", retryAfterSeconds: Math.max(1, address.wait) });

  const [pair, account] = await countAttempt(db, [pairKey, emailKey]);
  if (!pair || !account) throw new Error("login_throttle counted no row");
  const accountClosed = account.attempts > env().LOGIN_MAX_ACCOUNT_FAILURES && address.attempts > 0;
  const over = [pair.attempts > limit && pair, accountClosed && account].filter((row) => row !== false);
  if (over.length > 0) {
    // A refused attempt checked nothing: it must not count (else a blocked address could keep
    // any account locked out by sending its email). Every attempt that did get checked stays
    // counted, so the limit still holds.
    await uncountAttempt(db, [pairKey, emailKey]);
    return err({ code: "rate_limited", retryAfterSeconds: Math.max(1, ...over.map((row) => row.wait)) });
  }

  // A deactivated person, and an invited one without a password yet, cannot sign in.
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role, passwordHash: users.passwordHash })
    .from(users)
    .where(and(eq(users.email, email), eq(users.active, true)));
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await decoyHash()), input.password);
  if (!user || !passwordOk || isRefusedDefaultPassword(input.password)) {
    await countAttempt(db, [addressKey]);
    return err({ code: "invalid_credentials" });
  }

  // Signed in: this address's failures for the account are forgiven, and nothing is charged
  // for the success. The account's count stays: other addresses' guesses still happened.
  await db.delete(loginThrottle).where(eq(loginThrottle.key, pairKey));
  await uncountAttempt(db, [emailKey]);
  const session = await createSession(db, user.id, { userAgent: input.userAgent });
  return { ok: true, actor: { id: user.id, name: user.name, email: user.email, role: user.role }, ...session };
}

const windowEnded = sql`${loginThrottle.windowStartedAt} < now() - make_interval(mins => ${WINDOW_MINUTES})`;
const secondsLeft = sql<number>`greatest(0, ceil(extract(epoch from (${loginThrottle.windowStartedAt} + make_interval(mins => ${WINDOW_MINUTES}) - now()))))::int`;

/**
 * Deletes throttle rows whose window has ended (they would start over anyway) and rows at zero.
 * Runs at every sign-in: the table holds at most the last 15 minutes' keys.
 */
async function purgeExpired(db: DbOrTx): Promise<void> {
  await db.delete(loginThrottle).where(or(lte(loginThrottle.failures, 0), windowEnded));
}

/** A key's failures in its current window (0 when it has none) and the seconds until the window ends. */
async function readFailures(db: DbOrTx, key: string): Promise<Count> {
  const [row] = await db
    .select({ attempts: loginThrottle.failures, wait: secondsLeft })
    .from(loginThrottle)
    .where(and(eq(loginThrottle.key, key), gte(loginThrottle.failures, 1), sql`not (${windowEnded})`));
  return row ?? { attempts: 0, wait: 0 };
}

/**
 * Counts one attempt against each key and returns each key's new count and the seconds until
 * its window ends; a window older than 15 minutes starts over. One single-row upsert per key:
 * atomic per key, and no statement ever waits for one row while holding another (no deadlock).
 */
async function countAttempt(db: DbOrTx, keys: string[]): Promise<Count[]> {
  const counted: Count[] = [];
  for (const key of keys) {
    const [row] = await db
      .insert(loginThrottle)
      .values({ key, failures: 1, windowStartedAt: sql`now()` })
      .onConflictDoUpdate({
        target: loginThrottle.key,
        set: {
          failures: sql`case when ${windowEnded} then 1 else ${loginThrottle.failures} + 1 end`,
          windowStartedAt: sql`case when ${windowEnded} then now() else ${loginThrottle.windowStartedAt} end`,
        },
      })
      .returning({ attempts: loginThrottle.failures, wait: secondsLeft });
    if (!row) throw new Error("login_throttle upsert returned no row");
    counted.push(row);
  }
  return counted;
}

/** Takes back one reserved attempt per key (an attempt that was refused, or that signed in). */
async function uncountAttempt(db: DbOrTx, keys: string[]): Promise<void> {
  for (const key of keys) {
    await db
      .update(loginThrottle)
      .set({ failures: sql`greatest(${loginThrottle.failures} - 1, 0)` })
      .where(eq(loginThrottle.key, key));
  }
}
