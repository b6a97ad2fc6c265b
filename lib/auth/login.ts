import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { Role } from "@/db/schema";
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
 * same work). Attempts are counted in the database per email and per client address, so
 * every app instance enforces the same limit (`LOGIN_MAX_FAILURES`, default 10, per 15 minutes).
 *
 * The attempt is counted BEFORE the password is checked, by one atomic upsert that returns the
 * new count: of any number of concurrent attempts, at most the limit get to argon2. Reading the
 * count first and recording the failure afterwards would let a burst through whole.
 */
export async function login(
  db: DbOrTx,
  input: { email: string; password: string; clientAddress: string; userAgent?: string | null },
): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase();
  const emailKey = `email:${email}`;
  const addressKey = `ip:${input.clientAddress}`;
  const counted = await countAttempt(db, [emailKey, addressKey]);
  const over = counted.filter((row) => row.attempts > env().LOGIN_MAX_FAILURES);
  if (over.length > 0) {
    // A refused attempt checked nothing: it must not count (else a blocked address could keep
    // any account locked out by sending its email). Every attempt that did get checked stays
    // counted, so the limit still holds.
    await uncountAttempt(db, [emailKey, addressKey]);
    return err({ code: "rate_limited", retryAfterSeconds: Math.max(1, ...over.map((row) => row.wait)) });
  }

  // A deactivated person, and an invited one without a password yet, cannot sign in.
  const [user] = await queryRows<{ id: string; name: string; email: string; role: Role; password_hash: string | null }>(
    db,
    sql`select id, name, email, role, password_hash from users where email = ${email} and active`,
  );
  const passwordOk = await verifyPassword(user?.password_hash ?? (await decoyHash()), input.password);
  if (!user || !passwordOk) return err({ code: "invalid_credentials" });

  // Signed in: the account's failures are forgiven, and the address is not charged for it.
  await queryRows(db, sql`delete from login_throttle where key = ${emailKey}`);
  await uncountAttempt(db, [addressKey]);
  const session = await createSession(db, user.id, { userAgent: input.userAgent });
  return { ok: true, actor: { id: user.id, name: user.name, email: user.email, role: user.role }, ...session };
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
