import { sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "@/db/client";
import type { Role } from "@/db/schema";
import { err, type Result } from "@/lib/result";
import type { Actor } from "./actor";
import { decoyHash, verifyPassword } from "./password";
import { createSession } from "./sessions";

const MAX_FAILURES = Number(process.env.LOGIN_MAX_FAILURES ?? 10);
const WINDOW_MINUTES = 15;

export type LoginError = { code: "invalid_credentials" } | { code: "rate_limited"; retryAfterSeconds: number };
export type LoginResult = Result<{ actor: Actor; token: string; expiresAt: Date }, LoginError>;

/**
 * Signs in by email and password. Unknown email and wrong password fail alike (same answer,
 * same work). Failures are counted in the database per email and per client address, so
 * every app instance enforces the same limit.
 */
export async function login(
  db: DbOrTx,
  input: { email: string; password: string; clientAddress: string },
): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase();
  const keys = [`email:${email}`, `ip:${input.clientAddress}`];
  const blocked = await throttleRemaining(db, keys);
  if (blocked > 0) return err({ code: "rate_limited", retryAfterSeconds: blocked });

  const [user] = await queryRows<{ id: string; name: string; email: string; role: Role; password_hash: string }>(
    db,
    sql`select id, name, email, role, password_hash from users where email = ${email}`,
  );
  const passwordOk = await verifyPassword(user?.password_hash ?? (await decoyHash()), input.password);
  if (!user || !passwordOk) {
    await recordFailure(db, keys);
    return err({ code: "invalid_credentials" });
  }
  await queryRows(db, sql`delete from login_throttle where key = ${keys[0]}`);
  const session = await createSession(db, user.id);
  return { ok: true, actor: { id: user.id, name: user.name, email: user.email, role: user.role }, ...session };
}

/** Seconds until a blocked key may try again, or 0. */
async function throttleRemaining(db: DbOrTx, keys: string[]): Promise<number> {
  const [row] = await queryRows<{ wait: number | null }>(
    db,
    sql`select ceil(max(extract(epoch from (window_started_at + make_interval(mins => ${WINDOW_MINUTES}) - now()))))::int as wait
          from login_throttle
         where key in (${sql.join(keys, sql`, `)}) and failures >= ${MAX_FAILURES}
           and window_started_at > now() - make_interval(mins => ${WINDOW_MINUTES})`,
  );
  return Math.max(0, row?.wait ?? 0);
}

async function recordFailure(db: DbOrTx, keys: string[]): Promise<void> {
  // One atomic upsert per key: concurrent failures all count, and an old window restarts.
  for (const key of keys) {
    await queryRows(
      db,
      sql`insert into login_throttle (key, failures, window_started_at) values (${key}, 1, now())
          on conflict (key) do update set
            failures = case when login_throttle.window_started_at < now() - make_interval(mins => ${WINDOW_MINUTES})
                            then 1 else login_throttle.failures + 1 end,
            window_started_at = case when login_throttle.window_started_at < now() - make_interval(mins => ${WINDOW_MINUTES})
                            then now() else login_throttle.window_started_at end`,
    );
  }
}
