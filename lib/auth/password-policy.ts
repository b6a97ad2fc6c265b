import { COMMON_PASSWORDS } from "./common-passwords";

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 1000;

/**
 * The strong-password check (NIST SP 800-63B style): long enough, and not a password that
 * attackers try first. Returns what is wrong, in words for the person, or null when it is fine.
 */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return `Use at least ${PASSWORD_MIN_LENGTH} characters (this one has ${password.length}).`;
  }
  if (password.length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || /^(.)\1*$/.test(password)) {
    return "This password is one of the most common ones, which attackers try first. Choose another (a few unrelated words work well).";
  }
  const local = context.email?.split("@")[0]?.toLowerCase();
  if (lower === context.email?.toLowerCase() || (local && local.length >= 4 && lower === local)) {
    return "Do not use your email address as your password.";
  }
  return null;
}
