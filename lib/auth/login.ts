import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { Role } from "@/db/schema";
import { isRefusedDefaultPassword } from "@/lib/demo-password";
import { env } from "@/lib/env";
import { err, type Result } from "@/lib/result";
import type { Actor } from "./actor";
import { decoyHash, verifyPassword } from "./password";
import { createSession } from "./sessions";

const WINDOW_MINUTES = 15;

export type LoginError = { code: "invalid_credentials" } | { code: "rate_limited"; retryAfterSeconds: number };
export type LoginResult = Result<{ actor: Actor; token: string; expiresAt: Date }, LoginError>;

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
 * The attempt is counted BEFORE the password is checked, by one atomic upsert per key that
 * returns the new count: of any number of concurrent attempts, at most the limit get to argon2.
 * Reading the count first and recording the failure afterwards would let a burst through whole.
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
  const [pair, address, account] = await countAttempt(db, [pairKey, addressKey, emailKey]);
  if (!pair || !address || !account) throw new Error("login_throttle counted no row");
  const limit = env().LOGIN_MAX_FAILURES;
  // `address.attempts - 1`: the address's failures before this attempt (this one is counted already).
  const accountClosed = account.attempts > env().LOGIN_MAX_ACCOUNT_FAILURES && address.attempts - 1 > 0;
  const over = [pair.attempts > limit && pair, address.attempts > limit && address, accountClosed && account].filter(
    (row) => row !== false,
  );
  if (over.length > 0) {
    // A refused attempt checked nothing: it must not count (else a blocked address could keep
    // any account locked out by sending its email). Every attempt that did get checked stays
    // counted, so the limit still holds.
    await uncountAttempt(db, [pairKey, addressKey, emailKey]);
    return err({ code: "rate_limited", retryAfterSeconds: Math.max(1, ...over.map((row) => row.wait)) });
  }

  // A deactivated person, and an invited one without a password yet, cannot sign in.
  const [user] = await queryRows<{ id: string; name: string; email: string; role: Role; password_hash: string | null }>(
    db,
    sql`select id, name, email, role, password_hash from users where email = ${email} and active`,
  );
  const passwordOk = await verifyPassword(user?.password_hash ?? (await decoyHash()), input.password);
  if (!user || !passwordOk || isRefusedDefaultPassword(input.password)) return err({ code: "invalid_credentials" });

  // Signed in: this address's failures for the account are forgiven, and nothing is charged
  // for the success. The account's count stays: other addresses' guesses still happened.
  await queryRows(db, sql`delete from login_throttle where key = ${pairKey}`);
  await uncountAttempt(db, [addressKey, emailKey]);
  const session = await createSession(db, user.id, { userAgent: input.userAgent });
  return { ok: true, actor: { id: user.id, name: user.name, email: user.email, role: user.role }, ...session };
}

/**
 * Deletes throttle rows whose window has ended (they would start over anyway) and rows at zero.
 * Runs at every sign-in: the table holds at most the last 15 minutes' keys.
 */
async function purgeExpired(db: DbOrTx): Promise<void> {
  await queryRows(
    db,
    sql`delete from login_throttle
        where failures <= 0 or window_started_at < now() - make_interval(mins => ${WINDOW_MINUTES})`,
  );
}

/**
 * Counts one attempt against each key and returns each key's new count and the seconds until
 * its window ends; a window older than 15 minutes starts over. One single-row upsert per key:
 * atomic per key, and no statement ever waits for one row while holding another (no deadlock).
 */
async function countAttempt(db: DbOrTx, keys: string[]): Promise<{ attempts: number; wait: number }[]> {
  const expired = sql`login_throttle.window_started_at < now() - make_interval(mins => ${WINDOW_MINUTES})`;
  const counted: { attempts: number; wait: number }[] = [];
  for (const key of keys) {
    const [row] = await queryRows<{ attempts: number; wait: number }>(
      db,
      sql`insert into login_throttle (key, failures, window_started_at) values (${key}, 1, now())
          on conflict (key) do update set
            failures = case when ${expired} then 1 else login_throttle.failures + 1 end,
            window_started_at = case when ${expired} then now() else login_throttle.window_started_at end
          returning failures as attempts,
            greatest(0, ceil(extract(epoch from (window_started_at + make_interval(mins => ${WINDOW_MINUTES}) - now()))))::int as wait`,
    );
    if (!row) throw new Error("login_throttle upsert returned no row");
    counted.push(row);
  }
  return counted;
}

/** Takes back one counted attempt per key (an attempt that was refused, or that signed in). */
async function uncountAttempt(db: DbOrTx, keys: string[]): Promise<void> {
  for (const key of keys) {
    await queryRows(db, sql`update login_throttle set failures = greatest(failures - 1, 0) where key = ${key}`);
  }
}
