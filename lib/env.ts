import { z } from "zod";
import { parseTrustedProxies } from "./trusted-proxies";

/**
 * The one place that reads the app's environment variables, validated with zod (t3-style).
 * Startup (lib/startup.ts) calls `env()` first, so a bad value stops the process with a message
 * naming the variable instead of surfacing later as a 500. An empty string means "unset".
 *
 * `env()` reads `process.env` at every call (cheaply: the parse is cached per raw values), so
 * tests and tools that change a variable at run time (DATABASE_URL, LEASE_TTL_SECONDS) are
 * seen by the next call, through the same schema.
 */

const blankIsUnset = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

function positiveNumber(fallback: number) {
  return z.preprocess(
    blankIsUnset,
    z
      .string()
      .trim()
      .regex(/^\d+(\.\d+)?$/, { error: "must be a positive number such as 7 or 0.5" })
      .transform(Number)
      .refine((n) => n > 0, { error: "must be greater than 0" })
      .default(fallback),
  );
}

function positiveInteger(fallback: number) {
  return z.preprocess(
    blankIsUnset,
    z
      .string()
      .trim()
      .regex(/^\d{1,7}$/, { error: "must be a whole number such as 10" })
      .transform(Number)
      .refine((n) => n >= 1, { error: "must be at least 1" })
      .default(fallback),
  );
}

function optionalText() {
  return z.preprocess(blankIsUnset, z.string().optional());
}

const envSchema = z.object({
  /** postgres:// URL of a PostgreSQL server; unset: the embedded PGlite. */
  DATABASE_URL: z.preprocess(
    blankIsUnset,
    z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, { error: "must be a postgres:// or postgresql:// URL" })
      .optional(),
  ),
  /** Connections per app instance (postgres.js only). */
  DATABASE_POOL_MAX: positiveInteger(10),
  /** Where the embedded PGlite keeps its files (default ./.data/pglite). */
  PGLITE_DIR: optionalText(),
  /** The app's public origin, when it is served behind a proxy that rewrites Host. */
  APP_ORIGIN: z.preprocess(
    blankIsUnset,
    z
      .string()
      .refine((value) => URL.canParse(value) && new URL(value).origin === value, {
        error: "must be an origin such as https://tandem.example.com (scheme and host, no path or trailing slash)",
      })
      .optional(),
  ),
  /**
   * Where `npm start` listens. Unset: 127.0.0.1 for the embedded demo (nobody else can reach its
   * well-known demo password), every interface with DATABASE_URL.
   */
  HOST: z.preprocess(
    blankIsUnset,
    z
      .string()
      .trim()
      .max(253)
      .regex(/^[A-Za-z0-9.:-]+$/, { error: "must be an IP address or host name such as 0.0.0.0 or 127.0.0.1" })
      .optional(),
  ),
  /**
   * Which proxies in front of the app to believe about the client's address (X-Forwarded-For):
   * unset or "0" believes none (the socket's peer is the client); a hop count such as "1" (one
   * proxy appends the address it saw); or a comma-separated list of addresses and CIDR ranges
   * ("10.0.0.0/8, 192.168.1.7"): entries added by those are skipped, from the right.
   */
  TRUSTED_PROXIES: z.preprocess(
    blankIsUnset,
    z
      .string()
      .max(2000)
      .transform((value, context) => {
        const parsed = parseTrustedProxies(value);
        if (parsed === null) {
          context.addIssue({
            code: "custom",
            message: "must be a hop count (0–10) or a comma-separated list of IP addresses and CIDR ranges",
          });
          return z.NEVER;
        }
        return parsed;
      })
      .default({ hops: 0 }),
  ),
  SESSION_DAYS: positiveNumber(7),
  /** A session unused for this long ends (idle timeout); default 12 hours. */
  SESSION_IDLE_MINUTES: positiveInteger(720),
  /** Failed sign-ins per (email, client address) within the throttle window, and per client address. */
  LOGIN_MAX_FAILURES: positiveInteger(10),
  /**
   * Failed sign-ins per email, from all addresses, within the window. Beyond it, only addresses
   * without failures may still try (so the owner is never locked out by someone else's guesses).
   */
  LOGIN_MAX_ACCOUNT_FAILURES: positiveInteger(100),
  /** Open event streams per person, across every app instance (429 beyond). */
  MAX_STREAMS_PER_USER: positiveInteger(20),
  LEASE_TTL_SECONDS: positiveNumber(120),
  /**
   * The demo users' password (seeding), honoured as given. Unset: "tandem-demo" for the embedded
   * demo on 127.0.0.1 only; anywhere else a random one, printed once when seeding (lib/demo-password.ts).
   */
  DEMO_PASSWORD: z.preprocess(blankIsUnset, z.string().min(1).max(1000).optional()),
});

export type Env = z.infer<typeof envSchema>;

const NAMES = Object.keys(envSchema.shape) as (keyof Env)[];
const SECRET = new Set<string>(["DATABASE_URL", "DEMO_PASSWORD"]);

/** Names every variable with a bad value, and says what each must be. */
export class EnvError extends Error {
  constructor(readonly problems: Record<string, string>) {
    super(
      `Invalid environment: ${Object.entries(problems)
        .map(([name, problem]) => `${name} ${problem}`)
        .join("; ")}.`,
    );
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const raw = Object.fromEntries(NAMES.map((name) => [name, source[name]]));
  const parsed = envSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const name = String(issue.path[0] ?? "environment");
    // Never echo a secret (a password in DATABASE_URL) into the logs.
    const shown = SECRET.has(name) ? "" : ` (got ${JSON.stringify(source[name] ?? "")})`;
    problems[name] ??= `${issue.message}${shown}`;
  }
  throw new EnvError(problems);
}

let cached: { key: string; env: Env } | undefined;

/** The validated environment, as `process.env` is now. Throws EnvError naming each bad variable. */
export function env(): Env {
  const key = JSON.stringify(NAMES.map((name) => process.env[name] ?? null));
  if (cached?.key !== key) cached = { key, env: parseEnv(process.env) };
  return cached.env;
}

/** `LEASE_TTL_SECONDS` (default 120), read at every call so tests and deployments can change it. */
export function leaseTtlSeconds(): number {
  return env().LEASE_TTL_SECONDS;
}
