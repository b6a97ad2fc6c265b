import { isIP } from "node:net";

/** What the sign-in throttle counts a request under when its address is unknown or not an IP. */
export const UNKNOWN_ADDRESS = "unknown";

/**
 * The client's address for the sign-in throttle: the first `X-Forwarded-For` entry, as set by
 * the proxy in front of the app. Anything that is not a plain IPv4 or IPv6 address (at most 45
 * characters) counts as "unknown": a client must not make up a fresh throttle key per request
 * out of arbitrary text, nor store kilobytes of it.
 */
export function clientAddress(headers: Pick<Headers, "get">): string {
  const first = headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? "";
  return first.length <= 45 && isIP(first) !== 0 ? first.toLowerCase() : UNKNOWN_ADDRESS;
}
