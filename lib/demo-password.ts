import { randomBytes } from "node:crypto";
import { env } from "@/lib/env";

/**
 * The demo users' password. The well-known default ("tandem-demo") is only for the embedded
 * demo listening on this machine alone (no DATABASE_URL, HOST unset or a loopback address: the
 * rule scripts/serve-app.mjs listens by). Anywhere else, unless the operator sets DEMO_PASSWORD
 * (honoured as given), seeding uses a random password that is printed once, and sign-in refuses
 * the default one, even for accounts a local demo seeded with it earlier.
 */
export const DEFAULT_DEMO_PASSWORD = "tandem-demo";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** True when the app serves the embedded demo to this machine only. */
export function isLocalDemo(): boolean {
  const { DATABASE_URL, HOST } = env();
  return DATABASE_URL === undefined && (HOST === undefined || LOOPBACK.has(HOST.toLowerCase()));
}

let generated: string | undefined;

/** The password to seed the demo users with, and whether it was made up here (print it once). */
export function demoPassword(): { password: string; generated: boolean } {
  const explicit = env().DEMO_PASSWORD;
  if (explicit !== undefined) return { password: explicit, generated: false };
  if (isLocalDemo()) return { password: DEFAULT_DEMO_PASSWORD, generated: false };
  generated ??= randomBytes(12).toString("base64url");
  return { password: generated, generated: true };
}

/** Sign-in refuses the well-known default password unless it is acceptable here (see above). */
export function isRefusedDefaultPassword(password: string): boolean {
  return password === DEFAULT_DEMO_PASSWORD && env().DEMO_PASSWORD !== DEFAULT_DEMO_PASSWORD && !isLocalDemo();
}
